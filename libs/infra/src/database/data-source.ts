import { DataSource } from 'typeorm';
import { migrations } from './migrations';

const MIGRATION_LOCK = 7_724_000_001;

export interface DatabaseOptions {
  readonly url: string;
  readonly poolSize?: number;
  readonly applicationName?: string;
}

/** TypeORM over node-postgres. Schema changes go through migrations only: never `synchronize`. */
export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? 'dpa-engine',
    extra: { connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 },
  });
}

/** Applies pending migrations; returns the names applied (none when the schema is current). */
export async function migrate(url: string): Promise<string[]> {
  const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'dpa-migrate' });
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    // Two processes migrating at once would race; the advisory lock makes the second wait, then see nothing to do.
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    await lock.release();
    await dataSource.destroy();
  }
}
