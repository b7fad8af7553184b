import { article33Content, noticeMessageIds, type AssistanceRequestMail, type AuditMail, type ContactCheckMail, type InstructionObjectionMail, type StaffMail, type SubjectRequestMail, type TransferNoticeMail, type DestructionCertificate, type DpoContact, type IncidentContent, type SubProcessorChange } from '#domain';
import type { LinkRequest } from '#infra/links';
import type { OutgoingEmail } from './outbox';

/**
 * The wording of every email the engine sends, given the facts the workflow recorded. Workflows
 * say which notice is due and with what facts; what it says lives here, beside the outbox.
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

/** "Acme SAS's contract ACME-1 (id …)": how an email names a contract for a person. */
function contractLabel(contractId: string, party: ContractParty): string {
  const ref = party.reference ? `${party.reference} (${contractId})` : contractId;
  return party.controllerName ? `${party.controllerName}'s contract ${ref}` : `contract ${ref}`;
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

/**
 * Whom a breach notice goes to (DESIGN §3.1, §3.10): the controller's breach contact when its record
 * names one, with the controller's own email and its DPO in copy; else the controller's email.
 */
function breachRecipients(notice: BreachFacts): { to: string; cc: string[] } {
  const to = notice.breachContact ?? notice.controllerEmail;
  const cc = [notice.controllerEmail, notice.controllerDpoEmail].filter((a): a is string => !!a && a.toLowerCase() !== to.toLowerCase());
  return { to, cc: [...new Map(cc.map((a) => [a.toLowerCase(), a])).values()] };
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

const LABELS: Record<keyof ReturnType<typeof article33Content>, string> = {
  summary: 'What happened',
  nature: 'Nature of the breach',
  dataCategories: 'Categories of personal data concerned',
  subjectCategories: 'Categories of data subjects concerned',
  approxSubjects: 'Approximate number of data subjects concerned',
  approxRecords: 'Approximate number of personal data records concerned',
  likelyConsequences: 'Likely consequences',
  measures: 'Measures taken or proposed, including to mitigate possible adverse effects',
};

function article33Lines(content: IncidentContent, only?: readonly string[]): string {
  return Object.entries(article33Content(content))
    .filter(([k]) => !only || only.includes(k))
    .map(([k, v]) => `- ${LABELS[k as keyof typeof LABELS]}: ${v}`)
    .join('\n');
}

/** What a subject request's emails say of it: references and dates, never the person (DESIGN §3). */

/** Where the processor's DPO (PROCESSOR_DPO_EMAIL) and account management (ACCOUNT_MANAGEMENT_EMAIL) are written to. */
export interface Recipients {
  readonly processorDpo: string;
  readonly accountManagement: string;
  /** The signed link an email carries for a command of its file (links.ts); its token is made here, never in a workflow. */
  readonly link?: (request: LinkRequest) => string;
}

export function composeNotice(notice: Notice, to: Recipients): OutgoingEmail {
  const base = { messageId: messageIdOf(notice), contractId: 'contractId' in notice ? notice.contractId : null, kind: notice.kind };
  switch (notice.kind) {
    case 'escalation':
      return {
        ...base,
        to: to.processorDpo,
        subject: `[DPA] Destruction not complete ${notice.margin ?? 'P7D'} before its deadline — ${contractLabel(notice.contractId, notice)}`,
        text:
          `The destruction of the data of ${contractLabel(notice.contractId, notice)} is not complete, and its deadline is ${notice.deadline} (P11: two calendar months after the end of the contract).\n` +
          `Locations still pending: ${notice.pendingLocations.join(', ')}.\n\nThe engine keeps trying. Expected of you: make the pending locations reachable, or destroy their data another way, before ${notice.deadline}.`,
      };
    case 'deadline-missed':
      return {
        ...base,
        to: to.processorDpo,
        subject: `[DPA] Destruction deadline missed — ${contractLabel(notice.contractId, notice)}`,
        text:
          `The deadline ${notice.deadline} for destroying the data of ${contractLabel(notice.contractId, notice)} has passed (breach of P11).\n` +
          `Locations still pending: ${notice.pendingLocations.join(', ')}.\n\nThe engine keeps trying. Expected of you now: destroy the pending locations' data another way, and record why the deadline was missed.`,
      };
    case 'certificate': {
      const { certificate } = notice;
      const name = notice.reference ?? notice.contractId;
      const lines = certificate.locations.map(
        (l) => `- ${l.name}: destroyed ${l.destroyedAt}; ${l.evidence.objectCount} objects, ${l.evidence.bytes} bytes, manifest ${l.evidence.manifestHash} (${l.evidence.method})`,
      );
      return {
        ...base,
        to: notice.controllerEmail,
        subject: `Certificate of destruction of your personal data — contract ${name}`,
        text:
          (notice.controllerName ? `Dear ${notice.controllerName},\n\n` : '') +
          `All personal data processed under contract ${name} has been destroyed ` +
          `(clause 11: within two months of the end of the contract, ${certificate.deadline}).\n\n` +
          `Contract ended: ${certificate.endedAt}\nDestruction completed: ${certificate.completedAt}\n\n${lines.join('\n')}\n\n` +
          `Certificate ${certificate.certificateId} is attached. Nothing is expected of you; keep it with your records.`,
        attachments: [{ filename: `destruction-certificate-${certificate.certificateId}.json`, content: JSON.stringify(certificate, null, 2), contentType: 'application/json' }],
      };
    }
    case 'subject-request-forwarded': {
      const name = notice.contractReference ?? notice.contractId;
      return {
        ...base,
        contractId: notice.contractId,
        kind: notice.kind,
        to: notice.controllerEmail,
        cc: notice.controllerDpoEmail ? [notice.controllerDpoEmail] : [],
        subject: `Data-subject request received for you — ${notice.requestType}, ref. ${notice.requestReference} (contract ${name})`,
        text:
          (notice.controllerName ? `Dear ${notice.controllerName},\n\n` : '') +
          `A data subject sent us, your processor, a request of type "${notice.requestType}" on ${notice.receivedAt} (our reference ${notice.requestReference}).\n` +
          `We pass it to you as your processor must (GDPR 28(3)(e)); we will not answer the person ourselves.\n\n` +
          `Your deadline to answer the person: ${notice.deadline} (GDPR 12(3): one month from receipt, extendable once by up to two months).\n` +
          `We will give you the help you need by ${notice.assistanceDue}. Reply to this email, quoting the reference, to tell us what you need.`,
      };
    }
    case 'assistance-reminder':
    case 'assistance-escalation': {
      const escalation = notice.kind === 'assistance-escalation';
      return {
        ...base,
        contractId: notice.contractId,
        kind: notice.kind,
        to: escalation ? to.processorDpo : to.accountManagement,
        subject: escalation
          ? `[DPA] Assistance overdue on a data-subject request — ${notice.requestType}, ref. ${notice.requestReference}, contract ${notice.contractId}`
          : `[DPA] Assistance due ${notice.assistanceDue} on a data-subject request — ${notice.requestType}, ref. ${notice.requestReference}`,
        text:
          `Data-subject request ${notice.requestId} (${notice.requestType}, ref. ${notice.requestReference}) under ${contractLabel(notice.contractId, { controllerName: notice.controllerName })}, received ${notice.receivedAt}.\n` +
          `Our help to the controller is due ${notice.assistanceDue}; the controller's own deadline is ${notice.deadline}.\n` +
          (escalation ? 'The assistance target has passed and the request is still open (P7).' : 'Record the completion once the controller has what it needs.'),
      };
    }
    case 'breach-notice':
    case 'breach-supplement': {
      const name = notice.contractReference ?? notice.contractId;
      const supplement = notice.kind === 'breach-supplement';
      const changed = supplement ? Object.keys(notice.changes) : undefined;
      return {
        ...base,
        ...breachRecipients(notice),
        subject: supplement
          ? `Personal data breach — supplement ${notice.number} to our notice ${notice.noticeId} (contract ${name})`
          : `Personal data breach notification (GDPR 33(2)) — contract ${name}`,
        text:
          `Dear ${notice.controllerName},\n\n` +
          (supplement
            ? `This supplements our notice ${notice.noticeId} of a personal data breach affecting data we process for you under contract ${name} (GDPR 33(4)). What is new:\n\n${article33Lines(notice.content, changed)}\n\nThe notice as it now stands:\n\n`
            : `As your processor under contract ${name}, we notify you without undue delay of a personal data breach affecting personal data we process for you (GDPR 33(2)). We became aware of it on ${notice.awareAt}.\n\n`) +
          `${article33Lines(notice.content)}\n- Contact point for more information: our data protection officer, ${to.processorDpo}\n\n` +
          `Parts marked "to follow" are not known yet; we will send each as a supplement as soon as it is (GDPR 33(4)).\n\n` +
          `What we expect of you: assess the breach and, unless it is unlikely to result in a risk to people, notify your supervisory authority within 72 hours of receiving this notice (GDPR 33(1)). ` +
          `Please acknowledge receipt by replying to this email, quoting notice ${notice.noticeId}.`,
      };
    }
    case 'breach-escalation':
      return {
        ...base,
        to: to.processorDpo,
        subject: `[DPA] Breach notice not sent by its target — ${notice.controllerName}, contract ${notice.contractReference ?? notice.contractId}`,
        text:
          `The breach notice ${notice.noticeId} (incident ${notice.incidentId}) to ${notice.controllerName} under contract ${notice.contractReference ?? notice.contractId} has not been sent, and its target ${notice.targetDue} has passed (P8: notify the controller promptly after becoming aware, ${notice.awareAt}).\n` +
          `The engine keeps trying. Expected of you now: check the mail relay, and reach the controller another way without delay — its own 72 hours to notify its supervisory authority run from when it is told.`,
      };
    case 'breach-acknowledgement-reminder':
      return {
        ...base,
        to: to.accountManagement,
        subject: `[DPA] No acknowledgement of a breach notice — ${notice.controllerName}, contract ${notice.contractReference ?? notice.contractId}`,
        text:
          `${notice.controllerName} has not acknowledged the breach notice ${notice.noticeId} (incident ${notice.incidentId}) we sent on ${notice.sentAt}, under contract ${notice.contractReference ?? notice.contractId}.\n` +
          `Please make sure the controller has it — its supervisory authority must be notified by ${notice.authorityDue} (72 hours from our notice) — then record its acknowledgement.`,
      };
    case 'instruction-objection': {
      const name = notice.contractReference ?? notice.contractId;
      return {
        ...base,
        to: notice.controllerEmail,
        cc: notice.controllerDpoEmail ? [notice.controllerDpoEmail] : [],
        subject: `We cannot carry out your instruction ${notice.documentRef} as it stands — contract ${name}`,
        text:
          `Dear ${notice.controllerName},\n\n` +
          `You instructed us on ${notice.receivedAt}, under contract ${name} (your document ${notice.documentRef}):\n\n${notice.summary}\n\n` +
          `As your processor we consider that this instruction infringes the GDPR or other Union or Member State data protection provisions (GDPR 28(3), clause P2), because:\n\n${notice.reason}\n\n` +
          `We will not carry it out until you answer. What we expect of you: confirm the instruction (with the legal basis we may be missing) or withdraw it, by replying to this email quoting ${notice.documentRef}.`,
      };
    }
    case 'transfer-notice': {
      const name = notice.contractReference ?? notice.contractId;
      return {
        ...base,
        to: notice.controllerEmail,
        cc: notice.controllerDpoEmail ? [notice.controllerDpoEmail] : [],
        subject: `A transfer of your data to ${notice.destination} required by law — contract ${name}`,
        text:
          `Dear ${notice.controllerName},\n\n` +
          `As your processor under contract ${name}, we are required by law to transfer personal data we process for you to ${notice.destination}, on ${notice.plannedAt}.\n` +
          `The legal obligation: ${notice.legalObligation}\n\n` +
          `We tell you before the transfer, as GDPR 28(3)(a) and clause P2 require. Nothing is expected of you, but reply to this email before ${notice.plannedAt} if you have questions or objections we should know of.`,
      };
    }
    case 'assistance-request-reminder':
    case 'assistance-request-escalation': {
      const what = notice.assistanceKind === 'dpia' ? 'data protection impact assessment (GDPR 35)' : 'prior consultation of the supervisory authority (GDPR 36)';
      const label = contractLabel(notice.contractId, { controllerName: notice.controllerName, reference: notice.contractReference });
      const reminder = notice.kind === 'assistance-request-reminder';
      return {
        ...base,
        to: reminder ? to.accountManagement : to.processorDpo,
        subject: reminder
          ? `[DPA] Assistance with a ${notice.assistanceKind === 'dpia' ? 'DPIA' : 'prior consultation'} due ${notice.dueAt} — ${label}`
          : `[DPA] Assistance not delivered by its due date — ${label}`,
        text:
          `${notice.controllerName} asked on ${notice.receivedAt} for our help with a ${what} under ${label} (P9, GDPR 28(3)(f)):\n\n${notice.summary}\n\n` +
          (reminder
            ? `The controller needs it by ${notice.dueAt} and it has not been delivered. Expected of you: deliver it and record the delivery (request ${notice.requestId}) before then.`
            : `Its due date ${notice.dueAt} has passed and nothing has been delivered. Expected of you now: deliver it, or tell the controller when it will come, and record the delivery (request ${notice.requestId}).`),
      };
    }
    case 'contact-check': {
      if (!to.link) throw new Error('a contact check is composed with the link signer');
      const url = to.link({ type: 'contact-check', command: 'confirm', id: notice.checkId, body: { round: notice.round }, issuedAt: notice.openedAt });
      return {
        ...base,
        to: notice.contact,
        subject: `Please confirm your contact for data breaches — ${notice.controllerName}`,
        text:
          `Hello,\n\n` +
          `This address is the point of contact we, your hosting provider and processor, would write to if a personal data breach affected ${notice.controllerName}'s data (GDPR 33(2); EDPB Guidelines 9/2022).\n` +
          `Please confirm that it still reaches the right people by following this link and pressing its button (opening it alone changes nothing):\n\n${url}\n\n` +
          `The link can be used once, for a limited time; please follow it by ${notice.confirmationDue}. If this address should no longer be the contact, reply to tell us which one to use instead.`,
      };
    }
    case 'contact-check-reminder':
    case 'contact-check-escalation': {
      const reminder = notice.kind === 'contact-check-reminder';
      return {
        ...base,
        to: reminder ? to.accountManagement : to.processorDpo,
        subject: reminder ? `[DPA] Breach contact not confirmed — ${notice.controllerName}` : `[DPA] Breach contact still not confirmed after 30 days — ${notice.controllerName}`,
        text:
          `${notice.controllerName} (${notice.key}) was asked on ${notice.openedAt} to confirm ${notice.contact} as its point of contact for breaches (P8), and has not.\n` +
          (reminder
            ? `Expected of you: reach the controller another way, then record its contact (PUT /controllers/{key}) or send the check again.`
            : `Without a confirmed contact a breach notice may not reach the controller in time. Expected of you now: make sure account management has reached the controller, and record the outcome.`),
      };
    }
    case 'dpo-communicated':
    case 'dpo-changed': {
      const dpo = `${notice.dpo.name}, ${notice.dpo.email}${notice.dpo.phone ? `, ${notice.dpo.phone}` : ''}`;
      const changed = notice.kind === 'dpo-changed';
      const contract = notice.kind === 'dpo-communicated' ? (notice.contractReference ?? notice.contractId) : '';
      return {
        ...base,
        to: notice.controllerEmail,
        cc: notice.controllerDpoEmail ? [notice.controllerDpoEmail] : [],
        subject: changed ? 'Our data protection officer has changed' : `Our data protection officer — contract ${contract}`,
        text:
          `Dear ${notice.controllerName},\n\n` +
          (changed
            ? `As your processor, we let you know that our data protection officer has changed. For every contract you have with us, our data protection officer is now:\n\n${dpo}\n\n`
            : `Processing under contract ${contract} has started. As your processor, we communicate the contact of our data protection officer (GDPR 37(7), clause P12):\n\n${dpo}\n\n`) +
          `Nothing is expected of you; keep this contact with your records. We will write again if it changes.`,
      };
    }
    case 'training-lapse-reminder':
      return {
        ...base,
        to: to.accountManagement,
        subject: `[DPA] Data-protection training of ${notice.name} lapses on ${notice.trainingValidUntil}`,
        text:
          `The data-protection training of ${notice.name} (roster ${notice.staffId}) is valid until ${notice.trainingValidUntil} (P3, P4).\n` +
          `${notice.name} is authorised on ${notice.contracts.length} contract(s)${notice.contracts.length ? `: ${notice.contracts.join(', ')}` : ''}.\n\n` +
          `Expected of you: have the training renewed and recorded before then, or every contract ${notice.name} is on will show the gap.`,
      };
    case 'training-lapsed':
      return {
        ...base,
        to: to.processorDpo,
        subject: `[DPA] ${notice.name}'s data-protection training lapsed: a gap on ${notice.contracts.length} contract(s)`,
        text:
          `The data-protection training of ${notice.name} (roster ${notice.staffId}) lapsed on ${notice.trainingValidUntil}, and ${notice.name} is still authorised on:\n\n${notice.contracts.map((c) => `- contract ${c}`).join('\n')}\n\n` +
          `Each shows the gap (P3, P4). Expected of you now: record a new training, or revoke ${notice.name}'s authorisations.`,
      };
    case 'remediation-reminder':
    case 'remediation-escalation': {
      const label = contractLabel(notice.contractId, { controllerName: notice.controllerName, reference: notice.contractReference });
      const reminder = notice.kind === 'remediation-reminder';
      return {
        ...base,
        to: reminder ? to.accountManagement : to.processorDpo,
        subject: reminder ? `[DPA] Audit finding to remediate by ${notice.remediationDueAt} — ${label}` : `[DPA] Audit finding not remediated by its due date — ${label}`,
        text:
          `The ${notice.auditKind} ${notice.controllerName} had performed on ${notice.performedAt} under ${label} (C3, C4) found:\n\n${notice.finding}\n\n` +
          (reminder
            ? `Its remediation is due by ${notice.remediationDueAt}. Expected of you: remediate it and record the remediation (audit ${notice.auditId}, finding ${notice.findingId}) before then.`
            : `Its remediation was due by ${notice.remediationDueAt} and is not recorded. Expected of you now: remediate it, tell the controller when it will be, and record the remediation (audit ${notice.auditId}, finding ${notice.findingId}).`),
      };
    }
    case 'sub-processor-change': {
      const c = notice.change;
      const name = notice.contractReference ?? notice.contractId;
      const where = `${c.location.name} (${c.location.site})`;
      return {
        ...base,
        to: notice.controllerEmail,
        cc: notice.controllerDpoEmail ? [notice.controllerDpoEmail] : [],
        subject: `A change of sub-processor for your data, effective ${c.effectiveAt} — contract ${name}`,
        text:
          `Dear ${notice.controllerName},\n\n` +
          `As your processor under contract ${name}, we intend ${c.kind === 'addition' ? 'to engage a further sub-processor' : 'to replace one of our sub-processors'} (GDPR 28(2), 28(4)):\n\n` +
          `- Sub-processor: ${c.subProcessor.name}, ${c.subProcessor.country} — ${c.subProcessor.role}\n` +
          `- Location: ${where}\n` +
          (c.replaces ? `- Instead of: ${c.replaces} (the data held there stays until destruction covers it)\n` : '') +
          `- Takes effect: ${c.effectiveAt}\n\n` +
          `You may object until ${c.objectionDeadline}: reply to this email quoting change ${c.changeId}. Without an objection, the change takes effect on ${c.effectiveAt}; with one, your data stays where it is and your account manager will contact you.`,
      };
    }
    case 'sub-processor-objection': {
      const c = notice.change;
      const label = contractLabel(notice.contractId, { controllerName: notice.controllerName, reference: notice.contractReference });
      return {
        ...base,
        to: to.accountManagement,
        subject: `[DPA] Objection to a sub-processor change — ${label}`,
        text:
          `${notice.controllerName} objected to the sub-processor change ${c.changeId} (${c.kind}: ${c.subProcessor.name}, ${c.location.name}) under ${label}, effective ${c.effectiveAt}:\n\n${notice.reason ?? ''}\n\n` +
          `The contract keeps its locations. Expected of you: take the objection up with the controller (DESIGN §3.8, GDPR 28(2)).`,
      };
    }
    case 'sub-processor-not-told': {
      const c = notice.change;
      const label = contractLabel(notice.contractId, { controllerName: notice.controllerName, reference: notice.contractReference });
      return {
        ...base,
        to: to.accountManagement,
        subject: `[DPA] A sub-processor change did not reach the controller in time — ${label}`,
        text:
          `The announcement of the sub-processor change ${c.changeId} (${c.kind}: ${c.subProcessor.name}, ${c.location.name}), effective ${c.effectiveAt}, was not accepted by the mail relay before the objection deadline ${c.objectionDeadline}, so ${notice.controllerName} could not object (GDPR 28(2)).\n\n` +
          `The contract keeps its locations. Expected of you: reach the controller another way; the change can be announced to it again with a new location.`,
      };
    }
    case 'transfer-escalation':
      return {
        ...base,
        to: to.processorDpo,
        subject: `[DPA] Transfer notice not sent before the planned transfer — ${notice.controllerName}, contract ${notice.contractReference ?? notice.contractId}`,
        text:
          `The notice of the transfer to ${notice.destination} planned for ${notice.plannedAt} under ${notice.controllerName}'s contract ${notice.contractReference ?? notice.contractId} has not reached the controller (P2: it must be told before).\n` +
          `The engine keeps trying. Expected of you now: reach the controller another way, or hold the transfer.`,
      };
  }
}
