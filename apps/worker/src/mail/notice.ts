import { noticeMessageIds, type AssistanceRequestMail, type AuditMail, type ContactCheckMail, type InstructionObjectionMail, type StaffMail, type SubjectRequestMail, type TransferNoticeMail, type DestructionCertificate, type DpoContact, type IncidentContent, type SubProcessorChange } from '#domain';

/**
 * What a notice is and its identity in the outbox, apart from its wording (notices.ts): workflows
 * import this alone, so the catalogue and i18next stay out of their sandbox, where every workflow
 * would instantiate them anew.
 */
export type Notice =
  | ({ readonly kind: 'escalation'; readonly contractId: string; readonly deadline: string; readonly margin: string | null; readonly pendingLocations: readonly string[] } & ContractParty)
  | ({ readonly kind: 'deadline-missed'; readonly contractId: string; readonly deadline: string; readonly pendingLocations: readonly string[] } & ContractParty)
  | ({ readonly kind: 'certificate'; readonly contractId: string; readonly reference: string | null; readonly controllerEmail: string; readonly certificate: DestructionCertificate } & ContractParty)
  | SubjectRequestMail
  | ({ readonly kind: 'breach-notice' } & BreachFacts & { readonly content: IncidentContent })
  | ({ readonly kind: 'breach-supplement' } & BreachFacts & { readonly number: number; readonly changes: Partial<IncidentContent>; readonly content: IncidentContent })
  | ({ readonly kind: 'breach-escalation' } & BreachFacts & { readonly targetDue: string })
  | ({ readonly kind: 'breach-acknowledgement-reminder' } & BreachFacts & { readonly sentAt: string; readonly authorityDue: string })
  | TransferNoticeMail
  | AssistanceRequestMail
  | ContactCheckMail
  | ({ readonly kind: 'dpo-communicated'; readonly contractId: string; readonly dpo: DpoContact; readonly version: number } & Omit<BreachFacts, 'noticeId' | 'incidentId' | 'contractId' | 'awareAt'>)
  | { readonly kind: 'dpo-changed'; readonly controllerHash: string; readonly contractId: string; readonly controllerName: string; readonly controllerEmail: string; readonly controllerDpoEmail: string | null; readonly dpo: DpoContact; readonly version: number }
  | StaffMail
  | AuditMail
  | ({ readonly kind: 'sub-processor-change' | 'sub-processor-objection' | 'sub-processor-not-told'; readonly noticeId: string; readonly contractId: string; readonly change: SubProcessorChange; readonly reason?: string } & Omit<
      BreachFacts,
      'noticeId' | 'incidentId' | 'contractId' | 'awareAt'
    >)
  | InstructionObjectionMail;

/** Whom a contract's email is about: its controller's name and the contract's reference (absent in notices queued before they were named). */
export interface ContractParty {
  readonly controllerName?: string;
  readonly reference?: string | null;
}

/** What a breach notice's emails say of the file and of whom they go to. */
export interface BreachFacts {
  readonly noticeId: string;
  readonly incidentId: string;
  readonly contractId: string;
  readonly awareAt: string;
  readonly controllerName: string;
  readonly controllerEmail: string;
  readonly controllerDpoEmail: string | null;
  readonly contractReference: string | null;
  /** The breach contact the controller's record names (DESIGN §3.10), when it names one: the notice goes there. */
  readonly breachContact?: string | null;
}

/** The outbox's message id of a notice: stable, so a notice enqueued twice is sent once. */
export function messageIdOf(notice: Notice): string {
  switch (notice.kind) {
    case 'subject-request-forwarded':
      return `${notice.requestId}:forwarded`;
    case 'assistance-reminder':
    case 'assistance-escalation':
      return `${notice.requestId}:${notice.kind}:${notice.assistanceDue}`;
    case 'breach-notice':
      return noticeMessageIds.notice(notice.noticeId);
    case 'breach-supplement':
      return noticeMessageIds.supplement(notice.noticeId, notice.number);
    case 'breach-escalation':
      return noticeMessageIds.escalation(notice.noticeId);
    case 'breach-acknowledgement-reminder':
      return noticeMessageIds.reminder(notice.noticeId);
    case 'transfer-notice':
      return `${notice.noticeId}:notice`;
    case 'transfer-escalation':
      return `${notice.noticeId}:escalation`;
    case 'assistance-request-reminder':
    case 'assistance-request-escalation':
      return `${notice.requestId}:${notice.kind}:${notice.dueAt}`;
    case 'contact-check':
    case 'contact-check-reminder':
    case 'contact-check-escalation':
      // One ask per round, and each nudge once per round.
      return `${notice.checkId}:${notice.kind}:${notice.round}`;
    case 'dpo-communicated':
      return `${notice.contractId}:dpo-communicated:${notice.version}`;
    case 'dpo-changed':
      // Once per controller and version, whichever of its contracts names it.
      return `dpo-changed:${notice.version}:${notice.controllerHash}`;
    case 'training-lapse-reminder':
    case 'training-lapsed':
      return `${notice.staffId}:${notice.kind}:${notice.trainingValidUntil}`;
    case 'remediation-reminder':
    case 'remediation-escalation':
      return `${notice.findingId}:${notice.kind}:${notice.remediationDueAt}`;
    case 'sub-processor-change':
    case 'sub-processor-objection':
    case 'sub-processor-not-told':
      return `${notice.noticeId}:${notice.kind}`;
    case 'instruction-objection':
      // One email per objection: a later objection (after a confirmation) is another.
      return `${notice.instructionId}:objection:${notice.objectedAt}`;
    default:
      return `${notice.contractId}:${notice.kind}`;
  }
}
