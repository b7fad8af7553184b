import { type DataSource } from 'typeorm';
import { EVENT_SCHEMA_VERSIONS, occurredAt, type ContractEvent } from '../../../domain/src';
import { CONTRACT_STREAM, ContractProjection } from './contract-projection';
import { EventStore, type GroupCommitOptions, type NewEvent, type StreamSchema } from './event-store';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const contractStreamSchema: StreamSchema = { streamType: CONTRACT_STREAM, eventVersions: EVENT_SCHEMA_VERSIONS, streamIdPattern: UUID };

/** Who or what caused an event: kept in its metadata for the audit trail (ids and roles only). */
export interface EventMetadata {
  readonly actor?: string;
  readonly workflowId?: string;
  readonly correlationId?: string;
  readonly [key: string]: unknown;
}

export function toNewEvents(events: readonly ContractEvent[], metadata: EventMetadata = {}): NewEvent[] {
  return events.map((event) => ({
    type: event.type,
    schemaVersion: EVENT_SCHEMA_VERSIONS[event.type],
    data: event.data as Record<string, unknown>,
    occurredAt: occurredAt(event),
    metadata: { ...metadata },
  }));
}

/** The store as the engine uses it: contract streams, with the contract read models inline. */
export function createContractEventStore(dataSource: DataSource, options: { groupCommit?: Partial<GroupCommitOptions> } = {}): EventStore {
  return new EventStore(dataSource, { schemas: [contractStreamSchema], projections: [new ContractProjection()], ...options });
}
