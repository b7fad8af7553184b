import type { Instant, IsoDuration } from '../calendar';
import { STORAGE_LOCATIONS, type CatalogSelection, type StorageLocation } from '../catalog';
import type { ControllerInput, CoveredPeriod, DestructionEvidence, DpoCommunication, ExportedLocation } from './contract.commands';
import type { DestructionCertificate, EndKind } from './contract.events';

export type ContractStatus = 'none' | 'ordered' | 'active' | 'expired' | 'terminated' | 'cancelled' | 'destroyed';
export type DestructionStatus = 'none' | 'scheduled' | 'in_progress' | 'completed';
export type LocationStatus = 'pending' | 'in_progress' | 'destroyed' | 'failed';

export type Controller = ControllerInput;

export interface Renewal {
  readonly invoiceId: string;
  readonly coveredPeriod: CoveredPeriod;
  readonly acceptedAt: Instant;
}

export interface RejectedRenewal {
  readonly invoiceId: string;
  readonly rejectedAt: Instant;
  readonly reason: string | null;
}

export interface WithdrawnRenewal {
  readonly invoiceId: string;
  readonly withdrawnAt: Instant;
  readonly reason: string | null;
}

export interface Credential {
  readonly credentialId: string;
  readonly kind: string;
  readonly host: string;
  readonly handedOverAt: Instant;
  readonly revokedAt: Instant | null;
}

export interface LocationFailure {
  readonly at: Instant;
  readonly attempt: number;
  readonly reason: string;
}

interface LocationProgress {
  readonly id: string;
  readonly name: string;
  readonly failures: number;
  readonly lastFailure: LocationFailure | null;
}

export interface UndestroyedLocation extends LocationProgress {
  readonly status: Exclude<LocationStatus, 'destroyed'>;
  readonly destroyedAt: null;
  readonly evidence: null;
}

export interface DestroyedLocation extends LocationProgress {
  readonly status: 'destroyed';
  readonly destroyedAt: Instant;
  readonly evidence: DestructionEvidence;
}

export type LocationDestruction = UndestroyedLocation | DestroyedLocation;

export const isDestroyedLocation = (l: LocationDestruction): l is DestroyedLocation => l.status === 'destroyed';

export interface ExportRequest {
  readonly requestId: string;
  readonly requestedAt: Instant;
  readonly servedAt: Instant | null;
  readonly locations: readonly ExportedLocation[] | null;
}

export interface NoDestruction {
  readonly status: 'none';
  readonly scheduledAt: null;
  readonly deadline: null;
  readonly returnWindowEndsAt: null;
  readonly escalationMargin: null;
  readonly escalationAt: null;
  readonly escalatedAt: null;
  readonly deadlineMissedAt: null;
  readonly startedAt: null;
  readonly startDueAt: null;
  readonly completedAt: null;
  readonly locations: readonly [];
  readonly exportRequests: readonly [];
  readonly certificate: null;
}

export interface PlannedDestruction {
  readonly status: Exclude<DestructionStatus, 'none'>;
  readonly scheduledAt: Instant;
  readonly deadline: Instant;
  readonly returnWindowEndsAt: Instant;
  readonly escalationMargin: IsoDuration | null;
  readonly escalationAt: Instant;
  readonly escalatedAt: Instant | null;
  readonly deadlineMissedAt: Instant | null;
  readonly startedAt: Instant | null;
  /** When the start was due (the return window's end, or the last export served): `startedAt` may be later. */
  readonly startDueAt: Instant | null;
  readonly completedAt: Instant | null;
  readonly locations: readonly LocationDestruction[];
  readonly exportRequests: readonly ExportRequest[];
  readonly certificate: DestructionCertificate | null;
}

export type DestructionState = NoDestruction | PlannedDestruction;

interface ContractFields {
  readonly contractId: string;
  readonly reference: string | null;
  readonly controller: Controller;
  readonly billingPeriod: IsoDuration;
  readonly catalog: CatalogSelection;
  /** `null` = zero: no return window. */
  readonly returnWindow: IsoDuration | null;
  /** `null` = zero: expiry exactly at term end. */
  readonly renewalGracePeriod: IsoDuration | null;
  readonly orderedAt: Instant;
  readonly processingStartedAt: Instant | null;
  readonly termStart: Instant | null;
  readonly termEnd: Instant | null;
  readonly renewals: readonly Renewal[];
  readonly rejectedRenewals: readonly RejectedRenewal[];
  readonly withdrawnRenewals: readonly WithdrawnRenewal[];
  readonly nonRenewalNoticedAt: Instant | null;
  readonly nonRenewalReason: string | null;
  readonly endedAt: Instant | null;
  readonly endKind: EndKind | null;
  readonly endReason: string | null;
  /** An expiry is caused by a timer: when the engine recorded it (`endedAt` is when it was due). */
  readonly expiryRecordedAt: Instant | null;
  readonly credentials: readonly Credential[];
  readonly credentialsRevokedAt: Instant | null;
  readonly destruction: DestructionState;
  /** P12: the processor's DPO as last communicated to the controller (absent in states stored before it was kept). */
  readonly dpoCommunicated?: DpoCommunication | null;
  /**
   * DESIGN §3.8 (absent in states stored before sub-processor changes): locations a change added
   * that the catalog does not list, the locations a replacement took the data from (they held it,
   * so destruction still covers them), and the changes taken, by id.
   */
  readonly addedLocations?: readonly StorageLocation[];
  readonly formerLocations?: readonly string[];
  readonly locationChanges?: readonly string[];
}

export interface UnorderedContract {
  readonly status: 'none';
}

export interface OrderedContract extends ContractFields {
  readonly status: 'ordered';
  readonly processingStartedAt: null;
  readonly termStart: null;
  readonly termEnd: null;
  readonly endedAt: null;
  readonly endKind: null;
  readonly endReason: null;
  readonly destruction: NoDestruction;
}

export interface ActiveContract extends ContractFields {
  readonly status: 'active';
  readonly processingStartedAt: Instant;
  readonly termStart: Instant;
  readonly termEnd: Instant;
  readonly endedAt: null;
  readonly endKind: null;
  readonly endReason: null;
  readonly destruction: NoDestruction;
}

/** Processing has ended (L5, L6); the data still has to be destroyed (L7–L11). */
export interface EndedContract extends ContractFields {
  readonly status: EndKind;
  readonly endedAt: Instant;
  readonly endKind: EndKind;
  readonly endReason: string;
}

/** L12: terminal. */
export interface DestroyedContract extends ContractFields {
  readonly status: 'destroyed';
  readonly endedAt: Instant;
  readonly endKind: EndKind;
  readonly endReason: string;
  readonly destruction: PlannedDestruction;
}

export type ContractState = UnorderedContract | OrderedContract | ActiveContract | EndedContract | DestroyedContract;
export type OrderedOrLater = Exclude<ContractState, UnorderedContract>;

export const NO_DESTRUCTION: NoDestruction = {
  status: 'none',
  scheduledAt: null,
  deadline: null,
  returnWindowEndsAt: null,
  escalationMargin: null,
  escalationAt: null,
  escalatedAt: null,
  deadlineMissedAt: null,
  startedAt: null,
  startDueAt: null,
  completedAt: null,
  locations: [],
  exportRequests: [],
  certificate: null,
};

export function initialState(): ContractState {
  return { status: 'none' };
}

export function isEnded(s: ContractState): s is EndedContract {
  return s.status === 'expired' || s.status === 'terminated' || s.status === 'cancelled';
}

export function hasDestructionPlan(s: ContractState): s is EndedContract & { destruction: PlannedDestruction } {
  return isEnded(s) && s.destruction.status !== 'none';
}

export function pendingLocationIds(d: PlannedDestruction): string[] {
  return d.locations.filter((l) => l.status !== 'destroyed').map((l) => l.id);
}

export function unservedExports(d: PlannedDestruction): ExportRequest[] {
  return d.exportRequests.filter((r) => r.servedAt === null);
}

export const EXPIRY_REASON = 'expired at term end without an accepted renewal';
export const EXPIRY_AFTER_NOTICE_REASON = 'expired at term end after a non-renewal notice';

/** A contract that exists and can still change (L12 excludes the destroyed one). */
export type OpenContract = OrderedContract | ActiveContract | EndedContract;

export function plannedDestruction(s: OpenContract): PlannedDestruction | null {
  return s.destruction.status === 'none' ? null : s.destruction;
}

/** Every location the contract's data is, or was, at — the catalog's and those changes added — by id. */
function locationDefinitions(s: OrderedOrLater): readonly StorageLocation[] {
  return [...STORAGE_LOCATIONS, ...(s.addedLocations ?? [])];
}

/** Where the contract's data is now (DESIGN §3.8: its current set), catalog order first. */
export function currentLocations(s: OrderedOrLater): StorageLocation[] {
  return locationDefinitions(s).filter((l) => s.catalog.storageLocations.includes(l.id));
}

/** Locations that held the contract's data and no longer do: a replacement moved it away. */
export function formerLocations(s: OrderedOrLater): StorageLocation[] {
  const former = s.formerLocations ?? [];
  return locationDefinitions(s).filter((l) => former.includes(l.id) && !s.catalog.storageLocations.includes(l.id));
}

/** DESIGN §3.8: destruction covers the current set and every location that ever held the data. */
export function heldLocations(s: OrderedOrLater): StorageLocation[] {
  return [...currentLocations(s), ...formerLocations(s)];
}
