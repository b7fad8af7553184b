import { loadConfig } from '../config/config';
import { migrate } from './data-source';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL. */
async function main(): Promise<void> {
  const config = loadConfig();
  const applied = await migrate(config.database.url);
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
