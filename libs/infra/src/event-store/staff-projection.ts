import { STAFF_CLOCK_EVENTS, staffClocks, staffStream, type StaffState } from '../../../domain/src';
import { DeadlinesView } from './deadlines-projection';
import { type InlineProjection } from './event-store';
import { WholeStateSource, WholeStateView, type Folding } from './whole-state-projection';

type Registered = Extract<StaffState, { status: 'registered' }>;
const folding = staffStream as unknown as Folding<StaffState>;

export const staffStateSource = () => new WholeStateSource<StaffState>(staffStream.name, `SELECT r.state, r.version FROM staff r WHERE r.id = $1::uuid`, folding);

/**
 * `staff`: one row per person on the roster, their authorisations in its state (a GIN index finds
 * a contract's persons); a training's lapse in the inbox, processor-wide.
 */
export const staffProjections = (): InlineProjection<StaffState>[] => [
  new WholeStateView<StaffState>('staff', staffStream.name, 'staff', [{ name: 'received_at', type: 'timestamptz', of: (s) => (s as Registered).registeredAt, updatable: false }], (s) => s.status !== 'none'),
  new DeadlinesView<StaffState>({ streamType: staffStream.name, handles: STAFF_CLOCK_EVENTS, clocksOf: staffClocks, contractIdOf: () => null }),
];
