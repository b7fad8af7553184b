import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { body } from '../kit/schema';
import { BREACH_NOTICE_CLOCK_EVENTS, BREACH_NOTICE_CLOCK_KINDS, breachNoticeClocks, breachNoticeStream } from './breach-notice.decider';
import type { BreachNoticeState, OpenedBreachNotice } from './breach-notice.model';

/** The notice of a confirmed incident to one affected contract's controller (P8, GDPR 33(2); DESIGN §3.1). */
export const breachNoticeType = fileType<BreachNoticeState>({
  name: 'breach-notice',
  noun: 'breach notice',
  parent: 'contract',
  parentIdOf: (s) => (s as OpenedBreachNotice).contractId,
  idPattern: CANONICAL_UUID,
  stream: breachNoticeStream,
  statuses: { pending: 'open', sent: 'open', acknowledged: 'open', closed: 'final' },
  // Art. 33(1): telling the supervisory authority within 72 hours is the controller's duty.
  clocks: { kinds: BREACH_NOTICE_CLOCK_KINDS, handles: BREACH_NOTICE_CLOCK_EVENTS, of: breachNoticeClocks, controllers: ['breach-notice-authority'] },
  readModel: {
    table: 'breach_notices',
    listedAt: (s) => (s as OpenedBreachNotice).openedAt,
    columns: [{ name: 'incident_id', type: 'uuid', of: (s) => (s as OpenedBreachNotice).incidentId, updatable: false }],
  },
  controllerActs: {
    acknowledge: {
      act: 'Acknowledge receipt of this notice',
      done: 'Your acknowledgement is recorded. Telling your supervisory authority within 72 hours of your awareness remains yours to do.',
      schema: () => body({}),
      preset: (at) => ({ acknowledgedAt: at }),
      offered: (s: BreachNoticeState) => s.status === 'sent',
    },
  },
});
