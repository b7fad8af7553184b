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
 * dropped under it is found again by name at the next call, as an unnamed statement's would be.
 */
export async function preparedQuery<R>(dataSource: DataSource, text: string, values: readonly unknown[]): Promise<R[]> {
  const { rows } = await pgPool(dataSource).query<R & Record<string, unknown>>({ name: statementName(text), text, values: [...values] });
  return rows;
}
