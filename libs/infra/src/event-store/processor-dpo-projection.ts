import { dpoContactOf, PROCESSOR_DPO_ID, type DpoContact, type ProcessorDpoState } from '#domain';

/** The processor's DPO now (P12): the stream's value, or the configured first one (version 1). */
export async function readCurrentDpo(dataSource: { query(sql: string, params?: unknown[]): Promise<unknown> }, configured: DpoContact): Promise<DpoContact & { dpoVersion: number }> {
  const [row] = (await dataSource.query(`SELECT state FROM processor_dpo WHERE id = $1`, [PROCESSOR_DPO_ID])) as { state: ProcessorDpoState }[];
  if (row && row.state.status === 'set') return { ...dpoContactOf(row.state.current), dpoVersion: row.state.current.version };
  return { ...dpoContactOf(configured), dpoVersion: 1 };
}
