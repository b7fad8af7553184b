import { fullCatalogSelection } from '../catalog';
import { validationError } from '../errors';
import { EVENT_SCHEMA_VERSIONS, isContractEventType, type ContractEvent, type ContractEventType } from './contract.events';

/** An event as stored: its type, the schema version it was written with, its data. */
export interface StoredEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}

type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/**
 * `UPCASTERS[type][v - 1]` turns data written with schema version v into version v + 1, so a
 * type at version n has n − 1 upcasters (a spec keeps this in step with EVENT_SCHEMA_VERSIONS).
 */
export const UPCASTERS: { readonly [T in ContractEventType]?: readonly Upcaster[] } = {
  ContractOrdered: [
    // v1 predates catalog narrowing and the per-contract return window and grace period.
    (data) => ({ ...data, catalog: fullCatalogSelection(), returnWindow: null, renewalGracePeriod: null }),
    // v2 predates the controller's customer id: such a controller is identified by its email.
    (data) => ({ ...data, controller: { customerId: null, ...(data['controller'] as Record<string, unknown>) } }),
  ],
  // v1 timer events named their instants one by one; v2 records when each was due and when the engine acted.
  ContractExpired: [({ expiredAt, detectedAt, ...rest }) => ({ ...rest, dueAt: expiredAt, actedAt: detectedAt })],
  DestructionStarted: [({ startedAt, ...rest }) => ({ ...rest, dueAt: startedAt, actedAt: startedAt })],
  DestructionEscalated: [({ escalatedAt, ...rest }) => ({ ...rest, dueAt: escalatedAt, actedAt: escalatedAt })],
  DestructionDeadlineMissed: [({ missedAt, ...rest }) => ({ ...rest, dueAt: missedAt, actedAt: missedAt })],
};

/** Brings a stored event up to the current schema so that `evolve` only knows the latest shapes. */
export function upcast(stored: StoredEvent): ContractEvent {
  const { type, schemaVersion } = stored;
  if (!isContractEventType(type)) {
    throw validationError('event.unknown_type', `unknown contract event type ${type}`, { type });
  }
  const current = EVENT_SCHEMA_VERSIONS[type];
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > current) {
    throw validationError('event.unsupported_version', `${type} schema version ${schemaVersion} is not supported (current ${current})`, {
      type,
      schemaVersion,
      current,
    });
  }
  const steps = UPCASTERS[type]?.slice(schemaVersion - 1) ?? [];
  const data = steps.reduce((d, step) => step(d), stored.data as Record<string, unknown>);
  return { type, data } as ContractEvent;
}
