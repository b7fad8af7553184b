import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDuration, STORAGE_LOCATIONS, subtractDuration } from '#domain';
import { contractWorkflowId, requestDataExportUpdate, snapshotQuery, terminateUpdate } from '#infra/temporal/messages';
import { StorageError, type StorageLocationAdapter } from '../../../apps/worker/src/storage/storage-adapter';
import { DeadlineQueries } from '../../../apps/api/src/deadlines/deadlines.service';
import { dataOf, DAY, expectActedOnTime, domainRefusal, HOUR, MANAGER, recordHistory, shift, timeSkippingEngine, type TimeSkippingEngine } from '../../support/engine';

interface Outage {
  readonly location: string;
  /** Server time, [from, until). */
  readonly from: number;
  readonly until: number;
}

/** The outages each contract's data meets, by contract id. */
const outages = new Map<string, Outage[]>();
const FLAKY = 'ovh-gra-1';
const OTHER = 'ovh-sbg-2';

/** A location's filesystem adapter, unavailable while the activity's attempt (server time) falls in an outage. */
class FlakyLocation implements StorageLocationAdapter {
  constructor(
    private readonly id: string,
    private readonly inner: StorageLocationAdapter,
  ) {}

  get method() {
    return this.inner.method;
  }

  private reachable(contractId: string): void {
    const at = Context.current().info.currentAttemptScheduledTimestampMs;
    if ((outages.get(contractId) ?? []).some((o) => o.location === this.id && at >= o.from && at < o.until)) {
      throw new StorageError('storage.unavailable', 'the backup site does not answer');
    }
  }

  async inventory(contractId: string) {
    this.reachable(contractId);
    return this.inner.inventory(contractId);
  }

  async destroy(contractId: string, progress: (removed: number) => void, signal?: AbortSignal) {
    this.reachable(contractId);
    return this.inner.destroy(contractId, progress, signal);
  }

  async remaining(contractId: string) {
    this.reachable(contractId);
    return this.inner.remaining(contractId);
  }

  async exportTo(contractId: string, targetDir: string) {
    this.reachable(contractId);
    return this.inner.exportTo(contractId, targetDir);
  }
}

let engine: TimeSkippingEngine;
beforeAll(async () => {
  engine = await timeSkippingEngine({
    storage: (registry) => new Map([...registry].map(([id, adapter]) => [id, new FlakyLocation(id, adapter)])),
  });
});
afterAll(async () => engine?.teardown());

const ms = (instant: string) => Date.parse(instant);
const contractHandle = (contractId: string) => engine.env.client.workflow.getHandle(contractWorkflowId(contractId));
const dpoMail = () => engine.mail.messages.filter((m) => m.to.includes('dpo@processor.example'));

/** Orders, hands over and terminates a contract now; answers when processing ended. */
async function terminated(contractId?: string, order: { returnWindow?: string } = {}) {
  const { contractId: id, handle } = await engine.order({ ...(contractId ? { contractId } : {}), ...order });
  await engine.handOver(id);
  const { state } = await handle.executeUpdate(terminateUpdate, { args: [{ reason: 'client left', actor: MANAGER }] });
  if (state.status !== 'terminated') throw new Error(`expected a terminated contract, got ${state.status}`);
  return { contractId: id, endedAt: state.endedAt, deadline: addDuration(state.endedAt, 'P2M') };
}

/** The destruction workflow once the contract workflow has handed over (real time; the clock is locked). */
async function destructionRunning(contractId: string) {
  await expect.poll(() => contractHandle(contractId).query(snapshotQuery).then(() => true, () => false), { timeout: 10_000 }).toBe(true);
}

describe('dataDestructionWorkflow on the time-skipping server', () => {
  it("L9: an export request inside the return window is served from every location before destruction, which starts at the window's end; one after it is refused", async () => {
    const contractId = randomUUID();
    const { endedAt } = await terminated(contractId, { returnWindow: 'P14D' });
    const windowEnd = addDuration(endedAt, 'P14D');
    const requestAt = shift(endedAt, 3 * DAY);
    // The backup site is down when the request comes (the export waits for it), and again as the window closes.
    outages.set(contractId, [
      { location: FLAKY, from: ms(requestAt) - HOUR, until: ms(requestAt) + 2 * HOUR },
      { location: FLAKY, from: ms(windowEnd), until: ms(windowEnd) + DAY },
    ]);
    await destructionRunning(contractId);

    await engine.sleepUntil(requestAt);
    const requested = await contractHandle(contractId).executeUpdate(requestDataExportUpdate, { args: [{ requestId: 'export-1', actor: MANAGER }] });
    expect(requested.state).toMatchObject({ destruction: { status: 'scheduled', exportRequests: [{ requestId: 'export-1', servedAt: null }] } });

    await engine.sleepUntil(shift(requestAt, 6 * HOUR));
    const [served] = dataOf(await engine.events(contractId), 'DataExportServed');
    expect(ms(served!.servedAt)).toBeGreaterThanOrEqual(ms(requestAt) + 2 * HOUR);
    expect(served!.locations.map((l) => l.locationId).sort()).toEqual(STORAGE_LOCATIONS.map((l) => l.id).sort());
    for (const l of served!.locations) {
      expect(l).toMatchObject({ objectCount: 6, manifestHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
      const exported = path.join(engine.config.storage.exportRoot, contractId, 'export-1', l.locationId);
      const files = fs.readdirSync(exported, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
      expect(files).toHaveLength(6);
    }
    expect((await engine.events(contractId)).some((e) => e.type === 'DestructionStarted')).toBe(false);
    for (const l of STORAGE_LOCATIONS) expect(fs.existsSync(path.join(engine.storageRoot, l.id, contractId))).toBe(true);

    await engine.sleepUntil(shift(windowEnd, 2 * HOUR));
    expect(await domainRefusal(contractHandle(contractId).executeUpdate(requestDataExportUpdate, { args: [{ requestId: 'export-2', actor: MANAGER }] }))).toMatchObject({
      code: 'export.outside_return_window',
    });

    await engine.waitForDestruction(contractId);
    const events = await engine.events(contractId);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t.startsWith('DataExport'))).toEqual(['DataExportRequested', 'DataExportServed']);
    expect(types.indexOf('DataExportServed')).toBeLessThan(types.indexOf('DestructionStarted'));
    expectActedOnTime(dataOf(events, 'DestructionStarted')[0], windowEnd);
    // The certificate, then the proof that it went out: its Message-ID, recipients, and the sha256 of the bytes the relay took.
    expect(types.at(-1)).toBe('DestructionCompleted');
    const [receipt] = await engine.receipts(contractId, 1);
    const caught = engine.mail.messages.find((m) => m.messageId === `<${contractId}.certificate@dpa-engine>`)!;
    expect(receipt!.data).toMatchObject({ messageId: caught.messageId, key: `${contractId}:certificate`, kind: 'certificate', to: caught.to, sha256: createHash('sha256').update(caught.raw).digest('hex') });
    await recordHistory('destruction-after-export', contractHandle(contractId));
  });

  describe('a backup site down for weeks', () => {
    type Ended = Awaited<ReturnType<typeof terminated>>;
    let threeWeeks: Ended;
    let recovering: Ended;
    let lost: Ended;
    // The contracts end together, so their weeks of failed rounds run side by side on one clock.
    beforeAll(async () => {
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of [a, b, c]) outages.set(id, [{ location: FLAKY, from: 0, until: Number.MAX_SAFE_INTEGER }]);
      threeWeeks = await terminated(c);
      recovering = await terminated(a);
      lost = await terminated(b);
      outages.set(c, [{ location: FLAKY, from: 0, until: ms(threeWeeks.endedAt) + 21 * DAY }]);
      outages.set(a, [{ location: FLAKY, from: 0, until: ms(subtractDuration(recovering.deadline, 'P7D')) + DAY }]);
      // Another site of the lost contract comes back after a day, while the first never does.
      outages.set(b, [...outages.get(b)!, { location: OTHER, from: 0, until: ms(lost.endedAt) + DAY }]);
    });

    it('L10/L11: a backup site unavailable for 3 weeks is destroyed once it is back, well before the deadline, without escalation', async () => {
      const { contractId, endedAt, deadline } = threeWeeks;
      await engine.waitForDestruction(contractId);
      const events = await engine.events(contractId);

      const failures = dataOf(events, 'LocationDestructionFailed');
      expect(failures.length).toBeGreaterThan(50);
      expect(failures.every((f) => f.locationId === FLAKY && ms(f.failedAt) < ms(endedAt) + 21 * DAY)).toBe(true);
      const destroyed = dataOf(events, 'LocationDestroyed');
      expect(destroyed.map((d) => d.locationId).sort()).toEqual(STORAGE_LOCATIONS.map((l) => l.id).sort());
      expect(ms(destroyed.find((d) => d.locationId === FLAKY)!.destroyedAt)).toBeLessThan(ms(endedAt) + 21 * DAY + 7 * HOUR);
      expect(events.some((e) => e.type === 'DestructionEscalated' || e.type === 'DestructionDeadlineMissed')).toBe(false);
      expect(events.filter((e) => e.type !== 'EmailSent').at(-1)).toMatchObject({ type: 'DestructionCompleted', data: { certificate: { withinDeadline: true, deadline } } });
      await engine.mail.waitFor((m) => m.subject.startsWith('Certificate of destruction') && m.subject.includes(contractId));
      expect(dpoMail().filter((m) => m.subject.includes(contractId))).toHaveLength(0);
    });

    it('L11: a backup site unavailable until after deadline − P7D escalates once, at that instant, then destruction completes before the deadline', async () => {
      const { contractId, endedAt, deadline } = recovering;
      const escalationAt = subtractDuration(deadline, 'P7D');
      const recovery = ms(escalationAt) + DAY;

      await engine.waitForDestruction(contractId);
      const events = await engine.events(contractId);

      // Due at deadline − P7D, and acted on then (within the tolerance): the worker was up.
      const [escalated, ...more] = dataOf(events, 'DestructionEscalated');
      expect(more).toEqual([]);
      expect(escalated).toMatchObject({ deadline, pendingLocations: [FLAKY] });
      expectActedOnTime(escalated, escalationAt);
      expect(events.some((e) => e.type === 'DestructionDeadlineMissed')).toBe(false);

      const failures = dataOf(events, 'LocationDestructionFailed');
      expect(failures.length).toBeGreaterThan(100);
      expect(failures.every((f) => f.locationId === FLAKY && f.reason === 'storage.unavailable' && ms(f.failedAt) < recovery)).toBe(true);
      expect(failures.map((f) => f.attempt)).toEqual(failures.map((_, i) => i + 1));
      expect(ms(failures[0]!.failedAt)).toBeLessThan(ms(endedAt) + HOUR);

      const destroyed = dataOf(events, 'LocationDestroyed');
      expect(destroyed.map((d) => d.locationId).sort()).toEqual(STORAGE_LOCATIONS.map((l) => l.id).sort());
      const late = destroyed.find((d) => d.locationId === FLAKY)!;
      // Tried again within a round (at most 6 h) of the site coming back.
      expect(ms(late.destroyedAt)).toBeGreaterThanOrEqual(recovery);
      expect(ms(late.destroyedAt)).toBeLessThan(recovery + 6 * HOUR + HOUR);
      expect(late.evidence).toMatchObject({ objectCount: 6, method: 'filesystem-unlink' });
      expect(events.filter((e) => e.type !== 'EmailSent').at(-1)).toMatchObject({ type: 'DestructionCompleted', data: { certificate: { withinDeadline: true, deadline } } });
      expect(ms(dataOf(events, 'DestructionCompleted')[0]!.completedAt)).toBeLessThan(ms(deadline));

      await engine.mail.waitFor((m) => m.subject.startsWith('Certificate of destruction') && m.subject.includes(contractId));
      const escalationMail = dpoMail().filter((m) => m.subject.includes(contractId));
      expect(escalationMail).toHaveLength(1);
      expect(escalationMail[0]!.subject).toContain('Destruction not complete P7D before its deadline');
      expect(escalationMail[0]!.text).toContain(FLAKY);
    });

    // Last: it leaves its workflow running until terminated, which the test server does not always tidy up after.
    it('L11: a location that never recovers marks DestructionDeadlineMissed exactly at end + P2M, emails the DPO, and destruction keeps trying', async () => {
      const { contractId, endedAt, deadline } = lost;
      expect(deadline).toBe(addDuration(endedAt, 'P2M'));

      await engine.sleepUntil(shift(deadline, 13 * HOUR));
      const failedAfterDeadline = async () => dataOf(await engine.events(contractId), 'LocationDestructionFailed').filter((f) => ms(f.failedAt) > ms(deadline));
      await expect.poll(async () => (await failedAfterDeadline()).length, { timeout: 10_000 }).toBeGreaterThan(1);
      const events = await engine.events(contractId);

      const [missed, ...more] = dataOf(events, 'DestructionDeadlineMissed');
      expect(more).toEqual([]);
      expect(missed).toMatchObject({ deadline, pendingLocations: [FLAKY] });
      expectActedOnTime(missed, deadline);
      expect(dataOf(events, 'DestructionEscalated').map((e) => e.dueAt)).toEqual([subtractDuration(deadline, 'P7D')]);
      // The inbox keeps the missed deadline, overdue, until the certificate (DESIGN §3.9).
      const inbox = new DeadlineQueries(engine.dataSource);
      const now = new Date(await engine.env.currentTimeMs());
      expect((await inbox.list({ contract: contractId }, now)).items).toEqual([
        { file: { type: 'contract', id: contractId }, contractId, kind: 'destruction-deadline', dueAt: deadline, overdue: true, whose: 'processor' },
      ]);
      expect((await inbox.list({ contract: contractId, overdue: 'true' }, now)).items).toHaveLength(1);
      expect((await inbox.list({ contract: contractId, overdue: 'false' }, now)).items).toHaveLength(0);
      const destroyed = dataOf(events, 'LocationDestroyed');
      expect(destroyed.map((e) => e.locationId).sort()).toEqual(STORAGE_LOCATIONS.map((l) => l.id).filter((id) => id !== FLAKY).sort());
      expect(ms(destroyed.find((e) => e.locationId === OTHER)!.destroyedAt)).toBeGreaterThanOrEqual(ms(endedAt) + DAY);
      expect(events.some((e) => e.type === 'DestructionCompleted')).toBe(false);
      expect((await contractHandle(contractId).describe()).status.name).toBe('RUNNING');

      // A location destroyed after failed rounds is not retried: the workflow sleeps one timer per round, never spins.
      const failed = dataOf(events, 'LocationDestructionFailed');
      expect(failed.filter((f) => f.locationId === OTHER).length).toBeGreaterThan(3);
      const { events: history } = await contractHandle(contractId).fetchHistory();
      expect(history!.filter((e) => e.timerStartedEventAttributes).length).toBeLessThan(2 * failed.length + 20);
      // Weeks of rounds outgrow one run (the test server suggests continue-as-new at 4,096 events): the
      // run after it carried the progress on, and the deadline was still marked once.
      expect(history![0]!.workflowExecutionStartedEventAttributes!.continuedExecutionRunId).toBeTruthy();

      const missedMail = await engine.mail.waitFor((m) => m.subject.startsWith('[DPA] Destruction deadline missed — ') && m.subject.includes(contractId));
      expect(missedMail.subject).toContain("Acme SAS's contract");
      expect(missedMail.to).toEqual(['dpo@processor.example']);
      expect(missedMail.text).toContain(deadline);
      await recordHistory('destruction-deadline-missed', contractHandle(contractId));
      await contractHandle(contractId).terminate('test done');
    });
  });
});
