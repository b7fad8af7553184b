import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { TRANSFER_NOTICE_CLOCK_EVENTS, TRANSFER_NOTICE_CLOCK_KINDS, transferNoticeClocks, transferNoticeStream, type TransferNoticeState } from './transfer-notice.decider';

type Recorded = Exclude<TransferNoticeState, { status: 'none' }>;

/** The controller told, before a transfer the law requires, unless that law forbids it (P2; DESIGN §3.3). */
export const transferNoticeType = fileType<TransferNoticeState>({
  name: 'transfer-notice',
  noun: 'transfer notice',
  parent: 'contract',
  parentIdOf: (s) => (s as Recorded).contractId,
  idPattern: CANONICAL_UUID,
  stream: transferNoticeStream,
  statuses: { pending: 'open', sent: 'final', withheld: 'final' },
  clocks: { kinds: TRANSFER_NOTICE_CLOCK_KINDS, handles: TRANSFER_NOTICE_CLOCK_EVENTS, of: transferNoticeClocks },
  readModel: { table: 'transfer_notices', listedAt: (s) => (s as Recorded).recordedAt },
});
