import { subProcessorChangeStream, subProcessorNoticeStream, type SubProcessorChangeState, type SubProcessorNoticeState } from '../../../domain/src';
import { type InlineProjection } from './event-store';
import { contractFileReadModel, WholeStateSource, WholeStateView, type Folding } from './whole-state-projection';

type Announced = Exclude<SubProcessorChangeState, { status: 'none' }>;
type Opened = Exclude<SubProcessorNoticeState, { status: 'none' }>;
const changeFolding = subProcessorChangeStream as unknown as Folding<SubProcessorChangeState>;

export const subProcessorChangeStateSource = () =>
  new WholeStateSource<SubProcessorChangeState>(subProcessorChangeStream.name, `SELECT r.state, r.version FROM sub_processor_changes r WHERE r.id = $1::uuid`, changeFolding);

/** `sub_processor_changes`: one row per announced change, processor-wide, with the location it adds. */
export const subProcessorChangeProjections = (): InlineProjection<SubProcessorChangeState>[] => [
  new WholeStateView<SubProcessorChangeState>(
    'sub-processor changes',
    subProcessorChangeStream.name,
    'sub_processor_changes',
    [
      { name: 'received_at', type: 'timestamptz', of: (s) => (s as Announced).announcedAt, updatable: false },
      { name: 'location_id', type: 'text', of: (s) => (s as Announced).location.id, updatable: false },
      { name: 'status', type: 'text', of: (s) => s.status, updatable: true },
    ],
    (s) => s.status !== 'none',
  ),
];

/** `sub_processor_notices`: one row per affected contract's notice of a change. */
export const subProcessorNoticeReadModel = contractFileReadModel<SubProcessorNoticeState>({
  stream: subProcessorNoticeStream as unknown as Folding<SubProcessorNoticeState> & { name: string },
  noun: 'sub-processor notices',
  table: 'sub_processor_notices',
  contractIdOf: (s) => (s as Opened).contractId,
  receivedAtOf: (s) => (s as Opened).openedAt,
});
