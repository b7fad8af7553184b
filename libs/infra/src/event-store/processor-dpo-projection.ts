import { dpoContactOf, PROCESSOR_DPO_ID, processorDpoStream, type DpoContact, type ProcessorDpoState } from '../../../domain/src';
import { type InlineProjection } from './event-store';
import { WholeStateSource, WholeStateView, type Folding } from './whole-state-projection';

type Set = Extract<ProcessorDpoState, { status: 'set' }>;
const folding = processorDpoStream as unknown as Folding<ProcessorDpoState>;

export const processorDpoStateSource = () => new WholeStateSource<ProcessorDpoState>(processorDpoStream.name, `SELECT r.state, r.version FROM processor_dpo r WHERE r.id = $1::uuid`, folding);

/** `processor_dpo`: the processor's DPO, one row with the stream's whole state. */
export const processorDpoProjections = (): InlineProjection<ProcessorDpoState>[] => [
  new WholeStateView<ProcessorDpoState>('processor DPO', processorDpoStream.name, 'processor_dpo', [{ name: 'received_at', type: 'timestamptz', of: (s) => (s as Set).current.recordedAt, updatable: true }], (s) => s.status !== 'none'),
];

/** The processor's DPO now (P12): the stream's value, or the configured first one (version 1). */
export async function readCurrentDpo(dataSource: { query(sql: string, params?: unknown[]): Promise<unknown> }, configured: DpoContact): Promise<DpoContact & { dpoVersion: number }> {
  const [row] = (await dataSource.query(`SELECT state FROM processor_dpo WHERE id = $1`, [PROCESSOR_DPO_ID])) as { state: ProcessorDpoState }[];
  if (row && row.state.status === 'set') return { ...dpoContactOf(row.state.current), dpoVersion: row.state.current.version };
  return { ...dpoContactOf(configured), dpoVersion: 1 };
}
