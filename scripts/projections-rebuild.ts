import { loadConfigOrExit } from '#infra/config/config';
import { createDataSource } from '#infra/database/data-source';
import { rebuildProjections } from '#infra/event-store/rebuild';

/** `npm run projections:rebuild`: every read model rebuilt from the events into fresh tables, swapped in atomically. */
async function main(): Promise<void> {
  const config = loadConfigOrExit('projections:rebuild');
  const dataSource = createDataSource({ url: config.database.url, poolSize: 2, applicationName: 'dpa-rebuild' });
  await dataSource.initialize();
  try {
    const started = Date.now();
    const report = await rebuildProjections(dataSource, (line) => console.log(line));
    const files = Object.entries(report.files).map(([type, n]) => `${n} ${type}`).join(', ');
    console.log(`rebuilt ${files} from ${report.events} events in ${Date.now() - started} ms`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(`projections:rebuild failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
