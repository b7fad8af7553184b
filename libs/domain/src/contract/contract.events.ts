import type { Instant, IsoDuration } from '../calendar';
import type { CatalogSelection, StorageLocation } from '../catalog';
import type { ControllerInput, CoveredPeriod, DestructionEvidence, DpoCommunication, ExportedLocation } from './contract.commands';

export type EventOf<Type extends string, Data> = Readonly<{ type: Type; data: Readonly<Data> }>;

export type EndKind = 'expired' | 'terminated' | 'cancelled';

export interface Term {
  readonly start: Instant;
  readonly end: Instant;
}

export interface CertifiedLocation {
  readonly id: string;
  readonly name: string;
  readonly destroyedAt: Instant;
  readonly evidence: DestructionEvidence;
}

export interface DestructionCertificate {
  readonly certificateId: string;
  readonly contractId: string;
  readonly reference: string | null;
  readonly endedAt: Instant;
  readonly endKind: EndKind;
  readonly endReason: string;
  readonly deadline: Instant;
  readonly completedAt: Instant;
  readonly locations: readonly CertifiedLocation[];
  readonly withinDeadline: boolean;
}

export type ContractOrdered = EventOf<
  'ContractOrdered',
  {
    contractId: string;
    reference: string | null;
    controller: ControllerInput;
    billingPeriod: IsoDuration;
    catalog: CatalogSelection;
    returnWindow: IsoDuration | null;
    renewalGracePeriod: IsoDuration | null;
    orderedAt: Instant;
  }
>;

/** `firstTerm` is set on the hand-over that starts processing (L2), `null` on later ones. */
export type CredentialsHandedOver = EventOf<
  'CredentialsHandedOver',
  { credentialId: string; kind: string; host: string; handedOverAt: Instant; firstTerm: Term | null }
>;

export type RenewalAccepted = EventOf<
  'RenewalAccepted',
  { invoiceId: string; coveredPeriod: CoveredPeriod; acceptedAt: Instant; previousTermEnd: Instant }
>;

export type RenewalRejected = EventOf<'RenewalRejected', { invoiceId: string; rejectedAt: Instant; reason: string | null }>;

export type RenewalWithdrawn = EventOf<
  'RenewalWithdrawn',
  { invoiceId: string; withdrawnAt: Instant; reason: string | null }
>;

export type NonRenewalNoticed = EventOf<
  'NonRenewalNoticed',
  { noticedAt: Instant; reason: string | null; termEnd: Instant }
>;

/**
 * What a timer caused: `dueAt` is when it was due, `actedAt` when the engine acted (the
 * workflow's own time at that step). A worker that was down across `dueAt` leaves the gap here.
 */
export interface TimerFact {
  readonly dueAt: Instant;
  readonly actedAt: Instant;
}

/** The contract expired at `dueAt` = term end + grace period (L5). */
export type ContractExpired = EventOf<'ContractExpired', TimerFact & { termEnd: Instant }>;

export type ContractTerminated = EventOf<'ContractTerminated', { terminatedAt: Instant; reason: string }>;

export type ContractCancelled = EventOf<'ContractCancelled', { cancelledAt: Instant; reason: string }>;

export type CredentialsRevoked = EventOf<
  'CredentialsRevoked',
  { revokedAt: Instant; credentialIds: readonly string[]; method: 'crypto-shredding' }
>;

export type DestructionScheduled = EventOf<
  'DestructionScheduled',
  {
    scheduledAt: Instant;
    endedAt: Instant;
    deadline: Instant;
    returnWindowEndsAt: Instant;
    escalationMargin: IsoDuration | null;
    escalationAt: Instant;
    locations: readonly { readonly id: string; readonly name: string }[];
  }
>;

export type DataExportRequested = EventOf<'DataExportRequested', { requestId: string; requestedAt: Instant }>;

export type DataExportServed = EventOf<
  'DataExportServed',
  { requestId: string; servedAt: Instant; locations: readonly ExportedLocation[] }
>;

export type DestructionStarted = EventOf<'DestructionStarted', TimerFact>;

export type LocationDestructionFailed = EventOf<
  'LocationDestructionFailed',
  { locationId: string; failedAt: Instant; attempt: number; reason: string }
>;

export type LocationDestroyed = EventOf<
  'LocationDestroyed',
  { locationId: string; destroyedAt: Instant; evidence: DestructionEvidence }
>;

export type DestructionEscalated = EventOf<
  'DestructionEscalated',
  TimerFact & { deadline: Instant; pendingLocations: readonly string[] }
>;

export type DestructionDeadlineMissed = EventOf<
  'DestructionDeadlineMissed',
  TimerFact & { deadline: Instant; pendingLocations: readonly string[] }
>;

export type DpoCommunicated = EventOf<'DpoCommunicated', DpoCommunication>;

/** DESIGN §3.8: a sub-processor change took effect on the contract; `storageLocations` is its set from now on. */
export type StorageLocationsChanged = EventOf<
  'StorageLocationsChanged',
  TimerFact & { changeId: string; added: StorageLocation | null; removed: string | null; storageLocations: readonly string[] }
>;

export type DestructionCompleted = EventOf<
  'DestructionCompleted',
  { completedAt: Instant; certificate: DestructionCertificate }
>;

export type ContractEvent =
  | ContractOrdered
  | CredentialsHandedOver
  | RenewalAccepted
  | RenewalRejected
  | RenewalWithdrawn
  | NonRenewalNoticed
  | ContractExpired
  | ContractTerminated
  | ContractCancelled
  | CredentialsRevoked
  | DestructionScheduled
  | DataExportRequested
  | DataExportServed
  | DestructionStarted
  | LocationDestructionFailed
  | LocationDestroyed
  | DestructionEscalated
  | DestructionDeadlineMissed
  | DestructionCompleted
  | DpoCommunicated
  | StorageLocationsChanged;

export type ContractEventType = ContractEvent['type'];

/** Bump when an event's data changes shape, and teach `upcast` the old one. */
export const EVENT_SCHEMA_VERSIONS: Readonly<Record<ContractEventType, number>> = {
  ContractOrdered: 3,
  CredentialsHandedOver: 1,
  RenewalAccepted: 1,
  RenewalRejected: 1,
  RenewalWithdrawn: 1,
  NonRenewalNoticed: 1,
  ContractExpired: 2,
  ContractTerminated: 1,
  ContractCancelled: 1,
  CredentialsRevoked: 1,
  DestructionScheduled: 1,
  DataExportRequested: 1,
  DataExportServed: 1,
  DestructionStarted: 2,
  LocationDestructionFailed: 1,
  LocationDestroyed: 1,
  DestructionEscalated: 2,
  DestructionDeadlineMissed: 2,
  DestructionCompleted: 1,
  DpoCommunicated: 1,
  StorageLocationsChanged: 1,
};

export const CONTRACT_EVENT_TYPES = Object.keys(EVENT_SCHEMA_VERSIONS) as readonly ContractEventType[];

export function isContractEventType(type: string): type is ContractEventType {
  return Object.prototype.hasOwnProperty.call(EVENT_SCHEMA_VERSIONS, type);
}

/** The instant an event records, for the event store's `occurredAt`. */
export function occurredAt(event: ContractEvent): Instant {
  switch (event.type) {
    case 'ContractOrdered': return event.data.orderedAt;
    case 'CredentialsHandedOver': return event.data.handedOverAt;
    case 'RenewalAccepted': return event.data.acceptedAt;
    case 'RenewalRejected': return event.data.rejectedAt;
    case 'RenewalWithdrawn': return event.data.withdrawnAt;
    case 'NonRenewalNoticed': return event.data.noticedAt;
    case 'ContractExpired': return event.data.actedAt;
    case 'ContractTerminated': return event.data.terminatedAt;
    case 'ContractCancelled': return event.data.cancelledAt;
    case 'CredentialsRevoked': return event.data.revokedAt;
    case 'DestructionScheduled': return event.data.scheduledAt;
    case 'DataExportRequested': return event.data.requestedAt;
    case 'DataExportServed': return event.data.servedAt;
    case 'DestructionStarted': return event.data.actedAt;
    case 'LocationDestructionFailed': return event.data.failedAt;
    case 'LocationDestroyed': return event.data.destroyedAt;
    case 'DestructionEscalated': return event.data.actedAt;
    case 'DestructionDeadlineMissed': return event.data.actedAt;
    case 'DestructionCompleted': return event.data.completedAt;
    case 'DpoCommunicated': return event.data.communicatedAt;
    case 'StorageLocationsChanged': return event.data.actedAt;
  }
}
