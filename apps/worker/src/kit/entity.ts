import { allHandlersFinished, condition, ContinueAsNew, isCancellation, log, sleep, workflowInfo } from '@temporalio/workflow';
import type { RecordEmailSent, StreamType, Timer } from '#domain';
import type { Snapshot } from '#infra/temporal/messages';
import { ENGINE, isDomainFailure, isDue, Ledger, msUntil, now, type CommitMail } from './ledger';
import { MailReceipts } from './mail';

/*
 * Adding a file type: docs/adding-a-file-type.md. A type declares itself once (libs/domain/src/<type>/
 * <type>.type.ts, listed in file-types.ts); its workflow opens its ledger, registers its updates
 * with `ledger.onCommand`, and runs this loop.
 */

/** After an unexpected failure (not a domain refusal) a loop waits this long before trying again. */
export const UNEXPECTED_FAILURE_BACKOFF = 60_000;

/** A final file waiting for its last emails' receipts wakes this often (see runEntity). */
export const RECEIPT_WAIT_MS = 3_600_000;

/** A run's history past this many events continues as new even before Temporal suggests it. */
export const MAX_HISTORY_EVENTS = 1_000;

/**
 * A run older than this continues as new too, however short its history: a quiet file (a yearly
 * contract, a register entry) would otherwise keep one run for a decade, and some servers cap a
 * run's life (the time-skipping test server at ten years).
 */
export const MAX_RUN_AGE_MS = 365 * 24 * 3_600_000;

/**
 * The file's stream as its workflow holds it, with its emails' receipts (MailReceipts): every
 * stream type records them (`withEmailReceipts`). Call it first, before any await: the receipt
 * signal's handler is registered here.
 */
export function openLedger<C extends { type: string }, E extends { type: string }, S>(
  stream: StreamType<C | RecordEmailSent, E, S>,
  streamId: string,
  carried: Snapshot<S> | undefined,
): FileLedger<C, E, S> {
  const ledger = new Ledger<C | RecordEmailSent, E, S>(stream, stream.name, streamId, carried?.state ?? stream.initialState(), carried?.version ?? 0);
  const mail = new MailReceipts(ledger as unknown as Ledger<RecordEmailSent, { type: string }, unknown>, carried?.mail);
  return Object.assign(ledger, { mail, carry: () => ({ ...ledger.snapshot(), mail: mail.carry() }) });
}

export type FileLedger<C extends { type: string }, E extends { type: string }, S> = Ledger<C | RecordEmailSent, E, S> & {
  readonly mail: MailReceipts;
  /** The snapshot continue-as-new carries: the stream and the emails still awaited. */
  carry(): Snapshot<S>;
};

export interface EntityHooks<C, E, S> {
  /**
   * Work of the file's own at each turn (start detached tasks, record what they found); may commit.
   * Nothing when there is nothing to do: a turn then makes no promise (the SDK records a stack for
   * each one a workflow makes, for its stack-trace query).
   */
  step?(): Promise<void> | undefined;
  /** Further instants the loop wakes at (retry rounds of detached work), epoch ms. */
  wakeTimes?(): readonly number[];
  /** Changes a detached task made that the loop must look at (bumped by the task). */
  wakes?(): number;
  /** Commands whose events go in the same append as a timer's (see Ledger.commit). */
  consequences?(state: S): readonly C[];
  /** The emails a timer's events make owed, put in the outbox with them (see Ledger.commit). */
  readonly mail?: CommitMail<S>;
  /** After a timer's events are stored: notices it entails. */
  afterTimer?(timer: Timer<C>, events: readonly E[]): Promise<void>;
  /**
   * Once the file is final, before its last receipts are awaited: what it still owes. A closing
   * command retried after a crash may find its events already stored and be refused, never
   * reaching the step that owes its emails.
   */
  final?(): Promise<void> | undefined;
  /** False while detached work is in flight: continue-as-new waits for it. */
  idle?(): boolean;
  /** Continues the workflow as new with the stream as it stands (and whatever the file carries). */
  continueAsNew(snapshot: Snapshot<S>): Promise<never>;
}

/**
 * The loop every file's workflow runs: it owns the stream until the file is final, issues the
 * command of each timer as it comes due (recording when it acted), sleeps until the next timer,
 * command or wake-up, and continues as new when the history grows long. Commands arrive through
 * the update handlers the workflow registered on the same ledger.
 */
/**
 * One timer per instant, started once and never cancelled: a command that wakes the loop first
 * leaves it running, and it wakes the loop (harmlessly) when it fires. Cancelling a timer that
 * fired while the task was with the worker strands the run on the time-skipping test server
 * (temporalio/sdk-java#3088), and saves nothing on a real one.
 */
const wakeTimers = new Map<number, { fired: boolean }>();
/** Whether the timer for `until` (started now if none runs) has fired: a wait's condition, not a promise raced against it. */
function rungAt(until: number): () => boolean {
  let timer = wakeTimers.get(until);
  if (!timer) {
    const started = { fired: false };
    // Rejected only when the workflow is cancelled, which the condition waited on reports.
    void sleep(msUntil(until)).then(
      () => {
        started.fired = true;
        wakeTimers.delete(until);
      },
      () => undefined,
    );
    wakeTimers.set(until, (timer = started));
  }
  return () => timer.fired;
}

export async function runEntity<C extends { type: string }, E extends { type: string }, S>(
  stream: StreamType<C | RecordEmailSent, E, S>,
  ledger: FileLedger<C, E, S>,
  hooks: EntityHooks<C | RecordEmailSent, E, S>,
): Promise<void> {
  while (!stream.isFinal(ledger.state)) {
    try {
      // What the file's followers were not told with its events (Ledger.tellUntold).
      if (ledger.hasUntold()) await ledger.tellUntold();
      const stepping = hooks.step?.();
      if (stepping) await stepping;
    } catch (e) {
      if (isCancellation(e) || e instanceof ContinueAsNew) throw e;
      // The file's own work failed past its activities' retries (a refused write): the file stays
      // open and tries again later, rather than failing its workflow and every later command.
      log.warn('a step of the file failed; trying again', { error: (e as Error)?.name });
      await sleep(UNEXPECTED_FAILURE_BACKOFF);
      continue;
    }
    if (stream.isFinal(ledger.state)) break;

    const info = workflowInfo();
    const old = Date.now() - info.runStartTime.getTime() > MAX_RUN_AGE_MS;
    if ((info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS || old) && (hooks.idle?.() ?? true)) {
      await condition(allHandlersFinished);
      // News is not carried: told before the run ends.
      if (ledger.hasUntold()) await ledger.tellUntold();
      await hooks.continueAsNew(ledger.carry());
    }

    const timer = stream.nextTimer(ledger.state);
    if (!timer || !isDue(timer.at)) {
      const until = Math.min(timer ? Date.parse(timer.at) : Infinity, ...(hooks.wakeTimes?.() ?? []));
      const seenVersion = ledger.version;
      const seenWakes = hooks.wakes?.() ?? 0;
      const changed = () => ledger.version !== seenVersion || (hooks.wakes?.() ?? 0) !== seenWakes || ledger.hasUntold();
      if (Number.isFinite(until)) {
        const rung = rungAt(until);
        await condition(() => changed() || rung());
      } else await condition(changed);
      continue;
    }

    let events: E[];
    try {
      // The timer's command carries the workflow's own time at this step: late if the worker was down.
      events = await ledger.serially(() => ledger.commit(timer.command(now()), ENGINE, hooks.consequences, hooks.mail));
    } catch (e) {
      // A refusal means a command got in first (a renewal before expiry): the loop looks again.
      // Anything else (the store refusing the append) must not spin: wait, then try again.
      const recovered = ledger.takeCaughtUp();
      if (recovered.length > 0) await hooks.afterTimer?.(timer, recovered);
      else if (!isDomainFailure(e)) await sleep(UNEXPECTED_FAILURE_BACKOFF);
      continue;
    }
    // This timer's events were stored by a task that crashed before it completed: they stand.
    if (events.length === 0) events = ledger.takeCaughtUp();
    if (events.length === 0) {
      // A due timer the domain says is already met must not spin either.
      await sleep(UNEXPECTED_FAILURE_BACKOFF);
      continue;
    }
    await hooks.afterTimer?.(timer, events);
  }
  // The file is final: its followers hear of its last events, and its last emails' receipts still belong in its trail.
  if (ledger.hasUntold()) await ledger.tellUntold();
  if (hooks.final) {
    try {
      await hooks.final();
    } catch (e) {
      if (isCancellation(e) || e instanceof ContinueAsNew) throw e;
      // Refused for good (a retryable failure is retried inside its activity): a closed file does
      // not fail its workflow for it, nor loop on it; the warning says what was not sent.
      log.warn('a closed file could not put what it still owes in the outbox', { error: (e as Error)?.name });
    }
  }
  const settled = () => allHandlersFinished() && ledger.mail.settled();
  while (!settled()) {
    // A relay down for long: the wait's hourly wake-ups continue as new before the history grows long.
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS) {
      await condition(allHandlersFinished);
      await hooks.continueAsNew(ledger.carry());
    }
    // Woken hourly as well as by each report: a time-skipping test server, seeing only this
    // wait, would otherwise jump straight to the run's timeout.
    const rung = rungAt(Date.now() + RECEIPT_WAIT_MS);
    await condition(() => settled() || rung());
  }
}
