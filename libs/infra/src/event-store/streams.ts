import { type DataSource } from 'typeorm';
import { FILE_TYPES, type FileType, type StreamType } from '#domain';
import { contractProjections, ContractStateSource } from './contract-projection';
import { EventStore, type GroupCommitOptions, type InlineProjection, type NewEvent, type StreamSchema, type StreamState } from './event-store';
import { fileReadModel } from './whole-state-projection';
import { FACT_PROJECTIONS } from '../webhooks/facts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry of stream types of every command, event and state
type AnyStream = StreamType<any, any, any>;

/** The read models that are more than a file's row, by file type (FileType.readModel `custom`). */
const CUSTOM_READ_MODELS: Readonly<Record<string, () => { readonly source: StreamState; readonly projections: readonly InlineProjection[] }>> = {
  contract: () => ({ source: new ContractStateSource(), projections: contractProjections() as InlineProjection[] }),
};

/** A file type's read model: its own when it declares one, else its row (and its clocks) derived from the declaration. */
export function readModelOf(type: FileType): { readonly source: StreamState; readonly projections: readonly InlineProjection[] } {
  if (!('custom' in type.readModel)) return fileReadModel(type) as { source: StreamState; projections: InlineProjection[] };
  const custom = CUSTOM_READ_MODELS[type.name];
  if (!custom) throw new Error(`the ${type.name} file type declares a read model of its own, and none is registered`);
  return custom();
}

const READ_MODELS = FILE_TYPES.map(readModelOf);

/** How the store knows each stream type's state at its head (the read models are written from it). */
export const STREAM_STATES: readonly StreamState[] = READ_MODELS.map((m) => m.source);

/**
 * Written in the append's own statement (DESIGN §5), each declaring the events it handles: the read
 * models, and the facts told to webhook subscribers (DESIGN §9), which no rebuild writes again.
 */
export const PROJECTIONS: readonly InlineProjection[] = [...READ_MODELS.flatMap((m) => m.projections), ...FACT_PROJECTIONS];

export function streamTypeOf(name: string): AnyStream | null {
  return FILE_TYPES.find((t) => t.name === name)?.stream ?? null;
}

const schemas: StreamSchema[] = FILE_TYPES.map(({ stream, idPattern }) => ({ streamType: stream.name, eventVersions: stream.eventVersions, streamIdPattern: idPattern }));

/** Who or what caused an event: kept in its metadata for the audit trail (ids and roles only). */
export interface EventMetadata {
  readonly actor?: string;
  readonly workflowId?: string;
  readonly correlationId?: string;
  readonly [key: string]: unknown;
}

/** Domain events as the store writes them: current schema version, the instant each records. */
export function toNewEvents(stream: Pick<AnyStream, 'eventVersions' | 'occurredAt'>, events: readonly { readonly type: string }[], metadata: EventMetadata = {}): NewEvent[] {
  return events.map((event) => ({
    type: event.type,
    schemaVersion: (stream.eventVersions as Record<string, number>)[event.type]!,
    data: (event as { data?: Record<string, unknown> }).data ?? {},
    occurredAt: stream.occurredAt(event),
    metadata: { ...metadata },
  }));
}

/** The store as the engine uses it: every stream type, with its read models inline. */
export function createEventStore(
  dataSource: DataSource,
  options: { groupCommit?: Partial<GroupCommitOptions>; headCacheSize?: number; preparedStatements?: boolean; projections?: readonly InlineProjection[] } = {},
): EventStore {
  return new EventStore(dataSource, { schemas, states: STREAM_STATES, projections: PROJECTIONS, ...options });
}
