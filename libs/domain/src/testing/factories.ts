import { addDuration, destructionDeadline, parseInstant, subtractDuration, type Instant, type IsoDuration } from '../calendar';
import { STORAGE_LOCATIONS, fullCatalogSelection } from '../catalog';
import { isDomainError } from '../errors';
import type {
  AcceptRenewal,
  CancelContract,
  CompleteDestruction,
  DestructionEvidence,
  EscalateDestruction,
  ExpireContract,
  ExportedLocation,
  HandOverCredentials,
  MarkDeadlineMissed,
  NoticeNonRenewal,
  OrderContract,
  RecordLocationDestroyed,
  RecordLocationDestructionFailed,
  RejectRenewal,
  RequestDataExport,
  RevokeCredentials,
  ScheduleDestruction,
  ServeDataExport,
  StartDestruction,
  TerminateContract,
  WithdrawRenewal,
} from '../contract/contract.commands';
import type {
  ContractCancelled,
  ContractEvent,
  ContractExpired,
  ContractOrdered,
  ContractTerminated,
  CredentialsHandedOver,
  CredentialsRevoked,
  DataExportRequested,
  DataExportServed,
  DestructionDeadlineMissed,
  DestructionEscalated,
  DestructionScheduled,
  DestructionStarted,
  LocationDestroyed,
  LocationDestructionFailed,
  NonRenewalNoticed,
  RenewalAccepted,
  RenewalRejected,
  RenewalWithdrawn,
} from '../contract/contract.events';

// Small factories so specs read like the rules: given(ordered, handedOver(t)).when(...).then(...).

const at = (s: string): Instant => parseInstant(s);

export const CONTRACT_ID = '7b0e3f1c-3c1e-4c55-9d1a-0c0ffee00001';
export const ORDERED_AT = '2027-01-15T09:00:00.000Z';
export const CONTROLLER = {
  customerId: null,
  name: 'Acme SAS',
  email: 'contact@acme.example',
  address: '1 rue de la Paix, 75002 Paris',
  dpoEmail: 'dpo@acme.example',
} as const;
export const ALL_LOCATION_IDS = STORAGE_LOCATIONS.map((l) => l.id);
export const DEFAULT_MARGIN: IsoDuration = 'P7D';

// Commands

export const orderContract = (data: Partial<OrderContract['data']> = {}): OrderContract => ({
  type: 'OrderContract',
  data: {
    contractId: CONTRACT_ID,
    reference: 'ACME-2027-001',
    controller: CONTROLLER,
    billingPeriod: 'P1M',
    catalog: null,
    returnWindow: null,
    renewalGracePeriod: null,
    orderedAt: ORDERED_AT,
    ...data,
  },
});

export const handOverCredentials = (handedOverAt: string, credentialId = 'cred-1', kind = 'ssh', host = 'web-1.acme.example'): HandOverCredentials => ({
  type: 'HandOverCredentials',
  data: { credentialId, kind, host, handedOverAt },
});

export const acceptRenewal = (invoiceId: string, start: string, end: string, acceptedAt: string = start, receivedAt: string = acceptedAt): AcceptRenewal => ({
  type: 'AcceptRenewal',
  data: { invoiceId, coveredPeriod: { start, end }, acceptedAt, receivedAt },
});

export const rejectRenewal = (invoiceId: string, rejectedAt: string, reason: string | null = null): RejectRenewal => ({
  type: 'RejectRenewal',
  data: { invoiceId, rejectedAt, reason },
});

export const withdrawRenewal = (invoiceId: string, withdrawnAt: string, reason: string | null = null): WithdrawRenewal => ({
  type: 'WithdrawRenewal',
  data: { invoiceId, withdrawnAt, reason },
});

export const noticeNonRenewal = (noticedAt: string, reason: string | null = null): NoticeNonRenewal => ({
  type: 'NoticeNonRenewal',
  data: { noticedAt, reason },
});

export const expireContract = (actedAt: string): ExpireContract => ({ type: 'ExpireContract', data: { actedAt } });

export const terminateContract = (terminatedAt: string, reason = 'client moved to another host'): TerminateContract => ({
  type: 'TerminateContract',
  data: { terminatedAt, reason },
});

export const cancelContract = (cancelledAt: string, reason = 'order withdrawn by the client'): CancelContract => ({
  type: 'CancelContract',
  data: { cancelledAt, reason },
});

export const revokeCredentials = (revokedAt: string): RevokeCredentials => ({ type: 'RevokeCredentials', data: { revokedAt } });

export const scheduleDestruction = (scheduledAt: string, escalationMargin: IsoDuration | null = DEFAULT_MARGIN): ScheduleDestruction => ({
  type: 'ScheduleDestruction',
  data: { scheduledAt, escalationMargin },
});

export const requestDataExport = (requestId: string, requestedAt: string): RequestDataExport => ({
  type: 'RequestDataExport',
  data: { requestId, requestedAt },
});

export const exported = (locationId: string): ExportedLocation => ({ locationId, objectCount: 3, bytes: 4096, manifestHash: `sha256:${locationId}` });

export const serveDataExport = (requestId: string, servedAt: string, locations: readonly ExportedLocation[] = [exported('web-platform')]): ServeDataExport => ({
  type: 'ServeDataExport',
  data: { requestId, servedAt, locations },
});

export const startDestruction = (actedAt: string): StartDestruction => ({ type: 'StartDestruction', data: { actedAt } });

export const evidence = (when: string, overrides: Partial<DestructionEvidence> = {}): DestructionEvidence => ({
  objectCount: 12,
  bytes: 65_536,
  manifestHash: 'sha256:5f1c',
  method: 'crypto-erase',
  inventoriedAt: at(when),
  verifiedAt: at(when),
  ...overrides,
});

export const recordLocationDestroyed = (locationId: string, destroyedAt: string, proof: DestructionEvidence = evidence(destroyedAt)): RecordLocationDestroyed => ({
  type: 'RecordLocationDestroyed',
  data: { locationId, destroyedAt, evidence: proof },
});

export const recordLocationDestructionFailed = (locationId: string, failedAt: string, attempt = 1, reason = 'storage.timeout'): RecordLocationDestructionFailed => ({
  type: 'RecordLocationDestructionFailed',
  data: { locationId, failedAt, attempt, reason },
});

export const completeDestruction = (completedAt: string, certificateId = 'cert-1'): CompleteDestruction => ({
  type: 'CompleteDestruction',
  data: { completedAt, certificateId },
});

export const escalateDestruction = (actedAt: string): EscalateDestruction => ({ type: 'EscalateDestruction', data: { actedAt } });

export const markDeadlineMissed = (actedAt: string): MarkDeadlineMissed => ({ type: 'MarkDeadlineMissed', data: { actedAt } });

// Events

export const contractOrdered = (data: Partial<ContractOrdered['data']> = {}): ContractOrdered => ({
  type: 'ContractOrdered',
  data: {
    contractId: CONTRACT_ID,
    reference: 'ACME-2027-001',
    controller: CONTROLLER,
    billingPeriod: 'P1M',
    catalog: fullCatalogSelection(),
    returnWindow: null,
    renewalGracePeriod: null,
    orderedAt: ORDERED_AT,
    ...data,
  },
});

/** The default order: monthly, full catalog, no return window, no grace period. */
export const ordered: ContractOrdered = contractOrdered();

export const handedOver = (
  when: string,
  options: { credentialId?: string; kind?: string; host?: string; billingPeriod?: IsoDuration; first?: boolean } = {},
): CredentialsHandedOver => {
  const { credentialId = 'cred-1', kind = 'ssh', host = 'web-1.acme.example', billingPeriod = 'P1M', first = true } = options;
  const handedOverAt = at(when);
  return {
    type: 'CredentialsHandedOver',
    data: { credentialId, kind, host, handedOverAt, firstTerm: first ? { start: handedOverAt, end: addDuration(handedOverAt, billingPeriod) } : null },
  };
};

export const renewalAccepted = (
  invoiceId: string,
  start: string,
  end: string,
  options: { acceptedAt?: string; previousTermEnd?: string } = {},
): RenewalAccepted => ({
  type: 'RenewalAccepted',
  data: {
    invoiceId,
    coveredPeriod: { start: at(start), end: at(end) },
    acceptedAt: at(options.acceptedAt ?? start),
    previousTermEnd: at(options.previousTermEnd ?? start),
  },
});

export const renewalRejected = (invoiceId: string, rejectedAt: string, reason: string | null = null): RenewalRejected => ({
  type: 'RenewalRejected',
  data: { invoiceId, rejectedAt: at(rejectedAt), reason },
});

export const renewalWithdrawn = (invoiceId: string, withdrawnAt: string, reason: string | null = null): RenewalWithdrawn => ({
  type: 'RenewalWithdrawn',
  data: { invoiceId, withdrawnAt: at(withdrawnAt), reason },
});

export const nonRenewalNoticed = (noticedAt: string, termEnd: string, reason: string | null = null): NonRenewalNoticed => ({
  type: 'NonRenewalNoticed',
  data: { noticedAt: at(noticedAt), reason, termEnd: at(termEnd) },
});

/** Expired at `dueAt`; the engine acted at `actedAt` (on time unless told otherwise). */
export const contractExpired = (dueAt: string, options: { termEnd?: string; actedAt?: string } = {}): ContractExpired => ({
  type: 'ContractExpired',
  data: { dueAt: at(dueAt), actedAt: at(options.actedAt ?? dueAt), termEnd: at(options.termEnd ?? dueAt) },
});

export const contractTerminated = (terminatedAt: string, reason = 'client moved to another host'): ContractTerminated => ({
  type: 'ContractTerminated',
  data: { terminatedAt: at(terminatedAt), reason },
});

export const contractCancelled = (cancelledAt: string, reason = 'order withdrawn by the client'): ContractCancelled => ({
  type: 'ContractCancelled',
  data: { cancelledAt: at(cancelledAt), reason },
});

export const credentialsRevoked = (revokedAt: string, credentialIds: readonly string[] = ['cred-1']): CredentialsRevoked => ({
  type: 'CredentialsRevoked',
  data: { revokedAt: at(revokedAt), credentialIds, method: 'crypto-shredding' },
});

export const destructionScheduled = (
  endedAt: string,
  options: { scheduledAt?: string; returnWindow?: IsoDuration | null; escalationMargin?: IsoDuration | null; locations?: readonly string[] } = {},
): DestructionScheduled => {
  const { returnWindow = null, escalationMargin = DEFAULT_MARGIN, locations = ALL_LOCATION_IDS } = options;
  const end = at(endedAt);
  const deadline = destructionDeadline(end);
  return {
    type: 'DestructionScheduled',
    data: {
      scheduledAt: at(options.scheduledAt ?? endedAt),
      endedAt: end,
      deadline,
      returnWindowEndsAt: addDuration(end, returnWindow),
      escalationMargin,
      escalationAt: subtractDuration(deadline, escalationMargin),
      locations: STORAGE_LOCATIONS.filter((l) => locations.includes(l.id)).map(({ id, name }) => ({ id, name })),
    },
  };
};

export const dataExportRequested = (requestId: string, requestedAt: string): DataExportRequested => ({
  type: 'DataExportRequested',
  data: { requestId, requestedAt: at(requestedAt) },
});

export const dataExportServed = (requestId: string, servedAt: string, locations: readonly ExportedLocation[] = [exported('web-platform')]): DataExportServed => ({
  type: 'DataExportServed',
  data: { requestId, servedAt: at(servedAt), locations },
});

export const destructionStarted = (dueAt: string, actedAt: string = dueAt): DestructionStarted => ({
  type: 'DestructionStarted',
  data: { dueAt: at(dueAt), actedAt: at(actedAt) },
});

export const locationDestroyed = (locationId: string, destroyedAt: string, proof: DestructionEvidence = evidence(destroyedAt)): LocationDestroyed => ({
  type: 'LocationDestroyed',
  data: { locationId, destroyedAt: at(destroyedAt), evidence: proof },
});

export const locationDestructionFailed = (locationId: string, failedAt: string, attempt = 1, reason = 'storage.timeout'): LocationDestructionFailed => ({
  type: 'LocationDestructionFailed',
  data: { locationId, failedAt: at(failedAt), attempt, reason },
});

export const destructionEscalated = (
  dueAt: string,
  deadline: string,
  pendingLocations: readonly string[] = ALL_LOCATION_IDS,
  actedAt: string = dueAt,
): DestructionEscalated => ({
  type: 'DestructionEscalated',
  data: { dueAt: at(dueAt), actedAt: at(actedAt), deadline: at(deadline), pendingLocations },
});

export const destructionDeadlineMissed = (
  actedAt: string,
  deadline: string,
  pendingLocations: readonly string[] = ALL_LOCATION_IDS,
): DestructionDeadlineMissed => ({
  type: 'DestructionDeadlineMissed',
  data: { dueAt: at(deadline), actedAt: at(actedAt), deadline: at(deadline), pendingLocations },
});

// Histories

/** Ordered, then credentials handed over at `handedOverAt` (L2). */
export const activeSince = (handedOverAt: string, order: Partial<ContractOrdered['data']> = {}): ContractEvent[] => [
  contractOrdered(order),
  handedOver(handedOverAt, { billingPeriod: order.billingPeriod ?? 'P1M' }),
];

/** Active from `handedOverAt`, terminated at `terminatedAt`, credentials revoked. */
export const terminatedAndRevoked = (handedOverAt: string, terminatedAt: string, order: Partial<ContractOrdered['data']> = {}): ContractEvent[] => [
  ...activeSince(handedOverAt, order),
  contractTerminated(terminatedAt),
  credentialsRevoked(terminatedAt),
];

/** …and destruction scheduled at the end (default margin, the order's return window). */
export const destructionPlanned = (handedOverAt: string, terminatedAt: string, order: Partial<ContractOrdered['data']> = {}): ContractEvent[] => [
  ...terminatedAndRevoked(handedOverAt, terminatedAt, order),
  destructionScheduled(terminatedAt, { returnWindow: order.returnWindow ?? null, locations: order.catalog?.storageLocations ?? ALL_LOCATION_IDS }),
];

/** …and destruction started at `startedAt`. */
export const destructionUnderway = (handedOverAt: string, terminatedAt: string, startedAt: string, order: Partial<ContractOrdered['data']> = {}): ContractEvent[] => [
  ...destructionPlanned(handedOverAt, terminatedAt, order),
  destructionStarted(startedAt),
];

/** …with every location of the full catalog destroyed at `destroyedAt`. */
export const allLocationsDestroyed = (destroyedAt: string, ids: readonly string[] = ALL_LOCATION_IDS): LocationDestroyed[] =>
  ids.map((id) => locationDestroyed(id, destroyedAt));

/** The domain error code `f` throws, null when it throws nothing. */
export function codeOf(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (e) {
    return isDomainError(e) ? e.code : 'not-a-domain-error';
  }
}
