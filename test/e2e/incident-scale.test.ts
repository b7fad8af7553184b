import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client } from '@temporalio/client';
import { type DataSource } from 'typeorm';
import { createDataSource } from '#infra/database/data-source';
import { waitFor } from '#infra/dev/processes';
import { createEventStore } from '#infra/event-store/streams';
import { breachNoticeWorkflowId, incidentWorkflowId } from '#infra/temporal/messages';
import { engineClient } from '../support/durability';
import { startStack, type Stack } from '../support/stack';
import { seedActiveContracts } from '../support/workload';

/**
 * Scale (issue "breach notices and data-subject requests"): one incident touching 500 contracts
 * opens 500 notices and sends 500 emails, each exactly once, and no workflow holds the fan-out's
 * history — the incident starts its notices from an activity, not as children.
 */
const CONTRACTS = 500;
let stack: Stack;
let dataSource: DataSource;
let temporal: Client;
beforeAll(async () => {
  stack = await startStack();
  dataSource = createDataSource({ url: stack.db.url, poolSize: 4, applicationName: 'dpa-test-scale' });
  await dataSource.initialize();
  temporal = await engineClient(stack.env.TEMPORAL_ADDRESS!);
});
afterAll(async () => {
  await temporal?.connection.close();
  await dataSource?.destroy();
  await stack?.stop();
});

async function historyLength(workflowId: string): Promise<number> {
  const { events } = await temporal.workflow.getHandle(workflowId).fetchHistory();
  return events?.length ?? 0;
}

describe('one incident over 500 contracts', () => {
  it('opens 500 notices and sends 500 emails, each once; the largest history stays small', async () => {
    const orderedAt = new Date(Date.now() - 86_400_000).toISOString();
    const contracts = await seedActiveContracts(createEventStore(dataSource), CONTRACTS, { orderedAt, controllerEmail: (i) => `privacy-${i}@scale.example` });
    const now = new Date().toISOString();
    const recorded = await stack.request('POST', '/incidents', { role: 'dpo', body: { detectedAt: now, summary: 'Datacenter-wide breach', scope: { locations: ['web-platform'], from: orderedAt, to: now } } });
    expect(recorded.status).toBe(201);
    const id: string = recorded.body.id;
    const started = Date.now();
    expect((await stack.request('POST', `/incidents/${id}/confirmation`, { role: 'dpo', body: { awareAt: new Date().toISOString() } })).status).toBe(200);
    const sent = async () => Number((await dataSource.query(`SELECT count(*) AS n FROM breach_notices WHERE incident_id = $1 AND status = 'sent'`, [id]))[0].n);
    await waitFor('500 notices sent', async () => (await sent()) === CONTRACTS, { timeoutMs: 240_000, intervalMs: 500 });
    const wallSeconds = (Date.now() - started) / 1000;

    const notices = (await dataSource.query(`SELECT id, contract_id FROM breach_notices WHERE incident_id = $1`, [id])) as { id: string; contract_id: string }[];
    expect(notices.map((n) => n.contract_id).sort()).toEqual([...contracts].sort());
    // One email per controller, one outbox row per notice: each sent once.
    const caught = stack.mail.messages.filter((m) => m.to.some((t) => t.endsWith('@scale.example')));
    expect(caught).toHaveLength(CONTRACTS);
    expect(new Set(caught.map((m) => m.messageId)).size).toBe(CONTRACTS);
    expect(new Set(caught.map((m) => m.to[0])).size).toBe(CONTRACTS);
    const outbox = (await dataSource.query(`SELECT count(*)::int AS n, max(attempts)::int AS attempts FROM outbox WHERE kind = 'breach-notice' AND message_id = ANY($1)`, [notices.map((n) => `${n.id}:notice`)]))[0];
    expect(outbox).toEqual({ n: CONTRACTS, attempts: 1 });
    const incident = (await stack.request('GET', `/incidents/${id}`, { role: 'dpo' })).body;
    expect(incident).toMatchObject({ affectedContracts: CONTRACTS, notices: { sent: CONTRACTS } });

    // No workflow holds the fan-out: the incident's history is a few dozen events, each notice's a few.
    const incidentHistory = await historyLength(incidentWorkflowId(id));
    const noticeHistories: number[] = [];
    for (let i = 0; i < notices.length; i += 25) noticeHistories.push(...(await Promise.all(notices.slice(i, i + 25).map((n) => historyLength(breachNoticeWorkflowId(n.id))))));
    const largest = Math.max(incidentHistory, ...noticeHistories);
    console.log(`[scale] ${CONTRACTS} notices opened and sent in ${wallSeconds.toFixed(1)} s (${(CONTRACTS / wallSeconds).toFixed(1)}/s); incident history ${incidentHistory} events, largest of the ${noticeHistories.length} notice histories ${Math.max(...noticeHistories)}`);
    expect(incidentHistory).toBeLessThan(60);
    expect(largest).toBeLessThan(60);
  });
});
