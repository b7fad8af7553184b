import { randomUUID } from 'node:crypto';
import {
  contractStream,
  addDuration,
  decide,
  evolve,
  initialState,
  isDomainError,
  nextTimer,
  type ContractCommand,
  type ContractEvent,
  type ContractState,
} from '#domain';
import * as f from '#domain/testing';
import { type EventStore } from '#infra/event-store/event-store';
import { toNewEvents } from '#infra/event-store/streams';
import { CONTRACT_STREAM } from '#infra/event-store/contract-projection';

/** A small deterministic PRNG so a failing workload can be replayed from its seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimulatedContract {
  readonly contractId: string;
  state: ContractState;
  version: number;
  events: ContractEvent[];
}

/** Applies a command through the domain and appends what it decides; refusals change nothing. */
export async function run(store: EventStore, c: SimulatedContract, command: ContractCommand): Promise<ContractEvent[]> {
  let events: ContractEvent[];
  try {
    events = decide(command, c.state);
  } catch (e) {
    if (isDomainError(e)) return [];
    throw e;
  }
  if (events.length === 0) return [];
  await store.append(CONTRACT_STREAM, c.contractId, c.version, toNewEvents(contractStream, events, { actor: 'workload' }));
  for (const e of events) c.state = evolve(c.state, e);
  c.version += events.length;
  c.events.push(...events);
  return events;
}

/**
 * Drives one contract through a random but lawful life: order, hand-over, some renewals (some
 * invalid, some repeated, some invoices rejected or withdrawn), maybe a notice, then expiry,
 * termination or cancellation, and part or all of the destruction.
 */
export async function randomLifecycle(store: EventStore, random: () => number, contractId = randomUUID()): Promise<SimulatedContract> {
  const c: SimulatedContract = { contractId, state: initialState(), version: 0, events: [] };
  const t0 = `2027-0${1 + Math.floor(random() * 9)}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}T08:00:00.000Z`;
  await run(store, c, f.orderContract({ contractId, orderedAt: t0, reference: random() < 0.5 ? `REF-${contractId.slice(0, 8)}` : null, billingPeriod: random() < 0.5 ? 'P1M' : 'P1Y', returnWindow: random() < 0.3 ? 'P7D' : null }));
  if (random() < 0.15) {
    await run(store, c, f.cancelContract(addDuration(t0, 'P1D')));
  } else {
    await run(store, c, f.handOverCredentials(addDuration(t0, 'P2D'), randomUUID()));
    const renewals = Math.floor(random() * 4);
    for (let i = 0; i < renewals && c.state.status === 'active'; i++) {
      const end = c.state.termEnd!;
      const invoice = `inv-${i}`;
      await run(store, c, f.acceptRenewal(invoice, end, addDuration(end, 'P1M'), end));
      if (random() < 0.3) await run(store, c, f.acceptRenewal(invoice, end, addDuration(end, 'P1M'), end));
      if (random() < 0.2) await run(store, c, f.acceptRenewal(`bad-${i}`, addDuration(end, 'P2M'), addDuration(end, 'P3M'), end));
      if (random() < 0.25) await run(store, c, f.rejectRenewal(`rejected-${i}`, end, random() < 0.5 ? 'payment failed' : null));
      if (random() < 0.25) await run(store, c, f.withdrawRenewal(`withdrawn-${i}`, end, random() < 0.5 ? 'invoice cancelled' : null));
    }
    if (random() < 0.3 && c.state.status === 'active') await run(store, c, f.noticeNonRenewal(c.state.processingStartedAt!));
    if (c.state.status === 'active') {
      if (random() < 0.4) await run(store, c, f.terminateContract(c.state.termStart!));
      else await run(store, c, f.expireContract(c.state.termEnd!));
    }
  }
  const endedAt = c.state.status === 'none' ? t0 : ((c.state as { endedAt: string | null }).endedAt ?? t0);
  await run(store, c, f.revokeCredentials(endedAt));
  if (random() < 0.2) return c;
  await run(store, c, f.scheduleDestruction(endedAt));
  // Let the contract's own timers drive what follows, as the workflow does.
  for (let step = 0; step < 12 && random() < 0.92; step++) {
    const timer = nextTimer(c.state);
    if (timer?.kind === 'return-window-end') {
      await run(store, c, timer.command(timer.at));
      continue;
    }
    const d = c.state.status === 'none' ? null : c.state.destruction;
    const pending = d?.locations.find((l) => l.status !== 'destroyed');
    if (d?.status === 'in_progress' && pending) {
      const at = addDuration(d.startedAt!, `PT${step + 1}H`);
      if (random() < 0.25) await run(store, c, f.recordLocationDestructionFailed(pending.id, at, step + 1));
      else await run(store, c, f.recordLocationDestroyed(pending.id, at));
    } else if (d?.status === 'in_progress') {
      await run(store, c, f.completeDestruction(addDuration(d.startedAt!, 'P1D'), randomUUID()));
    } else if (timer) {
      await run(store, c, timer.command(timer.at));
    }
  }
  return c;
}

/**
 * `count` handed-over contracts written straight to the store (order and hand-over decided by the
 * domain, one append each, their read models written by the append as always), with no workflow:
 * the fastest way to put many contracts where an incident's resolution reads them.
 */
export async function seedActiveContracts(store: EventStore, count: number, options: { orderedAt: string; controllerEmail(i: number): string; concurrency?: number }): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const i = next++;
      const contractId = ids[i]!;
      let state = initialState();
      const events: ContractEvent[] = [];
      const order = f.orderContract({ contractId, orderedAt: options.orderedAt, reference: null, controller: { customerId: null, name: `Controller ${i}`, email: options.controllerEmail(i), address: '1 rue de la Paix, 75002 Paris', dpoEmail: null } });
      for (const command of [order, f.handOverCredentials(addDuration(options.orderedAt, 'PT1M'), randomUUID())]) {
        for (const e of decide(command, state)) {
          state = evolve(state, e);
          events.push(e);
        }
      }
      await store.append(CONTRACT_STREAM, contractId, 0, toNewEvents(contractStream, events, { actor: 'seed' }));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, lane));
  return ids;
}
