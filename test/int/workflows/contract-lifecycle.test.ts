import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { Client } from '@temporalio/client';
import { type temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDuration, contactCheckType, contractStream, decide, STORAGE_LOCATIONS, termEnd } from '#domain';
import * as f from '#domain/testing';
import { foldEvents } from '#infra/event-store/contract-projection';
import { contractsOfController } from '#infra/controllers';
import { waitFor } from '#infra/dev/processes';
import { toNewEvents } from '#infra/event-store/streams';
import { controllerFileId } from '#infra/ids';
import { EncryptionCodec } from '#infra/temporal/payload-codec';
import {
  acceptRenewalUpdate,
  cancelUpdate,
  contractWorkflowId,
  fileCommandSignal,
  fileSnapshotQuery,
  noticeNonRenewalUpdate,
  rejectRenewalUpdate,
  snapshotQuery,
  terminateUpdate,
  workflowIdOf,
} from '#infra/temporal/messages';
import { BILLING, dataOf, expectActedOnTime, DAY, domainRefusal, MANAGER, recordHistory, shift, timeSkippingEngine, type TimeSkippingEngine } from '../../support/engine';

let engine: TimeSkippingEngine;
beforeAll(async () => {
  engine = await timeSkippingEngine();
});
afterAll(async () => engine?.teardown());


const contractHandle = (contractId: string) => engine.env.client.workflow.getHandle(contractWorkflowId(contractId));

/** The local activities a workflow's history records, by type, in order (their markers' data is the SDK core's plain JSON). */
async function localActivitiesIn(handle: { fetchHistory(): Promise<temporal.api.history.v1.IHistory> }): Promise<string[]> {
  return (await localActivityOutcomes(handle)).map((o) => o.type);
}

/** Each local activity's outcome as its marker records it: its type, the attempt that ended it, and whether that attempt failed. */
async function localActivityOutcomes(handle: { fetchHistory(): Promise<temporal.api.history.v1.IHistory> }): Promise<{ type: string; attempt: number; failed: boolean }[]> {
  return ((await handle.fetchHistory()).events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? e.markerRecordedEventAttributes : undefined;
    const payload = marker?.details?.['data']?.payloads?.[0]?.data;
    if (!marker || !payload) return [];
    const data = JSON.parse(Buffer.from(payload).toString('utf8')) as { activity_type: string; attempt: number };
    return [{ type: data.activity_type, attempt: data.attempt, failed: !!marker.failure }];
  });
}

/** Ends a contract the domain's way: a terminated workflow leaves the test server's clock locked at times. */
async function endContract(contractId: string) {
  await contractHandle(contractId).executeUpdate(terminateUpdate, { args: [{ reason: 'test done', actor: MANAGER }] });
  await engine.waitForDestruction(contractId);
}

/** L10: the end path every ended contract shares, from revocation to the certificate. */
async function expectDestroyed(contractId: string, endedAt: string) {
  const events = await engine.events(contractId);
  const end = events.findIndex((e) => e.type === 'ContractExpired' || e.type === 'ContractTerminated' || e.type === 'ContractCancelled');
  // L8: the end and its destruction plan are one append (one transaction): no read sees one without the other.
  expect(events.slice(end + 1, end + 3).map((e) => e.type)).toEqual(['DestructionScheduled', 'CredentialsRevoked']);
  const transactions: unknown[] = await engine.dataSource.query(
    'SELECT DISTINCT transaction_id FROM events WHERE stream_id = $1 AND version = ANY($2::int[])',
    [contractId, [events[end]!.version, events[end + 1]!.version]],
  );
  expect(transactions).toHaveLength(1);
  const path = events.map((e) => e.type).filter((t) => t === 'DestructionStarted' || t === 'LocationDestroyed' || t === 'DestructionCompleted');
  expect(path).toEqual(['DestructionStarted', ...STORAGE_LOCATIONS.map(() => 'LocationDestroyed'), 'DestructionCompleted']);
  expect(events.find((e) => e.type === 'DestructionScheduled')!.data).toMatchObject({ endedAt, deadline: addDuration(endedAt, 'P2M') });
  const destroyed = dataOf(events, 'LocationDestroyed').map((e) => e.locationId);
  expect(destroyed.sort()).toEqual(STORAGE_LOCATIONS.map((l) => l.id).sort());
  expect(events.at(-1)).toMatchObject({ type: 'DestructionCompleted', data: { certificate: { endedAt, withinDeadline: true } } });
  for (const l of STORAGE_LOCATIONS) expect(fs.existsSync(`${engine.storageRoot}/${l.id}/${contractId}`)).toBe(false);
  expect(await engine.store.verify(contractId)).toMatchObject({ valid: true });
  const certificate = await engine.mail.waitFor((m) => m.subject.includes(contractId) && m.subject.startsWith('Certificate of destruction'));
  expect(certificate.to).toEqual(['privacy@acme.example']);
  return events;
}

describe('contract endings on the time-skipping server', () => {
  it('L5: an annual contract with a non-renewal notice expires exactly at its term end, unrenewed', async () => {
    const { contractId, handle } = await engine.order({ billingPeriod: 'P1Y' });
    const { anchor } = await engine.handOver(contractId);
    const end = termEnd(anchor, 'P1Y', 1);

    await engine.sleepUntil(shift(anchor, 200 * DAY));
    const noticed = await contractHandle(contractId).executeUpdate(noticeNonRenewalUpdate, { args: [{ reason: 'moving to another host', actor: MANAGER }] });
    expect(noticed.state).toMatchObject({ status: 'active', termEnd: end, nonRenewalReason: 'moving to another host' });

    // A notice only records intent: the contract still runs until its term end.
    await engine.sleepUntil(shift(end, -3_600_000));
    expect((await contractHandle(contractId).query(snapshotQuery)).state.status).toBe('active');

    await engine.waitForDestruction(contractId);
    const final = await handle.result();
    expect(final.state).toMatchObject({ status: 'destroyed', endKind: 'expired', endedAt: end, termEnd: end });
    const events = await expectDestroyed(contractId, end);
    expect(events.slice(0, 4).map((e) => e.type)).toEqual(['ContractOrdered', 'CredentialsHandedOver', 'NonRenewalNoticed', 'ContractExpired']);
    expect(events[2]!.data).toMatchObject({ termEnd: end });
    expect(events[3]!.data).toMatchObject({ termEnd: end });
    expectActedOnTime(dataOf(events, 'ContractExpired')[0], end);
    expect(events.some((e) => e.type === 'RenewalAccepted')).toBe(false);
    await recordHistory('contract-expired-after-notice', handle);
  });

  it('L3/L5: a renewal accepted after expiry is refused (renewal.late_acceptance) and extends nothing', async () => {
    const { contractId } = await engine.order({ returnWindow: 'P14D' });
    const { anchor } = await engine.handOver(contractId);
    const end = termEnd(anchor, 'P1M', 1);
    // The clock stops at the term end, so the contract is still inside its return window.
    await engine.sleepUntil(end);
    await expect.poll(async () => (await contractHandle(contractId).query(snapshotQuery)).state, { timeout: 10_000 }).toMatchObject({
      status: 'expired',
      endedAt: end,
      credentialsRevokedAt: expect.any(String),
      destruction: { status: 'scheduled' },
    });
    const before = await engine.events(contractId);

    const late = { invoiceId: 'inv-late', coveredPeriod: { start: end, end: termEnd(anchor, 'P1M', 2) }, acceptedAt: await engine.now(), actor: BILLING };
    // The same workflow owns the stream after the end, and answers with the domain's refusal.
    expect(await domainRefusal(contractHandle(contractId).executeUpdate(acceptRenewalUpdate, { args: [late] }))).toMatchObject({
      code: 'renewal.late_acceptance',
      kind: 'conflict',
    });
    expect(await engine.events(contractId)).toEqual(before);
    // What the domain still allows after the end is still recorded there: the invoice's rejection.
    const rejected = await contractHandle(contractId).executeUpdate(rejectRenewalUpdate, { args: [{ invoiceId: 'inv-late', reason: 'contract expired', actor: BILLING }] });
    expect(rejected.state).toMatchObject({ status: 'expired', endedAt: end, termEnd: end, rejectedRenewals: [{ invoiceId: 'inv-late' }] });

    await engine.waitForDestruction(contractId);
    const events = await expectDestroyed(contractId, end);
    expect(events.filter((e) => e.type === 'RenewalAccepted')).toHaveLength(0);
    expect(events.filter((e) => e.type === 'RenewalRejected')).toHaveLength(1);
  });

  it('L3: one invoice accepted twice (same id, same period) extends the term once', async () => {
    const { contractId, handle } = await engine.order();
    const { anchor } = await engine.handOver(contractId);
    const [end1, end2] = [1, 2].map((n) => termEnd(anchor, 'P1M', n)) as [string, string];
    const acceptance = { invoiceId: 'inv-1', coveredPeriod: { start: end1, end: end2 }, acceptedAt: await engine.now(), actor: BILLING };

    const first = await contractHandle(contractId).executeUpdate(acceptRenewalUpdate, { args: [acceptance] });
    expect(first).toMatchObject({ version: 3, state: { termEnd: end2 } });
    const again = await contractHandle(contractId).executeUpdate(acceptRenewalUpdate, { args: [acceptance] });
    expect(again).toMatchObject({ version: 3, state: { termEnd: end2 } });
    expect(again.state).toEqual(first.state);
    // Same invoice, another period: a conflict, not a second extension.
    const conflicting = { ...acceptance, coveredPeriod: { start: end1, end: termEnd(anchor, 'P1M', 3) } };
    expect(await domainRefusal(contractHandle(contractId).executeUpdate(acceptRenewalUpdate, { args: [conflicting] }))).toMatchObject({
      code: 'renewal.invoice_conflict',
    });

    expect((await engine.events(contractId)).filter((e) => e.type === 'RenewalAccepted')).toHaveLength(1);
    await recordHistory('contract-renewed', handle);
    await endContract(contractId);
  });

  it("events in the stream the workflow has not seen (its own, from a task that crashed after the append) are folded in, and the command decided again on them", async () => {
    const { contractId } = await engine.order();
    const { anchor } = await engine.handOver(contractId);
    const [end1, end2] = [1, 2].map((n) => termEnd(anchor, 'P1M', n)) as [string, string];
    // What a lost task had appended: a renewal the domain accepts, written behind the workflow's back.
    const stored = await engine.events(contractId);
    const lost = decide(f.acceptRenewal('inv-lost', end1, end2, await engine.now()), foldEvents(stored));
    await engine.store.append('contract', contractId, stored.length, toNewEvents(contractStream, lost, { actor: 'billing' }));

    // The next command meets a stream one event ahead of the workflow's version: it catches up, then decides.
    const rejected = await contractHandle(contractId).executeUpdate(rejectRenewalUpdate, { args: [{ invoiceId: 'inv-2', reason: 'payment failed', actor: BILLING }] });
    expect(rejected.version).toBe(stored.length + 2);
    expect(rejected.state).toMatchObject({ termEnd: end2, renewals: [{ invoiceId: 'inv-lost' }], rejectedRenewals: [{ invoiceId: 'inv-2' }] });
    expect((await engine.events(contractId)).slice(-2).map((e) => e.type)).toEqual(['RenewalAccepted', 'RenewalRejected']);
    // And the workflow's own state holds both: the expiry timer runs from the new term end.
    expect((await contractHandle(contractId).query(snapshotQuery)).state).toEqual(rejected.state);
    await endContract(contractId);
  });

  it("DESIGN §3.10: a hand-over a lost task stored behind the workflow's back is news all the same: folded in by the next command, its controller's contact check hears of it", async () => {
    const customerId = `CC-LOST-${randomUUID()}`;
    const { contractId } = await engine.order({ controller: { customerId, name: 'Lost SAS', email: 'privacy@lost.example', address: null, dpoEmail: null } });
    // What a lost task had appended (and may not have told anyone): the hand-over.
    const stored = await engine.events(contractId);
    const lost = decide(f.handOverCredentials(await engine.now(), randomUUID()), foldEvents(stored));
    await engine.store.append('contract', contractId, stored.length, toNewEvents(contractStream, lost, { actor: 'account_manager' }));
    const checkId = controllerFileId('contact-check', `customer:${customerId}`);
    expect(await engine.store.readStream(checkId)).toEqual([]);

    // A second hand-over, admitted on the ordered contract the workflow holds: its commit meets the stream ahead and catches up.
    await engine.handOver(contractId);
    const events = await engine.events(contractId);
    expect(events.filter((e) => e.type === 'CredentialsHandedOver')).toHaveLength(2);
    await waitFor('the contact check counting the contract', async () => (await engine.store.readStream(checkId)).some((e) => e.type === 'ProcessingCounted'));
    expect((await engine.store.readStream(checkId)).filter((e) => e.type === 'ProcessingCounted').map((e) => e.data['contracts'])).toEqual([1]);
    await endContract(contractId);
  });

  it("DESIGN §3.10: news the hand-over's own activity could not tell does not hold its answer: the contract's loop tells it on its own, retried until it can", async () => {
    const customerId = `CC-UNTOLD-${randomUUID()}`;
    const { contractId } = await engine.order({ controller: { customerId, name: 'Untold SAS', email: 'privacy@untold.example', address: null, dpoEmail: null } });
    const checkId = controllerFileId('contact-check', `customer:${customerId}`);
    const counted = async () => (await engine.store.readStream(checkId)).filter((e) => e.type === 'ProcessingCounted').map((e) => e.data['contracts']);
    // The checks' read model out of reach: counting the controller's followers fails.
    const table = contactCheckType.readModel.table;
    await engine.dataSource.query(`ALTER TABLE ${table} RENAME TO ${table}_away`);
    try {
      const handedOver = await engine.handOver(contractId);
      expect(handedOver.anchor).toBeTruthy();
      expect(await counted()).toEqual([]);
    } finally {
      await engine.dataSource.query(`ALTER TABLE ${table}_away RENAME TO ${table}`);
    }
    await waitFor('the check counting the contract', async () => (await counted()).length > 0);
    expect(await counted()).toEqual([1]);
    await endContract(contractId);
  });

  it("DESIGN §3.10: news its followers cannot take is given up after ten attempts, and the contract goes on: its loop never waits on them for good", async () => {
    const customerId = `CC-GIVEN-UP-${randomUUID()}`;
    const { contractId, handle } = await engine.order({ controller: { customerId, name: 'Given Up SAS', email: 'privacy@given-up.example', address: null, dpoEmail: null } });
    const checkId = controllerFileId('contact-check', `customer:${customerId}`);
    const table = contactCheckType.readModel.table;
    await engine.dataSource.query(`ALTER TABLE ${table} RENAME TO ${table}_away`);
    try {
      const { anchor } = await engine.handOver(contractId);
      // The news's retries back off from 1 s to 30 s: ten attempts take under three minutes of workflow time.
      await engine.sleepUntil(shift(await engine.now(), 10 * 60_000));
      await waitFor('the news given up', async () => (await localActivityOutcomes(handle)).some((o) => o.type === 'followProcessing' && o.failed));
      // The first attempts are retried inside the workflow task; past ten seconds each one waits on a timer and leaves its marker. The tenth is the last.
      const tries = (await localActivityOutcomes(handle)).filter((o) => o.type === 'followProcessing');
      const first = tries[0]!.attempt;
      expect(tries).toEqual(Array.from({ length: 11 - first }, (_, i) => ({ type: 'followProcessing', attempt: first + i, failed: true })));
      // The contract still takes commands while its followers are out of reach.
      const [end1, end2] = [1, 2].map((n) => termEnd(anchor, 'P1M', n)) as [string, string];
      const renewed = await contractHandle(contractId).executeUpdate(acceptRenewalUpdate, { args: [{ invoiceId: 'inv-1', coveredPeriod: { start: end1, end: end2 }, acceptedAt: await engine.now(), actor: BILLING }] });
      expect(renewed.state).toMatchObject({ status: 'active', termEnd: end2 });
    } finally {
      await engine.dataSource.query(`ALTER TABLE ${table}_away RENAME TO ${table}`);
    }
    // Given up, not retried behind the scenes: the check never counted the contract.
    await engine.sleepUntil(shift(await engine.now(), 10 * 60_000));
    expect(await engine.store.readStream(checkId)).toEqual([]);
    expect((await localActivityOutcomes(handle)).filter((o) => o.type === 'followProcessing').at(-1)).toEqual({ type: 'followProcessing', attempt: 10, failed: true });
    await endContract(contractId);
  });

  it('L6/L7: termination mid-term ends processing at once, crypto-shreds the credentials, and the data is destroyed', async () => {
    const { contractId, handle } = await engine.order();
    const { anchor, credentialId } = await engine.handOver(contractId);
    expect(await engine.vault.open(contractId, credentialId)).toEqual({ username: 'acme', secret: 'sup3r-s3cret-pass' });

    await engine.sleepUntil(shift(anchor, 10 * DAY));
    const terminated = await contractHandle(contractId).executeUpdate(terminateUpdate, { args: [{ reason: 'breach of the acceptable-use policy', actor: MANAGER }] });
    expect(terminated.state).toMatchObject({ status: 'terminated', endReason: 'breach of the acceptable-use policy', termEnd: termEnd(anchor, 'P1M', 1) });
    const endedAt = terminated.state.status === 'terminated' ? terminated.state.endedAt : '';
    expect(Date.parse(endedAt)).toBeLessThan(Date.parse(shift(anchor, 10 * DAY + 60_000)));

    await engine.waitForDestruction(contractId);
    const events = await expectDestroyed(contractId, endedAt);
    expect(events.find((e) => e.type === 'ContractTerminated')!.data).toEqual({ terminatedAt: endedAt, reason: 'breach of the acceptable-use policy' });
    expect(events.find((e) => e.type === 'CredentialsRevoked')!.data).toMatchObject({ credentialIds: [credentialId], method: 'crypto-shredding' });
    await expect(engine.vault.open(contractId, credentialId)).rejects.toMatchObject({ code: 'vault.shredded' });
    await recordHistory('contract-terminated', handle);
  });

  it('L6: an ordered contract cancelled before hand-over goes through the same end path', async () => {
    const { contractId, handle } = await engine.order();
    await engine.sleepUntil(shift(await engine.now(), 2 * DAY));
    const cancelled = await contractHandle(contractId).executeUpdate(cancelUpdate, { args: [{ reason: 'order withdrawn by the client', actor: MANAGER }] });
    expect(cancelled.state).toMatchObject({ status: 'cancelled', processingStartedAt: null, endReason: 'order withdrawn by the client' });
    const endedAt = cancelled.state.status === 'cancelled' ? cancelled.state.endedAt : '';

    await engine.waitForDestruction(contractId);
    const events = await expectDestroyed(contractId, endedAt);
    expect(events.slice(0, 2).map((e) => e.type)).toEqual(['ContractOrdered', 'ContractCancelled']);
    expect(events.find((e) => e.type === 'CredentialsRevoked')!.data).toMatchObject({ credentialIds: [] });
    await recordHistory('contract-cancelled', handle);
  });

  it("DESIGN §3.10: a controller's contact check hears of its first contract in processing and of its last one's end, not of those between; its contracts are found by its customer number through an index", async () => {
    const customerId = `CC-FOLLOW-${randomUUID()}`;
    const controller = { customerId, name: 'Follow SAS', email: 'privacy@follow.example', address: null, dpoEmail: null };
    const checkId = controllerFileId('contact-check', `customer:${customerId}`);
    const check = engine.env.client.workflow.getHandle(workflowIdOf('contact-check', checkId));
    const counted = async () => (await engine.store.readStream(checkId)).filter((e) => e.type === 'ProcessingCounted').map((e) => e.data['contracts']);
    // Every command the contract workflows signalled it, as the server recorded them (the activity
    // telling it returns once its signal is recorded; the outbox's receipts are signals of their own).
    const signals = async () => (await check.fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === fileCommandSignal.name).length;

    const first = await engine.order({ controller });
    await engine.handOver(first.contractId);
    await waitFor('the first contract counted', async () => (await counted()).length === 1);
    expect(await counted()).toEqual([1]);
    const second = await engine.order({ controller });
    await engine.handOver(second.contractId);
    // The hand-over's answer comes once the local activity that stored its events has told their news: nothing, here.
    expect(await signals()).toBe(1);
    // The news rode with the hand-over's events: no local activity of its own in either history.
    expect(await localActivitiesIn(first.handle)).toContain('appendEventsAndNotices');
    expect([...(await localActivitiesIn(first.handle)), ...(await localActivitiesIn(second.handle))]).not.toContain('followProcessing');

    // The first ends: one is still in processing, nothing to tell. The second ends: none, the checks pause.
    await endContract(first.contractId);
    await first.handle.result();
    expect(await signals()).toBe(1);
    await endContract(second.contractId);
    await second.handle.result();
    await waitFor('the last end counted', async () => (await counted()).length === 2);
    expect(await counted()).toEqual([1, 0]);
    await expect.poll(async () => ((await check.query(fileSnapshotQuery)).state as { status: string }).status).toBe('dormant');

    // The lookup by customer number can use its index (sequential scans off, as a large table would make the planner choose).
    const of = contractsOfController(`customer:${customerId}`, 1);
    const plan = await engine.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      return (await m.query(`EXPLAIN SELECT 1 FROM contracts c WHERE ${of.where}`, [of.value])) as { 'QUERY PLAN': string }[];
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('contracts_controller_customer');
  });

  it("DESIGN §3.10: a controller in processing before its contact check existed (the engine ran before it) gets one at the worker's start, counting all its contracts", async () => {
    const customerId = `CC-BACKFILL-${randomUUID()}`;
    const controller = { ...f.CONTROLLER, customerId, email: 'privacy@backfill.example' };
    // Three contracts handed over with no workflow to tell anyone: written to the store as an engine before contact checks did.
    const at = await engine.now();
    for (let n = 0; n < 3; n++) {
      const contractId = randomUUID();
      const order = decide(f.orderContract({ contractId, reference: null, controller, orderedAt: at }), foldEvents([]));
      const events = [...order, ...decide(f.handOverCredentials(at, randomUUID()), order.reduce(contractStream.evolve, foldEvents([])))];
      await engine.store.append('contract', contractId, 0, toNewEvents(contractStream, events, { actor: 'account_manager' }));
    }
    const checkId = controllerFileId('contact-check', `customer:${customerId}`);
    await engine.runtime.backfillFollowers();
    await waitFor('the backfilled check', async () => (await engine.store.readStream(checkId)).some((e) => e.type === 'ProcessingCounted'));
    const events = await engine.store.readStream(checkId);
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['ContactCheckOpened', 'ProcessingCounted']);
    expect(events[1]!.data['contracts']).toBe(3);
    // Spread over a period, not asked at once.
    expect(Date.parse(events[0]!.data['firstRoundAt'] as string)).toBeGreaterThanOrEqual(Date.parse(at));
    await engine.env.client.workflow.getHandle(workflowIdOf('contact-check', checkId)).terminate('test done');
  });

  it("Secrets (DESIGN §5): raw workflow histories hold neither the controller's email nor the credential's username or secret", async () => {
    const email = 'history-probe@acme.example';
    const credential = { username: 'probe-user-7f3a', secret: 'probe-secret-9c41' };
    const { contractId, handle } = await engine.order({ controller: { customerId: null, name: 'Acme SAS', email, address: '1 rue de la Paix, 75002 Paris', dpoEmail: null } });
    const { anchor } = await engine.handOver(contractId, credential);
    await contractHandle(contractId).executeUpdate(acceptRenewalUpdate, {
      args: [{ invoiceId: 'inv-1', coveredPeriod: { start: termEnd(anchor, 'P1M', 1), end: termEnd(anchor, 'P1M', 2) }, acceptedAt: await engine.now(), actor: BILLING }],
    });
    await engine.sleepUntil(shift(anchor, 5 * DAY));
    await contractHandle(contractId).executeUpdate(terminateUpdate, { args: [{ reason: 'test', actor: MANAGER }] });
    await engine.waitForDestruction(contractId);

    // Without the payload codec: what anyone with access to the Temporal server sees.
    const raw = new Client({ connection: engine.env.connection, namespace: engine.env.namespace });
    const runs = await engine.runs(handle.workflowId, handle.firstExecutionRunId);
    // One workflow from the order to the certificate: its runs are the whole history.
    const histories = await Promise.all(runs.map((runId) => raw.workflow.getHandle(handle.workflowId, runId).fetchHistory()));
    // Payload bytes are base64 in JSON: read them as text as well.
    const payloads = payloadsIn(histories);
    const asText = (ps: temporal.api.common.v1.IPayload[]) =>
      ps.map((p) => [...Object.values(p.metadata ?? {}), p.data ?? new Uint8Array()].map((b) => Buffer.from(b).toString('latin1')).join(' ')).join('\n');
    const rawText = `${JSON.stringify(histories)}\n${asText(payloads)}`;
    expect(payloads.length).toBeGreaterThan(20);
    expect(rawText).toContain('binary/encrypted');
    for (const secret of [email, credential.username, credential.secret]) expect(rawText).not.toContain(secret);

    // The search would find them: the same payloads, decoded with the codec, do hold the email.
    const decoded = await new EncryptionCodec(engine.config.payloadKeys).decode(payloads);
    expect(asText(decoded)).toContain(email);
  });
});

/** Every Payload message in a decoded protobuf tree. */
function payloadsIn(value: unknown, found: temporal.api.common.v1.IPayload[] = []): temporal.api.common.v1.IPayload[] {
  if (Array.isArray(value)) value.forEach((v) => payloadsIn(v, found));
  else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    if ('metadata' in value && 'data' in value) found.push(value as temporal.api.common.v1.IPayload);
    else Object.values(value).forEach((v) => payloadsIn(v, found));
  }
  return found;
}
