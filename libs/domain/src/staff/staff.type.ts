import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { STAFF_CLOCK_EVENTS, STAFF_CLOCK_KINDS, staffClocks, staffStream, type StaffState } from './staff.decider';

type Registered = Exclude<StaffState, { status: 'none' }>;

/** A person on the roster of authorised persons, with undertaking, trainings and authorisations (P3, P4; DESIGN §3.4). */
export const staffType = fileType<StaffState>({
  name: 'staff',
  noun: 'authorised person',
  parent: 'processor',
  idPattern: CANONICAL_UUID,
  stream: staffStream,
  // A register entry has no end: a person leaves by losing their authorisations.
  statuses: { registered: 'open' },
  clocks: { kinds: STAFF_CLOCK_KINDS, handles: STAFF_CLOCK_EVENTS, of: staffClocks },
  readModel: { table: 'staff', listedAt: (s) => (s as Registered).registeredAt },
});
