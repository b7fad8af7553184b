import { TRANSFER_NOTICE_CLOCK_EVENTS, transferNoticeClocks, transferNoticeStream, type TransferNoticeState } from '../../../domain/src';
import { DeadlinesView } from './deadlines-projection';
import { type InlineProjection } from './event-store';
import { WholeStateSource, WholeStateView, type Folding } from './whole-state-projection';

export const TRANSFER_NOTICE_STREAM = transferNoticeStream.name;
type Recorded = Exclude<TransferNoticeState, { status: 'none' }>;

export const transferNoticeStateSource = () =>
  new WholeStateSource<TransferNoticeState>(TRANSFER_NOTICE_STREAM, `SELECT r.state, r.version FROM transfer_notices r WHERE r.id = $1::uuid`, transferNoticeStream as unknown as Folding<TransferNoticeState>);

/** `transfer_notices`: one row per notice under its contract; its planned date in the inbox until sent. */
export const transferNoticeProjections = (): InlineProjection<TransferNoticeState>[] => [
  new WholeStateView<TransferNoticeState>(
    'transfer notices',
    TRANSFER_NOTICE_STREAM,
    'transfer_notices',
    [
      { name: 'contract_id', type: 'uuid', of: (s) => (s as Recorded).contractId, updatable: false },
      { name: 'status', type: 'text', of: (s) => s.status, updatable: true },
      { name: 'received_at', type: 'timestamptz', of: (s) => (s as Recorded).recordedAt, updatable: false },
    ],
    (s) => s.status !== 'none',
  ),
  new DeadlinesView<TransferNoticeState>({
    streamType: TRANSFER_NOTICE_STREAM,
    handles: TRANSFER_NOTICE_CLOCK_EVENTS,
    clocksOf: transferNoticeClocks,
    contractIdOf: (_, state) => (state.status === 'none' ? null : state.contractId),
  }),
];
