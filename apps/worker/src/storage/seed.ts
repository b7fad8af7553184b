import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { FilesystemAdapter } from './filesystem-adapter';
import { StorageError } from './storage-adapter';
import { type StorageRegistry } from './registry';

/**
 * Writes sample files for a contract at the given locations (development and tests): what a
 * hosted site holds of the seed's data categories, so destruction has real files to delete.
 */
export async function seedSampleData(registry: StorageRegistry, contractId: string, locationIds: readonly string[], filesPerLocation = 6): Promise<void> {
  for (const id of locationIds) {
    const adapter = registry.get(id);
    if (!(adapter instanceof FilesystemAdapter)) throw new StorageError('storage.unsupported', `location ${id} cannot be seeded`);
    const folder = adapter.folder(contractId);
    await fs.mkdir(path.join(folder, 'db'), { recursive: true });
    await fs.mkdir(path.join(folder, 'www'), { recursive: true });
    for (let i = 0; i < filesPerLocation; i++) {
      const name = i % 2 === 0 ? path.join('db', `customers-${i}.csv`) : path.join('www', `orders-${i}.json`);
      const body =
        i % 2 === 0
          ? `email,last_name,first_name,date_of_birth,address,ip\nsample${i}@example.invalid,Doe,Jane,1990-01-0${1 + (i % 9)},1 Sample Street,192.0.2.${i}\n`
          : JSON.stringify({ order: i, items: ['hosting'], customer: `sample${i}@example.invalid` });
      await fs.writeFile(path.join(folder, name), body);
    }
  }
}
