import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataSource } from 'typeorm';
import { createDataSource } from '#infra/database/data-source';
import { waitFor } from '#infra/dev/processes';
import { createEventStore } from '#infra/event-store/streams';
import { startStack, type Stack } from '../support/stack';
import { seedActiveContracts } from '../support/workload';

/**
 * The worker SIGKILLed one second into an incident's fan-out to 100 contracts (issue 26, item 8):
 * a new worker finishes it, and every breach notice reaches its controller — counted in the mail the
 * SMTP catcher received, by recipient and by Message-ID. Exactly once, but for the one window SMTP
 * leaves open: a message whose last byte the dead worker had sent, the relay's acceptance not yet
 * recorded (its outbox row still `sending` at the kill), may go once more, the same message with the
 * same Message-ID (a recipient's mail system folds such copies into one). The test holds the engine
 * to that: only a row that was `sending` at the kill may arrive twice, never three times, never as
 * two different messages. How long recovery takes is `npm run bench:recovery`'s to measure.
 */
const CONTRACTS = 100;
let stack: Stack;
let dataSource: DataSource;
beforeAll(async () => {
  stack = await startStack();
  dataSource = createDataSource({ url: stack.db.url, poolSize: 2, applicationName: 'dpa-test-kill' });
  await dataSource.initialize();
});
afterAll(async () => {
  await dataSource?.destroy();
  await stack?.stop();
});

describe('the worker killed one second into an incident fan-out to 100 contracts', () => {
  it('sends every notice exactly once once a new worker runs; every notice records its email', async () => {
    const orderedAt = new Date(Date.now() - 86_400_000).toISOString();
    const recipient = (i: number) => `privacy-${i}@kill.example`;
    const contracts = await seedActiveContracts(createEventStore(dataSource), CONTRACTS, { orderedAt, controllerEmail: recipient });
    const now = new Date().toISOString();
    const recorded = await stack.request('POST', '/incidents', { role: 'dpo', body: { detectedAt: now, summary: 'Hypervisor escape', scope: { locations: ['web-platform'], from: orderedAt, to: now } } });
    expect(recorded.status).toBe(201);
    const id: string = recorded.body.id;
    expect((await stack.request('POST', `/incidents/${id}/confirmation`, { role: 'dpo', body: { awareAt: new Date().toISOString() } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await stack.killWorker();
    // What the dead worker was sending: nothing changes these rows until a worker runs again.
    const sendingAtKill = new Set(((await dataSource.query(`SELECT recipient FROM outbox WHERE status = 'sending'`)) as { recipient: string }[]).map((r) => r.recipient));
    const caughtAtKill = stack.mail.messages.filter((m) => m.to.some((t) => t.endsWith('@kill.example'))).length;
    // The kill came in the middle: not every notice had gone out.
    expect(caughtAtKill).toBeLessThan(CONTRACTS);

    await stack.startWorker();
    const sent = async () => Number((await dataSource.query(`SELECT count(*) AS n FROM breach_notices WHERE incident_id = $1 AND status = 'sent'`, [id]))[0].n);
    await waitFor(`${CONTRACTS} notices sent and recorded`, async () => (await sent()) === CONTRACTS, { timeoutMs: 180_000, intervalMs: 500 });
    await stack.settled();

    // Every controller got its notice: one Message-ID each, and no other email.
    const caught = stack.mail.messages.filter((m) => m.to.some((t) => t.endsWith('@kill.example')));
    const byRecipient = new Map<string, typeof caught>();
    for (const m of caught) byRecipient.set(m.to[0]!, [...(byRecipient.get(m.to[0]!) ?? []), m]);
    expect([...byRecipient.keys()].sort()).toEqual(Array.from({ length: CONTRACTS }, (_, i) => recipient(i)).sort());
    expect(new Set(caught.map((m) => m.messageId)).size).toBe(CONTRACTS);
    // Exactly once, but for a row the dead worker was sending: that one at most twice, the same message.
    for (const [to, copies] of byRecipient) {
      if (sendingAtKill.has(to)) expect(copies.length, to).toBeLessThanOrEqual(2);
      else expect(copies.length, to).toBe(1);
      expect(new Set(copies.map((m) => m.raw)).size, to).toBe(1);
    }
    const notices = (await dataSource.query(`SELECT contract_id FROM breach_notices WHERE incident_id = $1`, [id])) as { contract_id: string }[];
    expect(notices.map((n) => n.contract_id).sort()).toEqual([...contracts].sort());
    // Each notice's trail records its email once.
    const receipts = (await dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT e.stream_id)::int AS streams FROM events e JOIN breach_notices b ON b.id::text = e.stream_id WHERE b.incident_id = $1 AND e.type = 'EmailSent'`,
      [id],
    )) as { n: number; streams: number }[];
    expect(receipts[0]).toEqual({ n: CONTRACTS, streams: CONTRACTS });
  }, 300_000);
});
