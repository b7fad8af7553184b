import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { STORAGE_LOCATIONS } from '#domain';
import { type AppConfig, type StorageLocationConfig } from '#infra/config/config';
import { FilesystemAdapter } from './filesystem-adapter';
import { SftpAdapter } from './sftp-adapter';
import { StorageError, type StorageLocationAdapter } from './storage-adapter';

export type StorageRegistry = ReadonlyMap<string, StorageLocationAdapter>;

/** A location id a sub-processor change may add (DESIGN §3.8): a slug, so it names a folder safely. */
const NEW_LOCATION_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * The catalog's locations, and any other a sub-processor change added: one not configured (in
 * STORAGE_LOCATIONS) is the default folder under STORAGE_ROOT, created the first time it is asked
 * for outside production (as ensureDefaultRoots does for the catalog's).
 */
class LocationRegistry extends Map<string, StorageLocationAdapter> {
  constructor(
    entries: readonly (readonly [string, StorageLocationAdapter])[],
    private readonly defaultRoot: string,
    private readonly createRoots: boolean,
  ) {
    super(entries);
  }

  override get(id: string): StorageLocationAdapter | undefined {
    const known = super.get(id);
    if (known || !NEW_LOCATION_ID.test(id)) return known;
    const root = path.join(this.defaultRoot, id);
    // In production a missing root is an unmounted volume (storage.unavailable), never an empty folder made here.
    if (this.createRoots) {
      try {
        fsSync.mkdirSync(root, { recursive: true });
      } catch {
        // The adapter reports the root as unavailable.
      }
    }
    const adapter = new FilesystemAdapter(root);
    this.set(id, adapter);
    return adapter;
  }
}

/**
 * One adapter per location, chosen by configuration (STORAGE_LOCATIONS): a folder, or a remote
 * site over SFTP; a location not configured is a folder under STORAGE_ROOT named after its id.
 */
export function storageRegistry(config: Pick<AppConfig, 'storage' | 'production'>): StorageRegistry {
  const ids = [...new Set([...STORAGE_LOCATIONS.map((l) => l.id), ...Object.keys(config.storage.locations)])];
  return new LocationRegistry(
    ids.map((id) => [id, adapterOf(config.storage.locations[id], path.join(config.storage.root, id))] as const),
    config.storage.root,
    !config.production,
  );
}

function adapterOf(configured: StorageLocationConfig | undefined, defaultRoot: string): StorageLocationAdapter {
  if (configured?.adapter === 'sftp') return new SftpAdapter(configured);
  return new FilesystemAdapter(configured?.root ?? defaultRoot, { batchSize: configured?.batchSize, throttleMs: configured?.throttleMs });
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
