import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDuration, termEnd } from '#domain';
import { MAX_HISTORY_EVENTS } from '../../../apps/worker/src/kit/entity';
import { acceptRenewalUpdate, contractWorkflowId } from '#infra/temporal/messages';
import { BILLING, dataOf, DAY, expectActedOnTime, timeSkippingEngine, type TimeSkippingEngine } from '../../support/engine';

let engine: TimeSkippingEngine;
beforeAll(async () => {
  engine = await timeSkippingEngine();
});
afterAll(async () => engine?.teardown());


describe('a long-lived contract on the time-skipping server', () => {
  it('L2/L3/L5: a 10-year monthly contract renews 120 times in runs of bounded history (continue-as-new), then expires at the 121st chained term end and is destroyed', async () => {
    const { contractId, handle } = await engine.order({ reference: 'ACME-10Y' });
    await engine.sleepUntil('2027-01-31T00:00:00.000Z');
    const { anchor } = await engine.handOver(contractId);
    expect(anchor.slice(0, 10)).toBe('2027-01-31');
    const end = (n: number) => termEnd(anchor, 'P1M', n);

    for (let n = 1; n <= 120; n++) {
      await engine.sleepUntil(new Date(Date.parse(end(n)) - 2 * DAY).toISOString());
      const { state } = await engine.env.client.workflow.getHandle(contractWorkflowId(contractId)).executeUpdate(acceptRenewalUpdate, {
        args: [{ invoiceId: `inv-${n}`, coveredPeriod: { start: end(n), end: end(n + 1) }, acceptedAt: await engine.now(), actor: BILLING }],
      });
      expect(state).toMatchObject({ status: 'active', termEnd: end(n + 1) });
    }

    const final = end(121);
    // Chained from the anchor: Jan 31 + 121 months clamps to the end of February 2037, never drifting.
    expect(final.slice(0, 10)).toBe('2037-02-28');
    await engine.waitForDestruction(contractId);
    // The one workflow ran from the order to the certificate.
    const last = await handle.result();
    expect(last.state).toMatchObject({ status: 'destroyed', endKind: 'expired', endedAt: final, termEnd: final });
    expect(last.state.status === 'destroyed' && last.state.renewals).toHaveLength(120);

    const events = await engine.events(contractId);
    expect(dataOf(events, 'RenewalAccepted').map((r) => r.coveredPeriod.end)).toEqual(Array.from({ length: 120 }, (_, i) => end(i + 2)));
    const [expired, ...more] = dataOf(events, 'ContractExpired');
    expect(more).toEqual([]);
    expect(expired).toMatchObject({ termEnd: final });
    expectActedOnTime(expired, final);
    expect(dataOf(events, 'DestructionScheduled')[0]).toMatchObject({ endedAt: final, deadline: addDuration(final, 'P2M') });
    expect(events.at(-1)!.type).toBe('DestructionCompleted');
    expect(await engine.store.verify(contractId)).toMatchObject({ valid: true });

    // Ten years do not fit one run: the workflow continued as new at least once a year, each run's
    // history bounded, the state carried.
    const runs = await engine.runs(handle.workflowId, handle.firstExecutionRunId);
    expect(runs.length).toBeGreaterThanOrEqual(10);
    for (const runId of runs) {
      const { events: history } = await engine.env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      expect(history!.length).toBeLessThan(MAX_HISTORY_EVENTS + 100);
    }
  });
});
