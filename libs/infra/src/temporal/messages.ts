import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { StorageLocation, SubProcessorChange, SubProcessorChangeState, SubProcessorNoticeState, DpoContact, ProcessorDpoState, StaffState, AuditCommand, AuditState, CommandContext, ContractParties, BreachNoticeState, ContractState, CoveredPeriod, EmailFailedData, EmailSentData, IncidentContent, IncidentState, IsoDuration, OrderContract, SubjectRequestCommand, SubjectRequestState } from '../../../domain/src';

/**
 * The contract between the workflows and every client (API, tests, tools): workflow ids, inputs,
 * updates and queries. Imported by workflow code, so it holds definitions only.
 */

/** Every file's workflow id: its stream type and its id. One workflow owns that stream for life. */
export const workflowIdOf = (streamType: string, streamId: string) => `${streamType}-${streamId}`;

/**
 * DESIGN §5: a file type with no orchestration of its own is run by one generic workflow
 * (`fileWorkflow`) from its declaration: creation by update-with-start, its commands, its timers,
 * the emails it owes, continue-as-new. One update carries any declared command by name.
 */
export interface FileWorkflowInput {
  /** The file type's name in the registry (FILE_TYPES). */
  readonly type: string;
  readonly id: string;
  readonly parties: ContractParties;
  /** Later runs (continue-as-new): the stream as the previous run left it. */
  readonly carried?: Snapshot<unknown>;
}

export interface FileCommandInput {
  /** The command's name in the declaration. */
  readonly command: string;
  /** The body as the edge parsed it against the command's schema. */
  readonly body: unknown;
  readonly context: Omit<CommandContext, 'recordedAt'>;
  readonly actor: Actor;
}

export const FILE_WORKFLOW = 'fileWorkflow';
export const fileCommandUpdate = defineUpdate<Snapshot<unknown> & { created: boolean }, [FileCommandInput]>('fileCommand');
export const fileSnapshotQuery = defineQuery<Snapshot<unknown>>('fileSnapshot');
/**
 * The same command as a signal: what the engine tells a file from another workflow's activity, which
 * must not wait on the file's worker (a worker draining for shutdown would wait on itself). A refusal
 * is logged by the file, never answered.
 */
export const fileCommandSignal = defineSignal<[FileCommandInput]>('fileCommand');
export const contractWorkflowId = (contractId: string) => workflowIdOf('contract', contractId);

/** Who asked: a role and a key id, kept in event metadata for the audit trail. */
export interface Actor {
  /** `controller`: a person of the controller, by a signed link emailed to it (keyId names the link's key). */
  readonly role: 'account_manager' | 'billing' | 'dpo' | 'admin' | 'engine' | 'controller';
  readonly keyId?: string | null;
}

/** A stream's state and the version it stands at: what every update answers. */
export interface Snapshot<S> {
  readonly state: S;
  readonly version: number;
  /** Carried through continue-as-new only: the emails the file waits to hear were sent, and those it recorded. */
  readonly mail?: MailCarry;
}

export interface MailCarry {
  readonly awaiting: readonly string[];
  readonly recorded: readonly string[];
}

/**
 * The outbox's report that the SMTP server accepted one of a file's emails: signalled to the
 * file's workflow, which alone records it (as `EmailSent`) in its stream.
 */
export const emailSentSignal = defineSignal<[EmailSentData]>('emailSent');
/** …or that the relay refused it for good (a 5xx answer): the file records that it never went. */
export const emailFailedSignal = defineSignal<[EmailFailedData]>('emailFailed');

export type ContractSnapshot = Snapshot<ContractState>;

export interface EngineSettings {
  /** L11: how long before the deadline an unfinished destruction escalates (DESTRUCTION_ESCALATION_MARGIN). */
  readonly escalationMargin: IsoDuration;
}

export interface DestructionLocationProgress {
  /** The inventory taken before the first deletion attempt: the evidence of what was removed. */
  readonly inventory: LocationInventory | null;
  readonly rounds: number;
  readonly nextAttemptAt: string | null;
}

/** What the destruction phase keeps beside the stream, carried over continue-as-new. */
export interface DestructionProgress {
  readonly locations: Readonly<Record<string, DestructionLocationProgress>>;
  /** Export rounds that failed, and when the next is due. */
  readonly exportRounds: number;
  readonly exportRetryAt: number | null;
}

export interface ContractWorkflowInput {
  readonly contractId: string;
  readonly settings: EngineSettings;
  /** Later runs (continue-as-new): the stream as the previous run left it. */
  readonly carried?: ContractSnapshot;
  readonly destruction?: DestructionProgress;
}

export interface LocationInventory {
  readonly objectCount: number;
  readonly bytes: number;
  /** sha256 over the sorted list of objects (path and size). */
  readonly manifestHash: string;
  readonly inventoriedAt: string;
}

export interface OrderInput {
  readonly order: OrderContract['data'];
  readonly actor: Actor;
}

/** The order's answer: `created` is false when the same order was already there. */
export interface OrderResult extends ContractSnapshot {
  readonly created: boolean;
}

/**
 * The hand-over as the workflow records it. The secret itself never reaches Temporal, not even
 * sealed: the API seals it under the contract's data key and stores it in the vault before this.
 */
export interface HandOverCredentialsInput {
  readonly credentialId: string;
  readonly kind: string;
  readonly host: string;
  readonly actor: Actor;
  /** P12: the processor's DPO as the API read it when it accepted the hand-over (absent in updates sent before it was passed). */
  readonly dpo?: DpoContact & { readonly dpoVersion: number };
}

export interface AcceptRenewalInput {
  readonly invoiceId: string;
  readonly coveredPeriod: CoveredPeriod;
  readonly acceptedAt: string;
  readonly actor: Actor;
}

export interface CloseRenewalInput {
  readonly invoiceId: string;
  readonly reason: string | null;
  readonly actor: Actor;
}

export interface ReasonInput {
  readonly reason: string | null;
  readonly actor: Actor;
}

export interface RequestDataExportInput {
  readonly requestId: string;
  readonly actor: Actor;
}

/** The first update of a contract's life, sent with its start (update-with-start). */
export const orderUpdate = defineUpdate<OrderResult, [OrderInput]>('order');
export const handOverCredentialsUpdate = defineUpdate<ContractSnapshot, [HandOverCredentialsInput]>('handOverCredentials');
export const acceptRenewalUpdate = defineUpdate<ContractSnapshot, [AcceptRenewalInput]>('acceptRenewal');
export const rejectRenewalUpdate = defineUpdate<ContractSnapshot, [CloseRenewalInput]>('rejectRenewal');
export const withdrawRenewalUpdate = defineUpdate<ContractSnapshot, [CloseRenewalInput]>('withdrawRenewal');
export const noticeNonRenewalUpdate = defineUpdate<ContractSnapshot, [ReasonInput]>('noticeNonRenewal');
export const terminateUpdate = defineUpdate<ContractSnapshot, [ReasonInput & { reason: string }]>('terminate');
export const cancelUpdate = defineUpdate<ContractSnapshot, [ReasonInput & { reason: string }]>('cancel');
export const requestDataExportUpdate = defineUpdate<ContractSnapshot, [RequestDataExportInput]>('requestDataExport');

/** DESIGN §3.8: a sub-processor change the controller did not object to, taken on its effective date (`dueAt`). */
export interface ChangeStorageLocationsInput {
  readonly changeId: string;
  readonly added: StorageLocation | null;
  readonly removed: string | null;
  readonly dueAt: string;
  readonly actor: Actor;
}
export const changeStorageLocationsUpdate = defineUpdate<ContractSnapshot, [ChangeStorageLocationsInput]>('changeStorageLocations');

export const snapshotQuery = defineQuery<ContractSnapshot>('snapshot');

/** DESIGN §3.2: one workflow per data-subject request file, for the file's life. */
export const subjectRequestWorkflowId = (requestId: string) => workflowIdOf('subject-request', requestId);

export type SubjectRequestSnapshot = Snapshot<SubjectRequestState>;

/** Who the request's emails go to, as the contract names them when the file is opened. */
export interface SubjectRequestParties {
  /** Absent in files opened before emails named the controller. */
  readonly controllerName?: string;
  readonly controllerEmail: string;
  readonly controllerDpoEmail: string | null;
  readonly contractReference: string | null;
}

export interface SubjectRequestWorkflowInput {
  readonly requestId: string;
  readonly parties: SubjectRequestParties;
  readonly carried?: SubjectRequestSnapshot;
}

export interface OpenSubjectRequestInput {
  readonly open: Omit<Extract<SubjectRequestCommand, { type: 'OpenSubjectRequest' }>['data'], 'openedAt'>;
  readonly actor: Actor;
}

export interface ExtendSubjectRequestInput {
  readonly months: number;
  readonly reason: string;
  readonly actor: Actor;
}

export interface CompleteSubjectRequestInput {
  readonly outcome: string;
  readonly reason: string | null;
  readonly actor: Actor;
}

export const openSubjectRequestUpdate = defineUpdate<SubjectRequestSnapshot & { created: boolean }, [OpenSubjectRequestInput]>('openSubjectRequest');
export const extendSubjectRequestUpdate = defineUpdate<SubjectRequestSnapshot, [ExtendSubjectRequestInput]>('extendSubjectRequest');
export const completeSubjectRequestUpdate = defineUpdate<SubjectRequestSnapshot, [CompleteSubjectRequestInput]>('completeSubjectRequest');
export const subjectRequestSnapshotQuery = defineQuery<SubjectRequestSnapshot>('subjectRequestSnapshot');

/** The ApplicationFailure type that carries a domain refusal; details[0] = {code, kind, details}. */
export const DOMAIN_FAILURE = 'DomainError';

export interface DomainFailureDetails {
  readonly code: string;
  readonly kind: 'validation' | 'conflict' | 'rule' | 'not_found';
  readonly details?: Record<string, unknown>;
}

/** DESIGN §3.1: one workflow per incident, processor-wide. */
export const incidentWorkflowId = (incidentId: string) => workflowIdOf('incident', incidentId);
export type IncidentSnapshot = Snapshot<IncidentState>;

export interface IncidentWorkflowInput {
  readonly incidentId: string;
  /** BREACH_NOTICE_TARGET: each notice is due this long after awareAt. */
  readonly noticeTarget: IsoDuration;
  readonly carried?: IncidentSnapshot;
  /** How many updates (and whether the closure) were passed on to the notices: carried through continue-as-new. */
  readonly relayed?: { readonly updates: number };
}

export interface RecordIncidentInput {
  readonly record: { readonly incidentId: string; readonly detectedAt: unknown; readonly scope: unknown; readonly content: Record<string, unknown>; readonly addedLocations?: readonly string[] };
  readonly actor: Actor;
}

export const recordIncidentUpdate = defineUpdate<IncidentSnapshot & { created: boolean }, [RecordIncidentInput]>('recordIncident');
export const confirmIncidentUpdate = defineUpdate<IncidentSnapshot, [{ readonly awareAt: unknown; readonly actor: Actor }]>('confirmIncident');
export const dismissIncidentUpdate = defineUpdate<IncidentSnapshot, [{ readonly reason: unknown; readonly actor: Actor }]>('dismissIncident');
export const updateIncidentUpdate = defineUpdate<IncidentSnapshot, [{ readonly changes: Record<string, unknown>; readonly actor: Actor }]>('updateIncident');
export const closeIncidentUpdate = defineUpdate<IncidentSnapshot, [{ readonly summary: unknown; readonly actor: Actor }]>('closeIncident');
export const incidentSnapshotQuery = defineQuery<IncidentSnapshot>('incidentSnapshot');

/** DESIGN §3.1: one workflow per breach notice (one per affected contract). */
export const breachNoticeWorkflowId = (noticeId: string) => workflowIdOf('breach-notice', noticeId);
export type BreachNoticeSnapshot = Snapshot<BreachNoticeState>;

/** Who a notice's emails go to, and how they name the contract. */
export type BreachNoticeParties = ContractParties;

export interface BreachNoticeWorkflowInput {
  readonly noticeId: string;
  readonly parties: BreachNoticeParties;
  /** What the notice opens with: the incident as confirmed. */
  readonly open: { readonly incidentId: string; readonly contractId: string; readonly awareAt: string; readonly target: IsoDuration; readonly content: IncidentContent; readonly openedAt: string };
  readonly carried?: BreachNoticeSnapshot;
}

/** The incident's updates and closure, relayed to each of its notices. */
export const incidentUpdatedSignal = defineSignal<[{ readonly number: number; readonly changes: Partial<IncidentContent>; readonly updatedAt: string }]>('incidentUpdated');
export const incidentClosedSignal = defineSignal<[{ readonly closedAt: string }]>('incidentClosed');
export const acknowledgeBreachNoticeUpdate = defineUpdate<BreachNoticeSnapshot, [{ readonly acknowledgedAt: unknown; readonly actor: Actor }]>('acknowledgeBreachNotice');
export const breachNoticeSnapshotQuery = defineQuery<BreachNoticeSnapshot>('breachNoticeSnapshot');

/** DESIGN §3.7: one workflow per audit or inspection. */
export const auditWorkflowId = (auditId: string) => workflowIdOf('audit', auditId);
export type AuditSnapshot = Snapshot<AuditState>;

export interface AuditWorkflowInput {
  readonly auditId: string;
  readonly parties: BreachNoticeParties;
  readonly carried?: AuditSnapshot;
}

export interface RequestAuditInput {
  readonly request: Omit<Extract<AuditCommand, { type: 'RequestAudit' }>['data'], 'recordedAt'>;
  readonly actor: Actor;
}

export const requestAuditUpdate = defineUpdate<AuditSnapshot & { created: boolean }, [RequestAuditInput]>('requestAudit');
export const scheduleAuditUpdate = defineUpdate<AuditSnapshot, [{ readonly scheduledFor: unknown; readonly actor: Actor }]>('scheduleAudit');
export const recordAuditPerformanceUpdate = defineUpdate<AuditSnapshot, [{ readonly performedAt: unknown; readonly reportRef: unknown; readonly actor: Actor }]>('recordAuditPerformance');
export const recordFindingUpdate = defineUpdate<AuditSnapshot, [{ readonly findingId: string; readonly summary: unknown; readonly remediationDueAt: unknown; readonly actor: Actor }]>('recordFinding');
export const remediateFindingUpdate = defineUpdate<AuditSnapshot, [{ readonly findingId: string; readonly remediatedAt: unknown; readonly summary: unknown; readonly actor: Actor }]>('remediateFinding');
export const closeAuditUpdate = defineUpdate<AuditSnapshot, [{ readonly summary: unknown; readonly actor: Actor }]>('closeAudit');
export const auditSnapshotQuery = defineQuery<AuditSnapshot>('auditSnapshot');

/** DESIGN §3.4: one workflow per person on the roster, for as long as they are on it. */
export const staffWorkflowId = (staffId: string) => workflowIdOf('staff', staffId);
export type StaffSnapshot = Snapshot<StaffState>;

export interface StaffWorkflowInput {
  readonly staffId: string;
  readonly carried?: StaffSnapshot;
}

export const registerStaffUpdate = defineUpdate<StaffSnapshot & { created: boolean }, [{ readonly name: unknown; readonly email: unknown; readonly actor: Actor }]>('registerStaff');
export const signConfidentialityUpdate = defineUpdate<StaffSnapshot, [{ readonly signedAt: unknown; readonly actor: Actor }]>('signConfidentiality');
export const recordTrainingUpdate = defineUpdate<StaffSnapshot, [{ readonly completedAt: unknown; readonly course: unknown; readonly validFor: unknown; readonly actor: Actor }]>('recordTraining');
export const authorisePersonUpdate = defineUpdate<StaffSnapshot, [{ readonly contractId: string; readonly actor: Actor }]>('authorisePerson');
export const revokeAuthorisationUpdate = defineUpdate<StaffSnapshot, [{ readonly contractId: string; readonly actor: Actor }]>('revokeAuthorisation');
export const staffSnapshotQuery = defineQuery<StaffSnapshot>('staffSnapshot');

/**
 * DESIGN §3.6: the one workflow that owns the processor's DPO stream. Its stream id is fixed, so the
 * workflow id also names the engine's task queue: two engines (two databases) sharing a Temporal
 * namespace each own their own.
 */
export const processorDpoWorkflowId = (streamId: string, taskQueue: string) => `${workflowIdOf('processor-dpo', streamId)}-${taskQueue}`;
export type ProcessorDpoSnapshot = Snapshot<ProcessorDpoState>;

export interface ProcessorDpoWorkflowInput {
  /** The configured first value, recorded before the first change. */
  readonly configured: DpoContact;
  readonly carried?: ProcessorDpoSnapshot;
}

export const setDpoUpdate = defineUpdate<ProcessorDpoSnapshot & { created: boolean }, [{ readonly name: unknown; readonly email: unknown; readonly phone: unknown; readonly actor: Actor }]>('setDpo');
export const processorDpoSnapshotQuery = defineQuery<ProcessorDpoSnapshot>('processorDpoSnapshot');

/**
 * DESIGN §3.8: one workflow per sub-processor change, processor-wide; one per affected contract's
 * notice. A change's id follows from the location it adds, so its workflow id also names the
 * engine's task queue: two engines sharing a Temporal namespace each own their own (as the DPO's).
 */
export const subProcessorChangeWorkflowId = (changeId: string, taskQueue: string) => `${workflowIdOf('sub-processor-change', changeId)}-${taskQueue}`;
export type SubProcessorChangeSnapshot = Snapshot<SubProcessorChangeState>;

export interface SubProcessorChangeWorkflowInput {
  readonly changeId: string;
  readonly carried?: SubProcessorChangeSnapshot;
}

export interface AnnounceSubProcessorChangeInput {
  readonly announcement: { readonly kind: unknown; readonly subProcessor: unknown; readonly location: unknown; readonly replaces: unknown; readonly effectiveAt: unknown; readonly objectionPeriod: IsoDuration; readonly knownLocations: readonly string[]; readonly pendingLocations: readonly string[] };
  readonly actor: Actor;
}
export const announceSubProcessorChangeUpdate = defineUpdate<SubProcessorChangeSnapshot & { created: boolean }, [AnnounceSubProcessorChangeInput]>('announceSubProcessorChange');
export const subProcessorChangeSnapshotQuery = defineQuery<SubProcessorChangeSnapshot>('subProcessorChangeSnapshot');

export const subProcessorNoticeWorkflowId = (noticeId: string) => workflowIdOf('sub-processor-notice', noticeId);
export type SubProcessorNoticeSnapshot = Snapshot<SubProcessorNoticeState>;

export interface SubProcessorNoticeWorkflowInput {
  readonly noticeId: string;
  readonly contractId: string;
  readonly parties: BreachNoticeParties;
  readonly change: SubProcessorChange;
  readonly carried?: SubProcessorNoticeSnapshot;
}
export const objectToSubProcessorChangeUpdate = defineUpdate<SubProcessorNoticeSnapshot, [{ readonly reason: unknown; readonly actor: Actor }]>('objectToSubProcessorChange');
export const subProcessorNoticeSnapshotQuery = defineQuery<SubProcessorNoticeSnapshot>('subProcessorNoticeSnapshot');
