import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../libs/infra/src/database/data-source';
import { migrations } from '../../libs/infra/src/database/migrations';
import { createTestDatabase, type TestDatabase } from '../support/database';

async function schemaOf(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ line: string }>(`
      SELECT table_name || '.' || column_name || ':' || data_type AS line
      FROM information_schema.columns WHERE table_schema = 'public'
      UNION ALL SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = 'public'
      UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal
      ORDER BY 1`);
    return rows.map((r) => r.line);
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => Promise.all(databases.map((d) => d.drop())));

  it('apply to an empty database, and a second run changes nothing', async () => {
    const db = await createTestDatabase({ migrate: false });
    databases.push(db);
    expect(await schemaOf(db.url)).toEqual([]);

    const applied = await migrate(db.url);
    expect(applied).toEqual(migrations.map((m) => m.name));
    const schema = await schemaOf(db.url);
    expect(schema).toEqual(expect.arrayContaining(['events.position:bigint', 'streams.version:integer', 'contracts.state:jsonb']));

    expect(await migrate(db.url)).toEqual([]);
    expect(await schemaOf(db.url)).toEqual(schema);
  });

  it('two processes migrating at once apply each migration exactly once', async () => {
    const db = await createTestDatabase({ migrate: false });
    databases.push(db);
    const [a, b] = await Promise.all([migrate(db.url), migrate(db.url)]);
    expect([...a, ...b].sort()).toEqual(migrations.map((m) => m.name).sort());
  });
});
