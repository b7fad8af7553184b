import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { subProcessorChangeStream, type SubProcessorChangeState } from './sub-processor-change.decider';

type Announced = Exclude<SubProcessorChangeState, { status: 'none' }>;

/** An intended addition or replacement of a sub-processor, processor-wide (GDPR 28(2), 28(4); DESIGN §3.8). */
export const subProcessorChangeType = fileType<SubProcessorChangeState>({
  name: 'sub-processor-change',
  noun: 'sub-processor change',
  parent: 'processor',
  idPattern: CANONICAL_UUID,
  stream: subProcessorChangeStream,
  statuses: { announced: 'open', notified: 'open', effective: 'final' },
  clocks: null,
  readModel: {
    table: 'sub_processor_changes',
    listedAt: (s) => (s as Announced).announcedAt,
    columns: [{ name: 'location_id', type: 'text', of: (s) => (s as Announced).location.id, updatable: false }],
  },
});
