import { EventStore1796000000000 } from './1796000000000-event-store';

/** Every migration, in order. Listed explicitly so that sources and builds load the same set. */
export const migrations = [EventStore1796000000000];
