import { article33Content, toFollow, type IncidentContent } from '#domain';
import { wordsFor, type Words } from '#infra/i18n';
import type { LinkRequest } from '#infra/links';
import { messageIdOf, type BreachFacts, type ContractParty, type Notice } from './notice';
import type { OutgoingEmail } from './outbox';

export { messageIdOf, type BreachFacts, type ContractParty, type Notice } from './notice';

/**
 * The wording of every email the engine sends, given the facts the workflow recorded. Workflows
 * say which notice is due and with what facts (notice.ts); what it says lives here, beside the outbox.
 */
/** "Acme SAS's contract ACME-1 (id …)": how an email names a contract for a person. */
function contractLabel(contractId: string, party: ContractParty): string {
  const ref = party.reference ? `${party.reference} (${contractId})` : contractId;
  return party.controllerName ? `${party.controllerName}'s contract ${ref}` : `contract ${ref}`;
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

/** The GDPR 33(3) parts of a notice, each by its label in the reader's words; a part not known yet says so in them too. */
function article33Lines(w: Words, content: IncidentContent, only?: readonly string[]): string {
  const unknown = new Set(toFollow(content));
  return Object.entries(article33Content(content))
    .filter(([k]) => !only || only.includes(k))
    .map(([k, v]) => `- ${w.t(`mail.article33.${k}`)}: ${unknown.has(k) ? w.t('mail.article33.toFollow') : v}`)
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

/**
 * `w`: the words and the time zone of the controller the email goes to (its record's locale and
 * timeZone); emails to the processor's own people are in English, instants in UTC.
 */
export function composeNotice(notice: Notice, to: Recipients, w: Words = wordsFor()): OutgoingEmail {
  const dear = (name: string | undefined) => (name ? `${w.t('mail.dear', { name })}\n\n` : '');
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
      const lines = certificate.locations.map((l) =>
        w.t('mail.certificate.line', { location: l.name, destroyedAt: w.when(l.destroyedAt), objects: l.evidence.objectCount, bytes: l.evidence.bytes, manifest: l.evidence.manifestHash, method: l.evidence.method }),
      );
      return {
        ...base,
        to: notice.controllerEmail,
        subject: w.t('mail.certificate.subject', { name }),
        text:
          dear(notice.controllerName) +
          w.t('mail.certificate.body', { name, deadline: w.when(certificate.deadline), endedAt: w.when(certificate.endedAt), completedAt: w.when(certificate.completedAt), lines: lines.join('\n'), certificateId: certificate.certificateId }),
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
        subject: w.t('mail.subjectRequestForwarded.subject', { type: notice.requestType, reference: notice.requestReference, name }),
        text:
          dear(notice.controllerName) +
          w.t('mail.subjectRequestForwarded.body', { type: notice.requestType, receivedAt: w.when(notice.receivedAt), reference: notice.requestReference, deadline: w.when(notice.deadline), assistanceDue: w.when(notice.assistanceDue) }),
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
        subject: supplement ? w.t('mail.breach.supplementSubject', { number: notice.number, noticeId: notice.noticeId, name }) : w.t('mail.breach.subject', { name }),
        text:
          dear(notice.controllerName) +
          (supplement
            ? w.t('mail.breach.supplementOpening', { noticeId: notice.noticeId, name, changes: article33Lines(w, notice.content, changed) })
            : w.t('mail.breach.opening', { name, awareAt: w.when(notice.awareAt) })) +
          `${article33Lines(w, notice.content)}\n${w.t('mail.breach.contact', { dpo: to.processorDpo })}\n\n${w.t('mail.asWritten')}\n\n` +
          w.t('mail.breach.closing', { noticeId: notice.noticeId }),
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
        subject: w.t('mail.instructionObjection.subject', { documentRef: notice.documentRef, name }),
        text: dear(notice.controllerName) + w.t('mail.instructionObjection.body', { receivedAt: w.when(notice.receivedAt), name, documentRef: notice.documentRef, summary: notice.summary, reason: notice.reason }),
      };
    }
    case 'transfer-notice': {
      const name = notice.contractReference ?? notice.contractId;
      return {
        ...base,
        to: notice.controllerEmail,
        cc: notice.controllerDpoEmail ? [notice.controllerDpoEmail] : [],
        subject: w.t('mail.transfer.subject', { destination: notice.destination, name }),
        text: dear(notice.controllerName) + w.t('mail.transfer.body', { name, destination: notice.destination, plannedAt: w.when(notice.plannedAt), obligation: notice.legalObligation }),
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
        subject: w.t('mail.contactCheck.subject', { name: notice.controllerName }),
        text: `${w.t('mail.hello')}\n\n${w.t('mail.contactCheck.body', { name: notice.controllerName, url, due: w.when(notice.confirmationDue) })}`,
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
        subject: changed ? w.t('mail.dpo.changedSubject') : w.t('mail.dpo.subject', { name: contract }),
        text: dear(notice.controllerName) + (changed ? w.t('mail.dpo.changed', { dpo }) : w.t('mail.dpo.communicated', { name: contract, dpo })) + w.t('mail.dpo.closing'),
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
        subject: w.t('mail.subProcessorChange.subject', { effectiveAt: w.when(c.effectiveAt), name }),
        text:
          dear(notice.controllerName) +
          w.t('mail.subProcessorChange.body', {
            name,
            what: w.t(c.kind === 'addition' ? 'mail.subProcessorChange.addition' : 'mail.subProcessorChange.replacement'),
            subProcessor: c.subProcessor.name,
            country: c.subProcessor.country,
            role: c.subProcessor.role,
            where,
            replaces: c.replaces ? w.t('mail.subProcessorChange.replaces', { location: c.replaces }) : '',
            effectiveAt: w.when(c.effectiveAt),
            objectionDeadline: w.when(c.objectionDeadline),
            changeId: c.changeId,
          }),
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
