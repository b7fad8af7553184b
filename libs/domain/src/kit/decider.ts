import type { Instant } from '../calendar';

/**
 * The shape of every file type's domain (after Emmett): pure functions, no clock — time comes
 * in on the command. A file type is a folder under libs/domain with one of these, its timers and
 * its view; the worker runs it with `runEntity`, the store persists it as a stream.
 */
export interface Decider<Command extends { readonly type: string }, Event extends { readonly type: string }, State> {
  /** The events a command produces, or a DomainError. A repeat of something already recorded produces none. */
  decide(command: Command, state: State): Event[];
  /** Applies one event; total, so replaying a stream never throws. */
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** The next clock a file's workflow waits for, and the command it issues when the clock runs out. */
export interface Timer<Command, Kind extends string = string> {
  readonly kind: Kind;
  /** When the timer is due. */
  readonly at: Instant;
  /** The command, given when the engine acted (which a worker that was down makes later than `at`). */
  command(actedAt: Instant): Command;
}

/** The decider of a stream type, with what the event store and the workflow loop need to know of it. */
export interface StreamType<Command extends { readonly type: string }, Event extends { readonly type: string }, State> extends Decider<Command, Event, State> {
  /** The `stream_type` column and the first part of the workflow id. */
  readonly name: string;
  /** Event type → the schema version new events are written with. */
  readonly eventVersions: Readonly<Record<Event['type'], number>>;
  /** The instant an event records, for the store's `occurred_at`. */
  occurredAt(event: Event): Instant;
  /** A stored event of any schema version this type ever wrote, as the current event. */
  upcast(stored: { readonly type: string; readonly schemaVersion: number; readonly data: unknown }): Event;
  /** The next clock, or null when the file only waits for commands. */
  nextTimer(state: State): Timer<Command> | null;
  /** True once the file is closed for good: its workflow finishes. */
  isFinal(state: State): boolean;
}

/**
 * How late a timer may act and still count as on time: a workflow task runs a few milliseconds to
 * seconds after its timer fires; anything beyond this is lateness the trail and the views show.
 */
export const TIMER_TOLERANCE_MS = 60_000;

/** A timer acted on later than it was due, beyond the tolerance (a worker down across the instant). */
export function actedLate(dueAt: Instant, actedAt: Instant): boolean {
  return Date.parse(actedAt) - Date.parse(dueAt) > TIMER_TOLERANCE_MS;
}
