import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { STORAGE_LOCATIONS } from '../../../../libs/domain/src';
import { type AppConfig } from '../../../../libs/infra/src/config/config';
import { FilesystemAdapter } from './filesystem-adapter';
import { StorageError, type StorageLocationAdapter } from './storage-adapter';

export type StorageRegistry = ReadonlyMap<string, StorageLocationAdapter>;

/**
 * One adapter per catalog location, chosen by configuration (STORAGE_LOCATIONS); a location not
 * configured is a folder under STORAGE_ROOT named after its id.
 */
export function storageRegistry(config: Pick<AppConfig, 'storage'>): StorageRegistry {
  return new Map(
    STORAGE_LOCATIONS.map((location) => {
      const configured = config.storage.locations[location.id];
      const root = configured?.root ?? path.join(config.storage.root, location.id);
      return [location.id, new FilesystemAdapter(root, { batchSize: configured?.batchSize, throttleMs: configured?.throttleMs })];
    }),
  );
}

export function adapterFor(registry: StorageRegistry, locationId: string): StorageLocationAdapter {
  const adapter = registry.get(locationId);
  if (!adapter) throw new StorageError('storage.unknown_location', `no adapter is configured for location ${locationId}`);
  return adapter;
}

/**
 * Creates the default roots under STORAGE_ROOT (development and tests). Roots configured in
 * STORAGE_LOCATIONS are never created: a missing one is an unmounted volume, reported as such.
 */
export async function ensureDefaultRoots(config: Pick<AppConfig, 'storage'>): Promise<void> {
  for (const location of STORAGE_LOCATIONS) {
    if (!config.storage.locations[location.id]) await fs.mkdir(path.join(config.storage.root, location.id), { recursive: true });
  }
}
