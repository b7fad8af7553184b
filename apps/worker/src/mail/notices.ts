import type { DestructionCertificate } from '../../../../libs/domain/src';
import type { OutgoingEmail } from './outbox';

/**
 * The wording of every email the engine sends, given the facts the workflow recorded. Workflows
 * say which notice is due and with what facts; what it says lives here, beside the outbox.
 */
export type Notice =
  | { readonly kind: 'escalation'; readonly contractId: string; readonly deadline: string; readonly margin: string | null; readonly pendingLocations: readonly string[] }
  | { readonly kind: 'deadline-missed'; readonly contractId: string; readonly deadline: string; readonly pendingLocations: readonly string[] }
  | { readonly kind: 'certificate'; readonly contractId: string; readonly reference: string | null; readonly controllerEmail: string; readonly certificate: DestructionCertificate };

/** Where the processor's DPO is written to (PROCESSOR_DPO_EMAIL). */
export interface Recipients {
  readonly processorDpo: string;
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
  }
}
