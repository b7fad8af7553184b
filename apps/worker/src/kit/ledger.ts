import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, proxyActivities, setHandler, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import { isDomainError, type Decider } from '../../../../libs/domain/src';
import { DOMAIN_FAILURE, type Actor, type DomainFailureDetails, type Snapshot } from '../../../../libs/infra/src/temporal/messages';
import type { Activities } from '../activities';

/**
 * Activities that write PostgreSQL (the event store, the vault, the outbox): while PostgreSQL is
 * down the workflow waits in them, losing nothing; a refused write is final.
 */
export const DATABASE_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['ConcurrencyError', 'EventStoreError', 'VaultError'] },
};

/** The event store activity every file's workflow appends through. */
export const store = proxyActivities<Pick<Activities, 'appendEvents'>>(DATABASE_ACTIVITY);

/** Workflow time (deterministic: Temporal replays it) as an ISO-8601 instant. */
export const now = (): string => new Date(Date.now()).toISOString();

export const msUntil = (instant: string | number): number => Math.max(1, (typeof instant === 'number' ? instant : Date.parse(instant)) - Date.now());

/** A passed instant is acted on in the same task: a timer for it would only add events and a task. */
export const isDue = (instant: string): boolean => Date.parse(instant) <= Date.now();

export const ENGINE: Actor = { role: 'engine' };

/** A domain refusal as a failure the caller can read: type DomainError, details[0] = {code, kind}. */
export function asFailure(e: unknown): unknown {
  if (!isDomainError(e)) return e;
  const details: DomainFailureDetails = { code: e.code, kind: e.kind, ...(e.details ? { details: e.details } : {}) };
  return ApplicationFailure.create({ type: DOMAIN_FAILURE, message: e.message, details: [details], nonRetryable: true });
}

/** A domain refusal as `asFailure` made it (as opposed to an activity or store failure). */
export function isDomainFailure(e: unknown): boolean {
  return e instanceof ApplicationFailure && e.type === DOMAIN_FAILURE;
}

/**
 * One stream as the workflow that owns it holds it: state and version, changed only by events the
 * domain decided and the event store accepted. Commands run one at a time (handlers interleave at
 * every await), so each decides on the state left by the one before.
 */
export class Ledger<C extends { type: string }, E extends { type: string }, S> {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly decider: Decider<C, E, S>,
    private readonly streamType: string,
    private readonly streamId: string,
    public state: S,
    public version: number,
  ) {}

  snapshot(): Snapshot<S> {
    return { state: this.state, version: this.version };
  }

  /** For an update validator: refuses what the domain refuses, before it enters history. */
  admit(command: C): void {
    try {
      this.decider.decide(command, this.state);
    } catch (e) {
      throw asFailure(e);
    }
  }

  /** Queues `work` behind every earlier one. */
  serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Decides `command`, then whatever `consequences` asks of the state it leads to, and stores all
   * their events in one append: a fact and what it entails (an end and its destruction deadline)
   * are never seen apart. Nothing changes unless the events are in the store.
   */
  async commit(command: C, actor: Actor, consequences?: (state: S) => readonly C[]): Promise<E[]> {
    const events: E[] = [];
    let state = this.state;
    const decide = (c: C) => {
      let decided: E[];
      try {
        decided = this.decider.decide(c, state);
      } catch (e) {
        throw asFailure(e);
      }
      for (const event of decided) state = this.decider.evolve(state, event);
      events.push(...decided);
    };
    decide(command);
    if (events.length > 0) for (const next of consequences?.(state) ?? []) decide(next);
    if (events.length === 0) return events;
    await store.appendEvents({
      streamType: this.streamType,
      streamId: this.streamId,
      expectedVersion: this.version,
      events,
      metadata: { actor: actor.role, keyId: actor.keyId ?? null, workflowId: workflowInfo().workflowId },
    });
    this.state = state;
    this.version += events.length;
    return events;
  }

  /**
   * Registers an update whose command the domain decides: its validator refuses what the domain
   * refuses before the update enters history; its handler decides again on the state it finds,
   * stores, and answers the snapshot. `build` makes the command from the input and the instant.
   */
  onCommand<I extends { readonly actor: Actor }>(update: UpdateDefinition<Snapshot<S>, [I]>, build: (input: I, at: string) => C, consequences?: (state: S) => readonly C[]): void {
    setHandler(update, (input) => this.execute((at) => build(input, at), input.actor, consequences), { validator: (input) => this.admit(build(input, now())) });
  }

  /** `commit` in turn, answering the snapshot after it: the shape every update returns. */
  execute(command: (at: string) => C, actor: Actor, consequences?: (state: S) => readonly C[]): Promise<Snapshot<S>> {
    const at = now();
    return this.serially(async () => {
      await this.commit(command(at), actor, consequences);
      return this.snapshot();
    });
  }
}
