import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '#infra/database/data-source';
import { preparedQuery, statementName } from '#infra/database/prepared';
import { createTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  // One connection: every call below runs on the connection the statement was prepared on, if it is still there.
  dataSource = createDataSource({ url: db.url, poolSize: 1 });
  await dataSource.initialize();
  await dataSource.query(`CREATE TABLE prepared_probe (id int PRIMARY KEY, label varchar(20) NOT NULL)`);
  await dataSource.query(`INSERT INTO prepared_probe VALUES (1, 'one'), (2, 'two')`);
});
afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

const SELECT = `SELECT id, label FROM prepared_probe WHERE id = $1`;
const preparedOnServer = async () =>
  ((await dataSource.query(`SELECT name FROM pg_prepared_statements WHERE name = $1`, [statementName(SELECT)])) as unknown[]).length;

describe('named prepared statements (libs/infra/src/database/prepared.ts)', () => {
  it('run under one name per text, prepared once on the connection, with the rows dataSource.query gives', async () => {
    expect(await preparedQuery(dataSource, SELECT, [1])).toEqual(await dataSource.query(SELECT, [1]));
    expect(await preparedQuery(dataSource, SELECT, [2])).toEqual([{ id: 2, label: 'two' }]);
    expect(statementName(SELECT)).toMatch(/^ps_[0-9a-f]{16}$/);
    expect(statementName(SELECT)).not.toBe(statementName(`${SELECT} `));
    expect(await preparedOnServer()).toBe(1);
  });

  it('a migration that changes the columns a statement returns does not strand it: the connection that prepared it is replaced, and the call answers', async () => {
    expect(await preparedQuery(dataSource, SELECT, [1])).toEqual([{ id: 1, label: 'one' }]);
    await dataSource.query(`ALTER TABLE prepared_probe ALTER COLUMN label TYPE text`);
    // PostgreSQL refuses the statement prepared before on that connection ("cached plan must not change result type").
    expect(await preparedQuery(dataSource, SELECT, [2])).toEqual([{ id: 2, label: 'two' }]);
    expect(await preparedQuery(dataSource, SELECT, [1])).toEqual([{ id: 1, label: 'one' }]);
  });

  it('any other refusal is thrown as PostgreSQL gave it, with its SQLSTATE', async () => {
    await expect(preparedQuery(dataSource, `INSERT INTO prepared_probe VALUES ($1, $2)`, [1, 'again'])).rejects.toMatchObject({ code: '23505' });
    await expect(preparedQuery(dataSource, `SELECT id FROM prepared_probe_gone WHERE id = $1`, [1])).rejects.toMatchObject({ code: '42P01' });
    expect(await preparedQuery(dataSource, SELECT, [2])).toEqual([{ id: 2, label: 'two' }]);
  });
});
