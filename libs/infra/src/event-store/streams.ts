import { type DataSource } from 'typeorm';
import { subProcessorChangeStream, subProcessorNoticeStream, assistanceRequestStream, auditStream, processorDpoStream, staffStream, breachNoticeStream, CANONICAL_UUID, contractStream, incidentStream, instructionStream, subjectRequestStream, transferNoticeStream, type StreamType } from '../../../domain/src';
import { contractProjections, ContractStateSource } from './contract-projection';
import { subjectRequestProjections, subjectRequestStateSource } from './subject-request-projection';
import { breachNoticeProjections, breachNoticeStateSource, incidentProjections, incidentStateSource } from './incident-projection';
import { instructionProjections, instructionStateSource } from './instruction-projection';
import { transferNoticeProjections, transferNoticeStateSource } from './transfer-notice-projection';
import { assistanceRequestReadModel } from './assistance-request-projection';
import { auditReadModel } from './audit-projection';
import { staffProjections, staffStateSource } from './staff-projection';
import { processorDpoProjections, processorDpoStateSource } from './processor-dpo-projection';
import { subProcessorChangeProjections, subProcessorChangeStateSource, subProcessorNoticeReadModel } from './sub-processor-projection';
import { EventStore, type GroupCommitOptions, type InlineProjection, type NewEvent, type StreamSchema, type StreamState } from './event-store';


// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry of stream types of every command, event and state
type AnyStream = StreamType<any, any, any>;

/** Every stream type the engine stores, with its ids' shape: a new file type adds itself here. */
export const STREAM_TYPES: readonly { readonly stream: AnyStream; readonly idPattern: RegExp }[] = [
  { stream: contractStream, idPattern: CANONICAL_UUID },
  { stream: subjectRequestStream, idPattern: CANONICAL_UUID },
  { stream: incidentStream, idPattern: CANONICAL_UUID },
  { stream: breachNoticeStream, idPattern: CANONICAL_UUID },
  { stream: instructionStream, idPattern: CANONICAL_UUID },
  { stream: transferNoticeStream, idPattern: CANONICAL_UUID },
  { stream: assistanceRequestStream, idPattern: CANONICAL_UUID },
  { stream: auditStream, idPattern: CANONICAL_UUID },
  { stream: staffStream, idPattern: CANONICAL_UUID },
  { stream: processorDpoStream, idPattern: CANONICAL_UUID },
  { stream: subProcessorChangeStream, idPattern: CANONICAL_UUID },
  { stream: subProcessorNoticeStream, idPattern: CANONICAL_UUID },
];

/** How the store knows each stream type's state at its head (the read models are written from it). */
export const STREAM_STATES: readonly StreamState[] = [new ContractStateSource(), subjectRequestStateSource(), incidentStateSource(), breachNoticeStateSource(), instructionStateSource(), transferNoticeStateSource(), assistanceRequestReadModel.source, auditReadModel.source, staffStateSource(), processorDpoStateSource(), subProcessorChangeStateSource(), subProcessorNoticeReadModel.source];

/**
 * The read models written in the append's own statement (DESIGN §5: projections are a list),
 * each declaring the events it handles. A file type with clocks adds its `DeadlinesView` here.
 */
export const PROJECTIONS: readonly InlineProjection[] = [...contractProjections(), ...subjectRequestProjections(), ...incidentProjections(), ...breachNoticeProjections(), ...instructionProjections(), ...transferNoticeProjections(), ...assistanceRequestReadModel.projections, ...auditReadModel.projections, ...staffProjections(), ...processorDpoProjections(), ...subProcessorChangeProjections(), ...subProcessorNoticeReadModel.projections] as InlineProjection[];

export function streamTypeOf(name: string): AnyStream | null {
  return STREAM_TYPES.find((t) => t.stream.name === name)?.stream ?? null;
}

const schemas: StreamSchema[] = STREAM_TYPES.map(({ stream, idPattern }) => ({ streamType: stream.name, eventVersions: stream.eventVersions, streamIdPattern: idPattern }));

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
