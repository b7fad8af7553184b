import { STORAGE_LOCATIONS } from '#domain';
import { loadConfigOrExit } from '#infra/config/config';
import { devEnvironment } from '#infra/dev/data-dir';
import { storageRegistry } from '../apps/worker/src/storage/registry';
import { seedSampleData } from '../apps/worker/src/storage/seed';

/**
 * `npm run dev:seed -- <contract id> [files per location]`: sample files for a contract at every
 * storage location (STORAGE_ROOT / STORAGE_LOCATIONS, by default under DPA_DATA_DIR as `npm run up`
 * has them), so that its destruction deletes real files.
 */
async function main(): Promise<void> {
  const [contractId, count] = process.argv.slice(2);
  if (!contractId) throw new Error('usage: npm run dev:seed -- <contract id> [files per location]');
  // Where `npm run up` puts its storage (DPA_DATA_DIR), unless STORAGE_ROOT says otherwise.
  const config = loadConfigOrExit('dev:seed', devEnvironment());
  if (config.production) throw new Error('refusing to write sample personal data in production');
  const registry = storageRegistry(config);
  await seedSampleData(registry, contractId, STORAGE_LOCATIONS.map((l) => l.id), count ? Number(count) : 6);
  for (const l of STORAGE_LOCATIONS) console.log(`seeded ${l.id}`);
}

main().catch((e: unknown) => {
  console.error(`dev:seed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
