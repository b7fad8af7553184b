import { ApplicationFailure, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { decide, evolve, initialState, isDomainError, type ContractCommand, type ContractEvent, type ContractState } from '../../../../libs/domain/src';
import {
  acceptRenewalUpdate,
  cancelUpdate,
  DOMAIN_FAILURE,
  HANDED_OFF_FAILURE,
  handOverCredentialsUpdate,
  noticeNonRenewalUpdate,
  rejectRenewalUpdate,
  renewalAcceptedSignal,
  terminateUpdate,
  withdrawRenewalUpdate,
  type AcceptRenewalInput,
  type Actor,
  type ContractSnapshot,
  type DomainFailureDetails,
} from '../../../../libs/infra/src/temporal/messages';
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

/** A passed instant is acted on in the same task: a timer for it would only add events and a task. */
export const isDue = (instant: string): boolean => Date.parse(instant) <= Date.now();

/** A domain refusal as a failure the caller can read: type DomainError, details[0] = {code, kind}. */
export function asFailure(e: unknown): unknown {
  if (!isDomainError(e)) return e;
  const details: DomainFailureDetails = { code: e.code, kind: e.kind, ...(e.details ? { details: e.details } : {}) };
  return ApplicationFailure.create({ type: DOMAIN_FAILURE, message: e.message, details: [details], nonRetryable: true });
}

/** After an unexpected failure (not a domain refusal) a loop waits this long before trying again. */
export const UNEXPECTED_FAILURE_BACKOFF = '1 minute';

/** A domain refusal as `asFailure` made it (as opposed to an activity or store failure). */
export function isDomainFailure(e: unknown): boolean {
  return e instanceof ApplicationFailure && e.type === DOMAIN_FAILURE;
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
  private heldBy: string | null = null;

  constructor(
    public state: ContractState,
    public version: number,
    private readonly append: (expectedVersion: number, events: ContractEvent[], actor: Actor) => Promise<unknown>,
  ) {}

  snapshot(): ContractSnapshot {
    return { state: this.state, version: this.version };
  }

  /**
   * From now on `workflowId` holds the stream and this ledger refuses every command: two workflows
   * appending at the same version would fail each other's appends.
   */
  handOff(workflowId: string): void {
    this.heldBy = workflowId;
  }

  /** For an update validator: refuses what the domain refuses, before it enters history. */
  admit(command: ContractCommand): void {
    this.assertHeld();
    validate(command, this.state);
  }

  private assertHeld(): void {
    if (this.heldBy !== null) {
      throw ApplicationFailure.create({ type: HANDED_OFF_FAILURE, message: `the contract's stream is now held by workflow ${this.heldBy}`, nonRetryable: true });
    }
  }

  /** Queues `work` behind every earlier one. */
  serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Decides, stores, then applies: nothing changes unless the events are in the store. */
  async commit(command: ContractCommand, actor: Actor): Promise<ContractEvent[]> {
    this.assertHeld();
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

/**
 * The contract's commands, registered by whichever workflow holds its stream: contractWorkflow
 * until processing ends, then dataDestructionWorkflow, so that a command arriving after the end
 * still gets the domain's answer (renewal.late_acceptance, contract.ended, …) and one the domain
 * still allows (rejecting an invoice, repeating an acceptance) is still recorded.
 */
export function handleContractCommands(ledger: ContractLedger, contractId: string, onRenewal: () => void = () => undefined): void {
  const acceptRenewal = ({ invoiceId, coveredPeriod, acceptedAt, actor }: AcceptRenewalInput) =>
    ledger.serially(async () => {
      const events = await ledger.commit({ type: 'AcceptRenewal', data: { invoiceId, coveredPeriod, acceptedAt } }, actor);
      if (events.length > 0) onRenewal();
      return ledger.snapshot();
    });

  setHandler(
    handOverCredentialsUpdate,
    ({ credentialId, kind, host, sealed, actor }) => {
      const at = now();
      return ledger.serially(async () => {
        // Validate before the sealed secret is stored anywhere; store it before the event says it is.
        ledger.admit({ type: 'HandOverCredentials', data: { credentialId, kind, host, handedOverAt: at } });
        await store.storeCredential({ contractId, credentialId, kind, host, sealed });
        await ledger.commit({ type: 'HandOverCredentials', data: { credentialId, kind, host, handedOverAt: at } }, actor);
        return ledger.snapshot();
      });
    },
    { validator: ({ credentialId, kind, host }) => ledger.admit({ type: 'HandOverCredentials', data: { credentialId, kind, host, handedOverAt: now() } }) },
  );
  setHandler(acceptRenewalUpdate, acceptRenewal, {
    validator: ({ invoiceId, coveredPeriod, acceptedAt }) => ledger.admit({ type: 'AcceptRenewal', data: { invoiceId, coveredPeriod, acceptedAt } }),
  });
  // Fire-and-forget: a refusal has no one to answer it; it changes nothing.
  setHandler(renewalAcceptedSignal, (input) => acceptRenewal(input).then(() => undefined, () => undefined));
  setHandler(rejectRenewalUpdate, ({ invoiceId, reason, actor }) => ledger.execute((at) => ({ type: 'RejectRenewal', data: { invoiceId, reason, rejectedAt: at } }), actor), {
    validator: ({ invoiceId, reason }) => ledger.admit({ type: 'RejectRenewal', data: { invoiceId, reason, rejectedAt: now() } }),
  });
  setHandler(withdrawRenewalUpdate, ({ invoiceId, reason, actor }) => ledger.execute((at) => ({ type: 'WithdrawRenewal', data: { invoiceId, reason, withdrawnAt: at } }), actor), {
    validator: ({ invoiceId, reason }) => ledger.admit({ type: 'WithdrawRenewal', data: { invoiceId, reason, withdrawnAt: now() } }),
  });
  setHandler(noticeNonRenewalUpdate, ({ reason, actor }) => ledger.execute((at) => ({ type: 'NoticeNonRenewal', data: { reason, noticedAt: at } }), actor), {
    validator: ({ reason }) => ledger.admit({ type: 'NoticeNonRenewal', data: { reason, noticedAt: now() } }),
  });
  setHandler(terminateUpdate, ({ reason, actor }) => ledger.execute((at) => ({ type: 'TerminateContract', data: { reason, terminatedAt: at } }), actor), {
    validator: ({ reason }) => ledger.admit({ type: 'TerminateContract', data: { reason, terminatedAt: now() } }),
  });
  setHandler(cancelUpdate, ({ reason, actor }) => ledger.execute((at) => ({ type: 'CancelContract', data: { reason, cancelledAt: at } }), actor), {
    validator: ({ reason }) => ledger.admit({ type: 'CancelContract', data: { reason, cancelledAt: now() } }),
  });
}
