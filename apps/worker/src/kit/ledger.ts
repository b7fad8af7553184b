import type { UpdateDefinition } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, currentUpdateInfo, isCancellation, log, proxyLocalActivities, setHandler, workflowInfo, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import { isDomainError, type Decider } from '#domain';
import { DOMAIN_FAILURE, type Actor, type DomainFailureDetails, type Snapshot } from '#infra/temporal/messages';
import type { Activities } from '../activities';
import type { FollowerActivities, FollowInput } from '../activities/followers';
import type { Notice } from '../mail/notice';

/**
 * Activities that write PostgreSQL (the event store, the vault, the outbox): while PostgreSQL is
 * down the workflow waits in them, losing nothing; a refused write is final.
 */
/**
 * A processor-wide fan-out to every contract it concerns (a DPO change, a sub-processor change):
 * long, retried, beating every 5 s whatever a page costs — so a worker killed mid-way is found
 * within 20 s and the next attempt (idempotent: stable message and workflow ids) goes on.
 */
export const FAN_OUT_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '5 minutes', backoffCoefficient: 2 },
};

export const DATABASE_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['ConcurrencyError', 'EventStoreError', 'VaultError'] },
};

/**
 * The same, run inside the workflow task (local activities): an update answers once its events are
 * stored, without a further round trip through the server for an activity task. Each is
 * idempotent (a retried append of the same events writes nothing), so a task retried after a
 * crash writes nothing twice. Past `localRetryThreshold` a retry waits on a timer instead of
 * holding the task open.
 */
export const DATABASE_LOCAL_ACTIVITY: LocalActivityOptions = {
  startToCloseTimeout: DATABASE_ACTIVITY.startToCloseTimeout,
  localRetryThreshold: '10 seconds',
  retry: DATABASE_ACTIVITY.retry,
};

/** The event store activities every file's workflow appends and catches up through. */
export const store = proxyLocalActivities<Pick<Activities, 'appendEvents' | 'appendEventsAndNotices' | 'readEvents'>>(DATABASE_LOCAL_ACTIVITY);

/**
 * News the activity storing its events could not tell at its one try, or of events folded in from
 * the store: told on its own by the file's loop (Ledger.tellUntold), past its attempts given up with
 * a warning, so the file's own work never waits on its followers for good.
 */
const followers = proxyLocalActivities<FollowerActivities>({ ...DATABASE_LOCAL_ACTIVITY, retry: { ...DATABASE_LOCAL_ACTIVITY.retry, maximumAttempts: 10 } });

/**
 * What the followers of a stream's owner must hear of a change of its state (DESIGN §3.10: a
 * contract that starts or ends processing, for its controller's files that follow it), or null.
 * Told by the local activity that stores the events making the change, once they are stored.
 */
export type CommitNews<S> = (before: S, after: S) => FollowInput | null;

/**
 * The emails a commit's events make owed, put in the outbox by the same local activity as the
 * events (`Ledger.commit`): `claim` takes those of the state after the events that are not in the
 * outbox yet and marks them awaited (a delivery report may come before the activity's result
 * does); `release` undoes that when the append fails.
 */
export interface CommitMail<S> {
  claim(state: S): readonly Notice[];
  release(notices: readonly Notice[]): void;
}

/** Catch-ups one commit may need before it gives up: each folds in what the stream holds beyond the workflow's version. */
const MAX_CATCH_UPS = 3;

/** The store's refusal of an append at a version the stream has left (wrapped by the activity failure, or not). */
function isConcurrencyFailure(e: unknown): boolean {
  if (e instanceof ActivityFailure) return isConcurrencyFailure(e.cause);
  return e instanceof ApplicationFailure && e.type === 'ConcurrencyError';
}

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
  private caughtUp: E[] = [];
  /** The validators' decisions by update id, each taken by its handler's first commit. */
  private readonly admitted = new Map<string, { readonly version: number; readonly command: string; readonly events: E[]; readonly state: S }>();
  /** What the stream's followers must hear of each commit (see `followedBy`). */
  private news: CommitNews<S> = () => null;
  /** News not told with its events, for the file's loop to tell (`tellUntold`). */
  private readonly untold: FollowInput[] = [];

  constructor(
    private readonly decider: Decider<C, E, S>,
    private readonly streamType: string,
    private readonly streamId: string,
    public state: S,
    public version: number,
  ) {}

  /** Every commit from now on tells `news` of the change its events make, with them (CommitNews). */
  followedBy(news: CommitNews<S>): void {
    this.news = news;
  }

  /**
   * Tells, each on its own, the news no append could: its one try with the events failed, or the
   * events were folded in from the store. Called by the file's loop (runEntity), outside the
   * commands' queue: a command never waits on a follower.
   */
  async tellUntold(): Promise<void> {
    for (let news = this.untold.shift(); news; news = this.untold.shift()) {
      await followers.followProcessing(news).catch((e: unknown) => {
        if (isCancellation(e)) throw e;
        log.warn("the stream's followers could not be told", { error: (e as Error)?.name });
      });
    }
  }

  /** News is waiting for `tellUntold`. */
  hasUntold(): boolean {
    return this.untold.length > 0;
  }

  snapshot(): Snapshot<S> {
    return { state: this.state, version: this.version };
  }

  /**
   * For an update validator: refuses what the domain refuses, before it enters history. Its
   * decision is kept for the update's handler, which runs right after it: while the stream has not
   * moved, the handler stores these events rather than decide again. On replay no validator runs
   * and the handler decides (the same pure decision).
   */
  admit(command: C, consequences?: (state: S) => readonly C[]): void {
    const decision = this.decideAll(command, consequences);
    const update = currentUpdateInfo()?.id;
    if (update) this.admitted.set(update, { version: this.version, command: JSON.stringify(command), ...decision });
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
  async commit(command: C, actor: Actor, consequences?: (state: S) => readonly C[], mail?: CommitMail<S>): Promise<E[]> {
    this.caughtUp = [];
    const update = currentUpdateInfo()?.id;
    // The validator's decision stands only for the very command it decided, on the stream as it was.
    let admitted = update ? this.admitted.get(update) : undefined;
    if (update) this.admitted.delete(update);
    if (admitted && admitted.command !== JSON.stringify(command)) admitted = undefined;
    for (let catchUps = 0; ; catchUps++) {
      const { events, state } = admitted?.version === this.version ? admitted : this.decideAll(command, consequences);
      admitted = undefined;
      if (events.length === 0) return events;
      const append = {
        streamType: this.streamType,
        streamId: this.streamId,
        expectedVersion: this.version,
        events,
        metadata: { actor: actor.role, keyId: actor.keyId ?? null, workflowId: workflowInfo().workflowId },
      };
      const notices = mail?.claim(state) ?? [];
      const news = this.news(this.state, state);
      try {
        if (notices.length > 0 || news) {
          // The events stand even when the outbox refused a notice for good: that one is owed again.
          const { unsent, untold } = await store.appendEventsAndNotices({ ...append, notices, ...(news ? { news } : {}) });
          mail?.release(notices.filter((_, i) => unsent.includes(i)));
          if (untold && news) this.untold.push(news);
        } else await store.appendEvents(append);
      } catch (e) {
        mail?.release(notices);
        if (catchUps < MAX_CATCH_UPS && isConcurrencyFailure(e) && (await this.catchUp())) continue;
        throw e;
      }
      this.state = state;
      this.version += events.length;
      return events;
    }
  }

  private decideAll(command: C, consequences?: (state: S) => readonly C[]): { events: E[]; state: S } {
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
    return { events, state };
  }

  /**
   * The stream holds events past this workflow's version: its own, appended by a workflow task that
   * crashed before it completed (a local activity is recorded with its task, not before), then
   * replayed with its commands in another order. They are this workflow's decisions: fold them in,
   * then decide again on the state they lead to. False when there was nothing to fold.
   */
  private async catchUp(): Promise<boolean> {
    const missed = (await store.readEvents({ streamType: this.streamType, streamId: this.streamId, afterVersion: this.version })) as E[];
    const before = this.state;
    for (const event of missed) this.state = this.decider.evolve(this.state, event);
    this.version += missed.length;
    this.caughtUp.push(...missed);
    // The crashed task may have stored them without telling their followers: told again by the
    // file's loop (a count told twice changes nothing).
    const news = this.news(before, this.state);
    if (news) this.untold.push(news);
    return missed.length > 0;
  }

  /**
   * The events the last commit folded in from the store rather than decided. For a timer's
   * command they are its own outcome from the task that crashed (the command, decided again
   * with a later instant, then finds nothing to do): what follows from it must still happen.
   */
  takeCaughtUp(): E[] {
    const events = this.caughtUp;
    this.caughtUp = [];
    return events;
  }

  /**
   * Registers an update whose command the domain decides: its validator refuses what the domain
   * refuses before the update enters history; its handler decides again on the state it finds,
   * stores (with the emails `mail` claims of the state it leads to), and answers the snapshot.
   * `build` makes the command from the input and the instant.
   */
  onCommand<I extends { readonly actor: Actor }>(update: UpdateDefinition<Snapshot<S>, [I]>, build: (input: I, at: string) => C, consequences?: (state: S) => readonly C[], mail?: CommitMail<S>): void {
    setHandler(update, (input) => this.execute((at) => build(input, at), input.actor, consequences, mail), { validator: (input) => this.admit(build(input, now()), consequences) });
  }

  /** `commit` in turn, answering the snapshot after it: the shape every update returns. */
  execute(command: (at: string) => C, actor: Actor, consequences?: (state: S) => readonly C[], mail?: CommitMail<S>): Promise<Snapshot<S>> {
    const at = now();
    return this.serially(async () => {
      await this.commit(command(at), actor, consequences, mail);
      return this.snapshot();
    });
  }
}
