import type { DestructionCertificate } from '../../../../libs/domain/src';
import type { OutgoingEmail } from './outbox';

/**
 * The wording of every email the engine sends, given the facts the workflow recorded. Workflows
 * say which notice is due and with what facts; what it says lives here, beside the outbox.
 */
export type Notice =
  | { readonly kind: 'escalation'; readonly contractId: string; readonly deadline: string; readonly margin: string | null; readonly pendingLocations: readonly string[] }
  | { readonly kind: 'deadline-missed'; readonly contractId: string; readonly deadline: string; readonly pendingLocations: readonly string[] }
  | { readonly kind: 'certificate'; readonly contractId: string; readonly reference: string | null; readonly controllerEmail: string; readonly certificate: DestructionCertificate }
  | ({ readonly kind: 'subject-request-forwarded' } & SubjectRequestFacts & { readonly controllerEmail: string; readonly controllerDpoEmail: string | null; readonly contractReference: string | null })
  | ({ readonly kind: 'assistance-reminder' | 'assistance-escalation' } & SubjectRequestFacts);

/** What a subject request's emails say of it: references and dates, never the person (DESIGN §3). */
export interface SubjectRequestFacts {
  readonly requestId: string;
  readonly contractId: string;
  readonly requestType: string;
  readonly requestReference: string;
  readonly receivedAt: string;
  readonly deadline: string;
  readonly assistanceDue: string;
}

/** Where the processor's DPO (PROCESSOR_DPO_EMAIL) and account management (ACCOUNT_MANAGEMENT_EMAIL) are written to. */
export interface Recipients {
  readonly processorDpo: string;
  readonly accountManagement: string;
}

export function composeNotice(notice: Notice, to: Recipients): OutgoingEmail {
  const base = { messageId: `${notice.contractId}:${notice.kind}`, contractId: notice.contractId, kind: notice.kind };
  switch (notice.kind) {
    case 'escalation':
      return {
        ...base,
        to: to.processorDpo,
        subject: `[DPA] Destruction not complete ${notice.margin ?? 'P7D'} before its deadline — contract ${notice.contractId}`,
        text:
          `The destruction of contract ${notice.contractId}'s data is not complete and its deadline is ${notice.deadline} (P11: two calendar months after the end of the contract).\n` +
          `Locations still pending: ${notice.pendingLocations.join(', ')}.\nThe engine keeps trying.`,
      };
    case 'deadline-missed':
      return {
        ...base,
        to: to.processorDpo,
        subject: `[DPA] Destruction deadline missed — contract ${notice.contractId}`,
        text:
          `The deadline ${notice.deadline} for destroying contract ${notice.contractId}'s data has passed (breach of P11).\n` +
          `Locations still pending: ${notice.pendingLocations.join(', ')}.\nThe engine keeps trying.`,
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
          `All personal data processed under contract ${name} has been destroyed ` +
          `(clause 11: within two months of the end of the contract, ${certificate.deadline}).\n\n` +
          `Contract ended: ${certificate.endedAt}\nDestruction completed: ${certificate.completedAt}\n\n${lines.join('\n')}\n\n` +
          `Certificate ${certificate.certificateId} is attached.`,
        attachments: [{ filename: `destruction-certificate-${certificate.certificateId}.json`, content: JSON.stringify(certificate, null, 2), contentType: 'application/json' }],
      };
    }
    case 'subject-request-forwarded': {
      const name = notice.contractReference ?? notice.contractId;
      return {
        messageId: `${notice.requestId}:forwarded`,
        contractId: notice.contractId,
        kind: notice.kind,
        to: notice.controllerEmail,
        cc: notice.controllerDpoEmail ? [notice.controllerDpoEmail] : [],
        subject: `Data-subject request received for you — ${notice.requestType}, ref. ${notice.requestReference} (contract ${name})`,
        text:
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
        messageId: `${notice.requestId}:${notice.kind}:${notice.assistanceDue}`,
        contractId: notice.contractId,
        kind: notice.kind,
        to: escalation ? to.processorDpo : to.accountManagement,
        subject: escalation
          ? `[DPA] Assistance overdue on a data-subject request — ${notice.requestType}, ref. ${notice.requestReference}, contract ${notice.contractId}`
          : `[DPA] Assistance due ${notice.assistanceDue} on a data-subject request — ${notice.requestType}, ref. ${notice.requestReference}`,
        text:
          `Data-subject request ${notice.requestId} (${notice.requestType}, ref. ${notice.requestReference}) under contract ${notice.contractId}, received ${notice.receivedAt}.\n` +
          `Our help to the controller is due ${notice.assistanceDue}; the controller's own deadline is ${notice.deadline}.\n` +
          (escalation ? 'The assistance target has passed and the request is still open (P7).' : 'Record the completion once the controller has what it needs.'),
      };
    }
  }
}
