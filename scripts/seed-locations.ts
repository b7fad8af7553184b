import { STORAGE_LOCATIONS } from '../libs/domain/src';
import { loadConfigOrExit } from '../libs/infra/src/config/config';
import { storageRegistry } from '../apps/worker/src/storage/registry';
import { seedSampleData } from '../apps/worker/src/storage/seed';

/**
 * `npm run dev:seed -- <contract id> [files per location]`: sample files for a contract at every
 * storage location (STORAGE_ROOT / STORAGE_LOCATIONS), so that its destruction deletes real files.
 */
async function main(): Promise<void> {
  const [contractId, count] = process.argv.slice(2);
  if (!contractId) throw new Error('usage: npm run dev:seed -- <contract id> [files per location]');
  const config = loadConfigOrExit('dev:seed');
  if (config.production) throw new Error('refusing to write sample personal data in production');
  const registry = storageRegistry(config);
  await seedSampleData(registry, contractId, STORAGE_LOCATIONS.map((l) => l.id), count ? Number(count) : 6);
  for (const l of STORAGE_LOCATIONS) console.log(`seeded ${l.id}`);
}

main().catch((e: unknown) => {
  console.error(`dev:seed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
