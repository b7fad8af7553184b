import { z } from 'zod';
import { CANONICAL_UUID } from '../fields';
import { fileType, type ContractParties } from '../kit/file-type';
import { at, body, instant, text } from '../kit/schema';
import {
  TRANSFER_NOTICE_CLOCK_EVENTS,
  TRANSFER_NOTICE_CLOCK_KINDS,
  TRANSFER_NOTICE_EMAIL,
  toTransferNoticeView,
  transferNoticeClocks,
  transferNoticeStream,
  type TransferNoticeCommand,
  type TransferNoticeState,
} from './transfer-notice.decider';

type Recorded = Exclude<TransferNoticeState, { status: 'none' }>;

/** The notice to the controller, and the DPO told when it did not go before the transfer. */
export type TransferNoticeMail = {
  readonly kind: typeof TRANSFER_NOTICE_EMAIL | 'transfer-escalation';
  readonly noticeId: string;
  readonly contractId: string;
  readonly destination: string;
  readonly legalObligation: string;
  readonly plannedAt: string;
} & ContractParties;


/** The controller told, before a transfer the law requires, unless that law forbids it (P2; DESIGN §3.3). */
export const transferNoticeType = fileType<TransferNoticeState>({
  name: 'transfer-notice',
  noun: 'transfer notice',
  parent: 'contract',
  parentIdOf: (s) => (s as Recorded).contractId,
  idPattern: CANONICAL_UUID,
  stream: transferNoticeStream,
  statuses: { pending: 'open', sent: 'final', withheld: 'final' },
  // The law that requires the transfer forbids telling the controller: its portal never shows it.
  hiddenFromController: (s) => s.status === 'withheld',
  clocks: { kinds: TRANSFER_NOTICE_CLOCK_KINDS, handles: TRANSFER_NOTICE_CLOCK_EVENTS, of: transferNoticeClocks },
  readModel: { table: 'transfer_notices', listedAt: (s) => (s as Recorded).recordedAt },
  route: { path: 'transfer-notices', param: 'tid', plural: 'transfer notices' },
  commands: {
    record: {
      summary: 'P2: a transfer the law requires; the controller is emailed before it, unless that law forbids telling it (withheldReason: recorded, nothing sent).',
      roles: ['dpo'],
      creates: true,
      schema: () => body({
        destination: text('transferDestination', { example: 'United States: a federal court', description: 'The third country or international organisation.' }),
        legalObligation: text('reason', { example: 'court order 24-cv-0113 under 18 U.S.C. § 2703', description: 'The Union or Member State law that requires the transfer.' }),
        plannedAt: instant({ description: 'When the transfer is planned: the controller is told before it.' }),
        withheldReason: text('reason', { description: 'When that law forbids telling the controller (important grounds of public interest): recorded, and no email goes out.' }).optional(),
      }),
      toCommand: (b, c): TransferNoticeCommand => ({
        type: 'RecordTransferNotice',
        data: { noticeId: c.id, contractId: c.contractId!, destination: b.destination, legalObligation: b.legalObligation, plannedAt: b.plannedAt, withheldReason: b.withheldReason ?? null, recordedAt: c.recordedAt },
      }),
    },
  },
  view: {
    of: toTransferNoticeView,
    schema: () => z.strictObject({
      id: z.string().meta({ format: 'uuid' }),
      contractId: z.string().meta({ format: 'uuid' }),
      status: z.enum(['pending', 'sent', 'withheld']),
      destination: z.string(),
      legalObligation: z.string(),
      plannedAt: at(),
      withheldReason: z.string().nullable(),
      recordedAt: at(),
      sentAt: at('When the relay accepted the email to the controller.').nullable(),
      escalatedAt: at().nullable(),
      late: z.boolean().meta({ description: 'Sent only after the planned transfer.' }),
      overdue: z.array(z.enum(['plannedAt'])),
    }),
  },
  // The notice is owed while it is pending (its receipt makes it sent); the DPO's once it was escalated.
  emails: (state, parties) => {
    const s = state as Recorded;
    const mail = (kind: TransferNoticeMail['kind']): TransferNoticeMail => ({ kind, noticeId: s.noticeId, contractId: s.contractId, destination: s.destination, legalObligation: s.legalObligation, plannedAt: s.plannedAt, ...parties });
    return [...(s.status === 'pending' ? [mail(TRANSFER_NOTICE_EMAIL)] : []), ...(s.escalated ? [mail('transfer-escalation')] : [])];
  },
});
