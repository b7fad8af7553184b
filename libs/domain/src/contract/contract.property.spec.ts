import { UTCDate } from '@date-fns/utc';
import { addMonths } from 'date-fns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { destructionDeadline, maxInstant, parseInstant, type Instant } from '../calendar';
import { isDomainError } from '../errors';
import { CONTROLLER, evidence, exported, orderContract } from '../testing/factories';
import { commandAvailability } from './contract.availability';
import type { ContractCommand } from './contract.commands';
import { decide } from './contract.decide';
import { EVENT_SCHEMA_VERSIONS, occurredAt, type ContractEvent } from './contract.events';
import { evolve, fold } from './contract.evolve';
import { initialState, type ContractState } from './contract.state';
import { CONTRACT_CLOCK_EVENTS, nextTimer, openClocks } from './contract.timers';
import { upcast } from './contract.upcasting';

// Random but plausible command sequences with increasing instants, invalid ones included,
// checked against the invariants of the lifecycle after every step.

const LOCATIONS = ['web-platform', 'ovh-sbg-2', 'ovh-gra-1', 'company-backup-le-tholonet', 'aws-us-east-1'];
const DAY_MIN = 24 * 60;

type Action =
  | { k: 'order'; billingPeriod: string; grace: string | null; returnWindow: string | null; narrowed: boolean }
  | { k: 'handover'; cred: number }
  | { k: 'accept'; invoice: number; startOffsetDays: number; lengthDays: number; acceptOffsetDays: number }
  | { k: 'reject' | 'withdraw'; invoice: number }
  | { k: 'notice' | 'expire' | 'terminate' | 'cancel' | 'revoke' | 'start' | 'escalate' | 'missed' | 'complete' | 'timer' }
  | { k: 'schedule'; margin: string | null }
  | { k: 'request' | 'serve'; id: number }
  | { k: 'destroyed' | 'failed'; loc: number }
  | { k: 'destroyAll' };

interface Step {
  readonly advanceMinutes: number;
  readonly action: Action;
}

const simple = (k: 'notice' | 'expire' | 'terminate' | 'cancel' | 'revoke' | 'start' | 'escalate' | 'missed' | 'complete' | 'timer') =>
  fc.constant<Action>({ k });

const orderAction: fc.Arbitrary<Action> = fc.record({
  k: fc.constant('order' as const),
  billingPeriod: fc.constantFrom('P1M', 'P1Y', 'P3M', 'PT36H', 'P2W'),
  grace: fc.constantFrom(null, 'P5D', 'PT12H'),
  returnWindow: fc.constantFrom(null, 'P14D', 'P1M'),
  narrowed: fc.boolean(),
});

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 1, arbitrary: orderAction },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('handover' as const), cred: fc.nat(2) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('accept' as const),
      invoice: fc.nat(4),
      startOffsetDays: fc.integer({ min: -20, max: 3 }),
      lengthDays: fc.integer({ min: -5, max: 400 }),
      acceptOffsetDays: fc.integer({ min: -30, max: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constantFrom('reject' as const, 'withdraw' as const), invoice: fc.nat(4) }) },
  { weight: 1, arbitrary: simple('notice') },
  { weight: 2, arbitrary: simple('expire') },
  { weight: 1, arbitrary: simple('terminate') },
  { weight: 1, arbitrary: simple('cancel') },
  { weight: 3, arbitrary: simple('revoke') },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('schedule' as const), margin: fc.constantFrom(null, 'P7D', 'P3M') }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constantFrom('request' as const, 'serve' as const), id: fc.nat(2) }) },
  { weight: 3, arbitrary: simple('start') },
  { weight: 8, arbitrary: fc.record({ k: fc.constantFrom('destroyed' as const, 'failed' as const), loc: fc.nat(4) }) },
  { weight: 2, arbitrary: fc.constant<Action>({ k: 'destroyAll' }) },
  { weight: 1, arbitrary: simple('escalate') },
  { weight: 1, arbitrary: simple('missed') },
  { weight: 3, arbitrary: simple('complete') },
  { weight: 6, arbitrary: simple('timer') },
);

const step = (a: fc.Arbitrary<Action>): fc.Arbitrary<Step> =>
  fc.record({ advanceMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 45 * DAY_MIN })), action: a });

const scenario = fc.tuple(step(orderAction), fc.array(step(action), { minLength: 1, maxLength: 80, size: 'max' })).map(([first, rest]) => [first, ...rest]);

const days = (at: Instant, n: number): Instant => parseInstant(new Date(Date.parse(at) + n * DAY_MIN * 60_000).toISOString());

function commandsFor(a: Action, now: Instant, s: ContractState): ContractCommand[] {
  if (a.k === 'destroyAll') {
    const pending = s.status === 'none' ? [] : s.destruction.locations.filter((l) => l.status !== 'destroyed');
    return pending.map((l) => ({ type: 'RecordLocationDestroyed', data: { locationId: l.id, destroyedAt: now, evidence: evidence(now) } }));
  }
  const command = commandFor(a, now, s);
  return command === null ? [] : [command];
}

function commandFor(a: Exclude<Action, { k: 'destroyAll' }>, now: Instant, s: ContractState): ContractCommand | null {
  const termEnd = s.status === 'none' ? null : s.termEnd;
  switch (a.k) {
    case 'order':
      return orderContract({
        billingPeriod: a.billingPeriod,
        renewalGracePeriod: a.grace,
        returnWindow: a.returnWindow,
        orderedAt: now,
        catalog: a.narrowed ? { storageLocations: ['web-platform', 'ovh-gra-1'] } : null,
      });
    case 'handover':
      return { type: 'HandOverCredentials', data: { credentialId: `cred-${a.cred}`, kind: 'ssh', host: 'web.acme.example', handedOverAt: now } };
    case 'accept': {
      const base = termEnd ?? now;
      const start = days(base, a.startOffsetDays);
      return {
        type: 'AcceptRenewal',
        data: { invoiceId: `inv-${a.invoice}`, coveredPeriod: { start, end: days(start, a.lengthDays) }, acceptedAt: days(now, a.acceptOffsetDays), receivedAt: now },
      };
    }
    case 'reject':
      return { type: 'RejectRenewal', data: { invoiceId: `inv-${a.invoice}`, rejectedAt: now, reason: null } };
    case 'withdraw':
      return { type: 'WithdrawRenewal', data: { invoiceId: `inv-${a.invoice}`, withdrawnAt: now, reason: 'superseded' } };
    case 'notice':
      return { type: 'NoticeNonRenewal', data: { noticedAt: now, reason: null } };
    case 'expire':
      return { type: 'ExpireContract', data: { actedAt: now } };
    case 'terminate':
      return { type: 'TerminateContract', data: { terminatedAt: now, reason: 'client request' } };
    case 'cancel':
      return { type: 'CancelContract', data: { cancelledAt: now, reason: 'order withdrawn' } };
    case 'revoke':
      return { type: 'RevokeCredentials', data: { revokedAt: now } };
    case 'schedule':
      return { type: 'ScheduleDestruction', data: { scheduledAt: now, escalationMargin: a.margin } };
    case 'request':
      return { type: 'RequestDataExport', data: { requestId: `x-${a.id}`, requestedAt: now } };
    case 'serve':
      return { type: 'ServeDataExport', data: { requestId: `x-${a.id}`, servedAt: now, locations: [exported('web-platform')] } };
    case 'start':
      return { type: 'StartDestruction', data: { actedAt: now } };
    case 'destroyed':
      return { type: 'RecordLocationDestroyed', data: { locationId: LOCATIONS[a.loc]!, destroyedAt: now, evidence: evidence(now) } };
    case 'failed':
      return { type: 'RecordLocationDestructionFailed', data: { locationId: LOCATIONS[a.loc]!, failedAt: now, attempt: 1, reason: 'storage.timeout' } };
    case 'escalate':
      return { type: 'EscalateDestruction', data: { actedAt: now } };
    case 'missed':
      return { type: 'MarkDeadlineMissed', data: { actedAt: now } };
    case 'complete':
      return { type: 'CompleteDestruction', data: { completedAt: now, certificateId: 'cert-1' } };
    case 'timer':
      return nextTimer(s)?.command(now) ?? null;
  }
}

interface Run {
  readonly events: ContractEvent[];
  readonly states: ContractState[];
  readonly outcomes: { command: ContractCommand; before: ContractState; produced: ContractEvent[] | null; error: unknown }[];
}

function run(steps: readonly Step[]): Run {
  let now: Instant = '2027-01-01T00:00:00.000Z';
  let state = initialState();
  const events: ContractEvent[] = [];
  const states: ContractState[] = [state];
  const outcomes: Run['outcomes'] = [];
  for (const { advanceMinutes, action: a } of steps) {
    now = parseInstant(new Date(Date.parse(now) + advanceMinutes * 60_000).toISOString());
    if (a.k === 'timer') {
      const t = nextTimer(state);
      if (t !== null) now = maxInstant(now, t.at);
    }
    for (const command of commandsFor(a, now, state)) {
      let produced: ContractEvent[] | null = null;
      let error: unknown = null;
      try {
        produced = decide(command, state);
      } catch (e) {
        error = e;
      }
      outcomes.push({ command, before: state, produced, error });
      if (produced !== null) {
        for (const e of produced) state = evolve(state, e);
        events.push(...produced);
      }
      states.push(state);
    }
  }
  return { events, states, outcomes };
}

const RUNS = { numRuns: 250 };

describe('lifecycle invariants over random command sequences', () => {
  it('refusals are DomainErrors that never carry the controller’s personal data', () =>
    fc.assert(
      fc.property(scenario, (steps) => {
        for (const { error } of run(steps).outcomes) {
          if (error === null) continue;
          expect(isDomainError(error), String(error)).toBe(true);
          const said = JSON.stringify({ m: (error as Error).message, d: (error as { details?: unknown }).details ?? null });
          for (const value of Object.values(CONTROLLER).filter((v) => v !== null)) expect(said).not.toContain(value);
        }
      }),
      RUNS,
    ));

  it('L7/L12: no processing after the end — no hand-over or renewal succeeds and processing dates never change', () =>
    fc.assert(
      fc.property(scenario, (steps) => {
        const { outcomes, states } = run(steps);
        for (const { command, before, produced } of outcomes) {
          if (before.status === 'none' || before.endedAt === null) continue;
          if (command.type === 'HandOverCredentials' || command.type === 'AcceptRenewal') expect(produced ?? []).toEqual([]);
        }
        const processingDates = (s: ContractState) =>
          s.status === 'none' ? null : [s.processingStartedAt, s.termStart, s.termEnd, s.endedAt];
        const firstEnded = states.find((s) => s.status !== 'none' && s.endedAt !== null);
        if (firstEnded === undefined) return;
        for (const s of states.slice(states.indexOf(firstEnded))) expect(processingDates(s)).toEqual(processingDates(firstEnded));
      }),
      RUNS,
    ));

  it('P11/L8: the destruction deadline is always exactly the end + P2M (checked against date-fns)', () =>
    fc.assert(
      fc.property(scenario, (steps) => {
        for (const s of run(steps).states) {
          if (s.status === 'none' || s.destruction.deadline === null) continue;
          expect(s.endedAt).not.toBeNull();
          const end = s.endedAt as Instant;
          expect(s.destruction.deadline).toBe(destructionDeadline(end));
          expect(s.destruction.deadline).toBe(addMonths(new UTCDate(end), 2).toISOString());
        }
      }),
      RUNS,
    ));

  it('§3.9: an event the deadlines read model does not handle never changes the open clocks', () =>
    fc.assert(
      fc.property(scenario, (steps) => {
        for (const { before, produced } of run(steps).outcomes) {
          let state = before;
          for (const e of produced ?? []) {
            const next = evolve(state, e);
            if (!CONTRACT_CLOCK_EVENTS.has(e.type)) expect(openClocks(next), e.type).toEqual(openClocks(state));
            state = next;
          }
        }
      }),
      RUNS,
    ));

  it('L3: each invoice id extends the term at most once', () =>
    fc.assert(
      fc.property(scenario, (steps) => {
        const accepted = run(steps).events.flatMap((e) => (e.type === 'RenewalAccepted' ? [e.data.invoiceId] : []));
        expect(new Set(accepted).size).toBe(accepted.length);
      }),
      RUNS,
    ));

  it('L3/L4: the term end never decreases', () =>
    fc.assert(
      fc.property(scenario, (steps) => {
        let last: number | null = null;
        for (const s of run(steps).states) {
          if (s.status === 'none' || s.termEnd === null) continue;
          const t = Date.parse(s.termEnd);
          if (last !== null) expect(t).toBeGreaterThanOrEqual(last);
          last = t;
        }
      }),
      RUNS,
    ));

  it('evolve never throws on events decide produced, and folding them rebuilds exactly the same state', () =>
    fc.assert(
      fc.property(scenario, (steps) => {
        const { events, states } = run(steps);
        const final = states[states.length - 1]!;
        expect(fold(events)).toEqual(final);
        expect(JSON.parse(JSON.stringify(final))).toEqual(final);
        const reloaded = events.map((e) => upcast(JSON.parse(JSON.stringify({ type: e.type, schemaVersion: EVENT_SCHEMA_VERSIONS[e.type], data: e.data }))));
        expect(fold(reloaded)).toEqual(final);
        for (const e of events) expect(parseInstant(occurredAt(e))).toBe(occurredAt(e));
      }),
      RUNS,
    ));

  it('a command the availability marks as refused never produces events', () =>
    fc.assert(
      fc.property(scenario, (steps) => {
        for (const { command, before, produced } of run(steps).outcomes) {
          if (produced !== null && produced.length > 0) expect(commandAvailability(before)[command.type]).toEqual({ allowed: true });
        }
      }),
      RUNS,
    ));

  it('L12: once destroyed, every command is refused', () =>
    fc.assert(
      fc.property(scenario, (steps) => {
        for (const { before, error } of run(steps).outcomes) {
          if (before.status === 'destroyed') expect(isDomainError(error) && error.code).toBe('contract.destroyed');
        }
      }),
      RUNS,
    ));

  it('the generator reaches every end of the lifecycle', () => {
    const finals = fc.sample(scenario, { numRuns: 400, seed: 42 }).map((steps) => run(steps).states.at(-1)!.status);
    for (const status of ['active', 'expired', 'terminated', 'cancelled', 'destroyed']) expect(finals).toContain(status);
  });
});
