import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataSource } from 'typeorm';
import { createDataSource } from '#infra/database/data-source';
import { waitFor } from '#infra/dev/processes';
import { createEventStore } from '#infra/event-store/streams';
import { startStack, type Stack } from '../support/stack';
import { seedActiveContracts } from '../support/workload';

/**
 * The worker SIGKILLed one second into an incident's fan-out to 100 contracts (issue 26, item 8):
 * a new worker finishes it, and every breach notice is emailed exactly once — counted in the mail
 * the SMTP catcher received, by recipient and by Message-ID. How long that takes is
 * `npm run bench:recovery`'s to measure, never asserted here.
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
    const caughtAtKill = stack.mail.messages.filter((m) => m.to.some((t) => t.endsWith('@kill.example'))).length;
    // The kill came in the middle: not every notice had gone out.
    expect(caughtAtKill).toBeLessThan(CONTRACTS);

    await stack.startWorker();
    const sent = async () => Number((await dataSource.query(`SELECT count(*) AS n FROM breach_notices WHERE incident_id = $1 AND status = 'sent'`, [id]))[0].n);
    await waitFor(`${CONTRACTS} notices sent and recorded`, async () => (await sent()) === CONTRACTS, { timeoutMs: 180_000, intervalMs: 500 });
    await stack.settled();

    // Exactly once: one email to each controller, each its own Message-ID, and no other.
    const caught = stack.mail.messages.filter((m) => m.to.some((t) => t.endsWith('@kill.example')));
    expect(caught).toHaveLength(CONTRACTS);
    expect(new Set(caught.map((m) => m.messageId)).size).toBe(CONTRACTS);
    expect(caught.map((m) => m.to[0]).sort()).toEqual(Array.from({ length: CONTRACTS }, (_, i) => recipient(i)).sort());
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
