import { CANONICAL_UUID } from '../fields';
import { isBefore } from '../calendar';
import { fileType } from '../kit/file-type';
import { body, text } from '../kit/schema';
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
  controllerActs: {
    object: {
      act: 'Object to this change',
      done: 'Your objection is recorded: your agreement keeps its locations, and your account manager takes it up with you.',
      schema: () => body({ reason: text('reason', { example: 'Our policy keeps backups at two sites we audited' }) }),
      offered: (s: SubProcessorNoticeState, at: string) => s.status === 'announced' && isBefore(at, s.change.objectionDeadline),
    },
  },
});
