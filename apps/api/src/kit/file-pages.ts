import { type DataSource } from 'typeorm';
import { CANONICAL_UUID, isCalendarInstant } from '#domain';
import { DEFAULT_PAGE, readCursor, toPage } from '../common/pagination';


/**
 * One page of a file type's rows that match `where` (over `params`, from $1), oldest receipt
 * first, cursor-paginated: the list every file type answers.
 */
export async function filesPage<S, V>(
  dataSource: DataSource,
  /** A file type's read-model table (FileType.readModel): id, status, received_at, version, state. */
  table: string,
  filter: { readonly where: string; readonly params: readonly unknown[] },
  query: { limit?: number; cursor?: string },
  view: (state: S) => V,
): Promise<{ items: V[]; nextCursor: string | null }> {
  const limit = query.limit ?? DEFAULT_PAGE;
  const after = query.cursor
    ? readCursor(query.cursor, ([receivedAt, id, ...rest]) => (rest.length === 0 && isCalendarInstant(receivedAt) && typeof id === 'string' && CANONICAL_UUID.test(id) ? { receivedAt, id } : null))
    : null;
  const n = filter.params.length;
  const rows = (await dataSource.query(
    `SELECT id, received_at, state FROM ${table}
     WHERE ${filter.where} AND ($${n + 1}::timestamptz IS NULL OR (received_at, id) > ($${n + 1}, $${n + 2}::uuid))
     ORDER BY received_at, id LIMIT $${n + 3}`,
    [...filter.params, after?.receivedAt ?? null, after?.id ?? null, limit + 1],
  )) as { id: string; received_at: Date; state: S }[];
  return toPage(rows, limit, (r) => view(r.state), (last) => [last.received_at.toISOString(), last.id]);
}

/** One page of a contract's files of one type (`GET /contracts/{id}/<files>`). */
export const contractFilesPage = <S, V>(dataSource: DataSource, table: string, contractId: string, query: { limit?: number; cursor?: string }, view: (state: S) => V) =>
  filesPage(dataSource, table, { where: 'contract_id = $1', params: [contractId] }, query, view);
