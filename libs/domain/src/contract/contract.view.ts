import { isAfter, maxLengthMs, minLengthMs, termEnd, type Instant, type IsoDuration } from '../calendar';
import {
  DATA_CATEGORIES,
  DATA_SUBJECT_CATEGORIES,
  NATURE_OF_OPERATIONS,
  PROCESSOR,
  PURPOSES,
  SECURITY_MEASURES,
  catalogLabels,
  type CatalogEntry,
  type CatalogSelection,
  type Processor,
  type SecurityMeasures,
  type StorageLocation,
} from '../catalog';
import { notFoundError } from '../errors';
import { actedLate } from '../kit/decider';
import { callerCommands } from './contract.availability';
import type { CallerCommandType, CoveredPeriod, DestructionEvidence, ExportedLocation } from './contract.commands';
import type { DestructionCertificate, EndKind } from './contract.events';
import type {
  ContractState,
  ContractStatus,
  Controller,
  DestructionStatus,
  LocationFailure,
  LocationStatus,
  OrderedOrLater,
  RejectedRenewal,
  Renewal,
  WithdrawnRenewal,
} from './contract.state';
import { currentLocations, formerLocations } from './contract.state';
import { upcomingDeadlines, type Deadline } from './contract.timers';

export interface LocationView {
  readonly id: string;
  readonly name: string;
  readonly status: LocationStatus;
  readonly destroyedAt: Instant | null;
  readonly evidence: DestructionEvidence | null;
  readonly failures: number;
  readonly lastFailure: LocationFailure | null;
}

export interface ExportRequestView {
  readonly requestId: string;
  readonly requestedAt: Instant;
  readonly servedAt: Instant | null;
  readonly locations: readonly ExportedLocation[] | null;
}

/** Something a timer caused: when it was due, when the engine acted, and whether that was late. */
export interface TimerFactView {
  readonly dueAt: Instant;
  readonly actedAt: Instant;
  readonly late: boolean;
}

const timerFact = (dueAt: Instant | null, actedAt: Instant | null): TimerFactView | null =>
  dueAt === null || actedAt === null ? null : { dueAt, actedAt, late: actedLate(dueAt, actedAt) };

/** DESIGN §6 `GET /contracts/{id}/destruction`, plus the dates that drive it. */
export interface DestructionView {
  readonly status: DestructionStatus;
  readonly deadline: Instant | null;
  readonly scheduledAt: Instant | null;
  readonly returnWindowEndsAt: Instant | null;
  readonly escalationAt: Instant | null;
  readonly escalatedAt: Instant | null;
  readonly deadlineMissedAt: Instant | null;
  readonly startedAt: Instant | null;
  readonly completedAt: Instant | null;
  /** The timers of L9 and L11 once they acted, each flagged `late` when the engine acted after it was due. */
  readonly start: TimerFactView | null;
  readonly escalation: TimerFactView | null;
  readonly deadlineMissed: TimerFactView | null;
  readonly locations: readonly LocationView[];
  readonly exportRequests: readonly ExportRequestView[];
  readonly certificate: DestructionCertificate | null;
}

export interface CredentialView {
  readonly credentialId: string;
  readonly kind: string;
  readonly host: string;
  readonly handedOverAt: Instant;
  readonly revokedAt: Instant | null;
}

/** DESIGN §6 contract representation, plus the per-contract settings and what comes next. */
export interface ContractRepresentation {
  readonly id: string;
  readonly reference: string | null;
  readonly status: Exclude<ContractStatus, 'none'>;
  readonly controller: Controller;
  readonly billingPeriod: IsoDuration;
  readonly renewalGracePeriod: IsoDuration | null;
  readonly returnWindow: IsoDuration | null;
  readonly catalog: CatalogSelection;
  readonly orderedAt: Instant;
  readonly processingStartedAt: Instant | null;
  readonly termStart: Instant | null;
  readonly termEnd: Instant | null;
  /** While active: the period the next renewal invoice covers, from the term end one billing period on (L3, L4). */
  readonly nextCoveredPeriod: CoveredPeriod | null;
  readonly renewals: readonly Renewal[];
  readonly rejectedRenewals: readonly RejectedRenewal[];
  readonly withdrawnRenewals: readonly WithdrawnRenewal[];
  readonly nonRenewalNoticedAt: Instant | null;
  readonly nonRenewalReason: string | null;
  readonly endedAt: Instant | null;
  readonly endKind: EndKind | null;
  readonly endReason: string | null;
  /** L5: an expiry, when it was due (`endedAt`) and when the engine recorded it. */
  readonly expiry: TimerFactView | null;
  readonly credentials: readonly CredentialView[];
  readonly credentialsRevokedAt: Instant | null;
  readonly destruction: DestructionView;
  readonly upcomingDeadlines: readonly Deadline[];
  readonly allowedCommands: readonly CallerCommandType[];
}

/**
 * The end of the term after the one ending at `current`, on the schedule anchored at the
 * hand-over (§2: terms chain from the anchor, so a monthly contract handed over on Jan 31 runs to
 * Feb 28, then Mar 31, never Mar 28): the first scheduled end after `current`.
 */
export function nextTermEnd(anchor: Instant, period: IsoDuration, current: Instant): Instant {
  const elapsed = Date.parse(current) - Date.parse(anchor);
  // Between the fewest and the most terms that fit, then the first end past `current`.
  let n = Math.max(1, Math.floor(elapsed / maxLengthMs(period)));
  const most = Math.ceil(elapsed / minLengthMs(period)) + 1;
  while (n <= most && !isAfter(termEnd(anchor, period, n), current)) n++;
  return termEnd(anchor, period, n);
}

function ordered(state: ContractState): OrderedOrLater {
  if (state.status === 'none') throw notFoundError('contract.not_ordered', 'no contract has been ordered yet');
  return state;
}

export function toDestructionView(state: ContractState): DestructionView {
  const d = ordered(state).destruction;
  return {
    status: d.status,
    deadline: d.deadline,
    scheduledAt: d.scheduledAt,
    returnWindowEndsAt: d.returnWindowEndsAt,
    escalationAt: d.escalationAt,
    escalatedAt: d.escalatedAt,
    deadlineMissedAt: d.deadlineMissedAt,
    startedAt: d.startedAt,
    completedAt: d.completedAt,
    start: timerFact(d.startDueAt, d.startedAt),
    escalation: timerFact(d.escalationAt, d.escalatedAt),
    deadlineMissed: timerFact(d.deadline, d.deadlineMissedAt),
    locations: d.locations.map(({ id, name, status, destroyedAt, evidence, failures, lastFailure }) => ({
      id,
      name,
      status,
      destroyedAt,
      evidence,
      failures,
      lastFailure,
    })),
    exportRequests: d.exportRequests.map(({ requestId, requestedAt, servedAt, locations }) => ({ requestId, requestedAt, servedAt, locations })),
    certificate: d.certificate,
  };
}

export function toRepresentation(state: ContractState): ContractRepresentation {
  const s = ordered(state);
  return {
    id: s.contractId,
    reference: s.reference,
    status: s.status,
    controller: s.controller,
    billingPeriod: s.billingPeriod,
    renewalGracePeriod: s.renewalGracePeriod,
    returnWindow: s.returnWindow,
    catalog: s.catalog,
    orderedAt: s.orderedAt,
    processingStartedAt: s.processingStartedAt,
    termStart: s.termStart,
    termEnd: s.termEnd,
    nextCoveredPeriod: s.status === 'active' ? { start: s.termEnd, end: nextTermEnd(s.processingStartedAt, s.billingPeriod, s.termEnd) } : null,
    renewals: s.renewals,
    rejectedRenewals: s.rejectedRenewals,
    withdrawnRenewals: s.withdrawnRenewals,
    nonRenewalNoticedAt: s.nonRenewalNoticedAt,
    nonRenewalReason: s.nonRenewalReason,
    endedAt: s.endedAt,
    endKind: s.endKind,
    endReason: s.endReason,
    expiry: s.endKind === 'expired' ? timerFact(s.endedAt, s.expiryRecordedAt) : null,
    credentials: s.credentials.map(({ credentialId, kind, host, handedOverAt, revokedAt }) => ({ credentialId, kind, host, handedOverAt, revokedAt })),
    credentialsRevokedAt: s.credentialsRevokedAt,
    destruction: toDestructionView(s),
    upcomingDeadlines: upcomingDeadlines(s),
    allowedCommands: callerCommands(s),
  };
}

/** GDPR Art. 30(2): the record of processing for one contract, DESIGN §4 narrowed by its selection. */
export interface ProcessingRecord {
  readonly contractId: string;
  readonly reference: string | null;
  readonly status: Exclude<ContractStatus, 'none'>;
  readonly controller: { readonly name: string; readonly email: string; readonly dpoEmail: string | null };
  readonly processor: Processor;
  readonly purposes: readonly CatalogEntry[];
  readonly natureOfOperations: string;
  readonly dataCategories: readonly CatalogEntry[];
  readonly dataSubjectCategories: readonly CatalogEntry[];
  readonly storageLocations: readonly StorageLocation[];
  /** DESIGN §3.8: where a sub-processor replacement moved the data from; they hold it until destruction. */
  readonly formerStorageLocations: readonly StorageLocation[];
  /** Art. 30(2)(c): every storage site of the catalog is in France. */
  readonly thirdCountryTransfers: readonly string[];
  readonly securityMeasures: SecurityMeasures;
  readonly processingStartedAt: Instant | null;
  readonly endedAt: Instant | null;
  readonly destructionDeadline: Instant | null;
}

export function processingRecord(state: ContractState, processor: Processor = PROCESSOR): ProcessingRecord {
  const s = ordered(state);
  return {
    contractId: s.contractId,
    reference: s.reference,
    status: s.status,
    controller: { name: s.controller.name, email: s.controller.email, dpoEmail: s.controller.dpoEmail },
    processor,
    purposes: catalogLabels(s.catalog.purposes, PURPOSES),
    natureOfOperations: NATURE_OF_OPERATIONS,
    dataCategories: catalogLabels(s.catalog.dataCategories, DATA_CATEGORIES),
    dataSubjectCategories: catalogLabels(s.catalog.dataSubjectCategories, DATA_SUBJECT_CATEGORIES),
    storageLocations: currentLocations(s),
    formerStorageLocations: formerLocations(s),
    thirdCountryTransfers: [],
    securityMeasures: SECURITY_MEASURES,
    processingStartedAt: s.processingStartedAt,
    endedAt: s.endedAt,
    destructionDeadline: s.destruction.deadline,
  };
}
