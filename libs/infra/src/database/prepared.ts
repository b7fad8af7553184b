import { createHash } from 'node:crypto';
import { type Pool } from 'pg';
import { type DataSource } from 'typeorm';

/**
 * node-postgres' pool under TypeORM, for named prepared statements: TypeORM's `query` sends each
 * statement unnamed, so PostgreSQL parses and plans it at every call, which costs more than running
 * a short indexed statement.
 */
export function pgPool(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

const statementNames = new Map<string, string>();

/** A stable name per statement text (prepared statements are per connection and per name). */
export function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `ps_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * `text` run as a named prepared statement: parsed once per connection, and planned once
 * PostgreSQL finds its generic plan no worse than the first few it made for the values given. For
 * the few statements on a hot path (each hand-over, each sealed credential), with a fixed text.
 * Its rows as `dataSource.query` gives them (the same driver parses them). A table renamed or
 * dropped under it is looked up by name again at the next call, as for an unnamed statement; but a
 * statement prepared before a migration changed the columns it returns keeps their old types, and
 * PostgreSQL refuses it on that connection for good ("cached plan must not change result type"):
 * that connection is then closed and the call made once more on another, where it is prepared anew.
 */
export async function preparedQuery<R>(dataSource: DataSource, text: string, values: readonly unknown[]): Promise<R[]> {
  const pool = pgPool(dataSource);
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      const { rows } = await client.query<R & Record<string, unknown>>({ name: statementName(text), text, values: [...values] });
      client.release();
      return rows;
    } catch (e) {
      // As the pool's own `query` does: a connection that failed a statement is not given out again.
      client.release(e as Error);
      if (attempt > 1 || !isStalePlan(e)) throw e;
    }
  }
}

/** PostgreSQL's refusal of a prepared statement whose result columns changed under it (SQLSTATE 0A000). */
function isStalePlan(e: unknown): boolean {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type');
}
