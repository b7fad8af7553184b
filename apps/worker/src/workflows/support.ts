import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { decide, evolve, initialState, isDomainError, type ContractCommand, type ContractEvent, type ContractState } from '../../../../libs/domain/src';
import { DOMAIN_FAILURE, type Actor, type ContractSnapshot, type DomainFailureDetails } from '../../../../libs/infra/src/temporal/messages';
import type { Activities } from '../activities';

/** Event store, vault and outbox activities. */
export const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // While PostgreSQL is down the workflow waits here, losing nothing; a refused append is final.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['ConcurrencyError', 'EventStoreError'] },
});

/** Workflow time (deterministic: Temporal replays it) as an ISO-8601 instant. */
export const now = (): string => new Date(Date.now()).toISOString();

export const msUntil = (instant: string): number => Math.max(1, Date.parse(instant) - Date.now());

/** A domain refusal as a failure the caller can read: type DomainError, details[0] = {code, kind}. */
export function asFailure(e: unknown): unknown {
  if (!isDomainError(e)) return e;
  const details: DomainFailureDetails = { code: e.code, kind: e.kind, ...(e.details ? { details: e.details } : {}) };
  return ApplicationFailure.create({ type: DOMAIN_FAILURE, message: e.message, details: [details], nonRetryable: true });
}

/** Runs `decide` for a validator: a refusal rejects the update before it enters history. */
export function validate(command: ContractCommand, state: ContractState): void {
  try {
    decide(command, state);
  } catch (e) {
    throw asFailure(e);
  }
}

/**
 * The contract's stream as one workflow holds it: state and version, changed only by events the
 * domain decided and the event store accepted. Commands run one at a time (handlers interleave at
 * every await), so each decides on the state left by the one before.
 */
export class ContractLedger {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    public state: ContractState,
    public version: number,
    private readonly append: (expectedVersion: number, events: ContractEvent[], actor: Actor) => Promise<unknown>,
  ) {}

  snapshot(): ContractSnapshot {
    return { state: this.state, version: this.version };
  }

  /** Queues `work` behind every earlier one. */
  serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Decides, stores, then applies: nothing changes unless the events are in the store. */
  async commit(command: ContractCommand, actor: Actor): Promise<ContractEvent[]> {
    let events: ContractEvent[];
    try {
      events = decide(command, this.state);
    } catch (e) {
      throw asFailure(e);
    }
    if (events.length === 0) return events;
    await this.append(this.version, events, actor);
    for (const event of events) this.state = evolve(this.state, event);
    this.version += events.length;
    return events;
  }

  /** `commit` in turn, answering the snapshot after it: the shape every update returns. */
  execute(command: (at: string) => ContractCommand, actor: Actor): Promise<ContractSnapshot> {
    const at = now();
    return this.serially(async () => {
      await this.commit(command(at), actor);
      return this.snapshot();
    });
  }
}

export const ENGINE: Actor = { role: 'engine' };

/** The ledger of one contract's stream, appending through the event store activity. */
export function contractLedger(contractId: string, carried: ContractSnapshot | undefined): ContractLedger {
  return new ContractLedger(carried?.state ?? initialState(), carried?.version ?? 0, (expectedVersion, events, actor) =>
    store.appendEvents({ contractId, expectedVersion, events, metadata: { actor: actor.role, keyId: actor.keyId ?? null, workflowId: workflowInfo().workflowId } }),
  );
}
