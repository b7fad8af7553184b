import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { subProcessorNoticeStream, type SubProcessorNoticeState } from './sub-processor-notice.decider';

type Opened = Exclude<SubProcessorNoticeState, { status: 'none' }>;

/** A sub-processor change as one affected contract's controller is told of it and may object (GDPR 28(2); DESIGN §3.8). */
export const subProcessorNoticeType = fileType<SubProcessorNoticeState>({
  name: 'sub-processor-notice',
  noun: 'sub-processor change',
  parent: 'contract',
  parentIdOf: (s) => (s as Opened).contractId,
  idPattern: CANONICAL_UUID,
  stream: subProcessorNoticeStream,
  statuses: { announced: 'open', objected: 'open', applying: 'open', kept: 'final', applied: 'final', lapsed: 'final' },
  clocks: null,
  readModel: { table: 'sub_processor_notices', listedAt: (s) => (s as Opened).openedAt },
});
