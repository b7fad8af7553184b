import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitFor } from '#infra/dev/processes';
import { startApi, startWorker, type RunningApp } from '../support/apps';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startMailCatcher, type MailCatcher } from '../support/mail';
import { scrape, type Scrape } from '../support/prometheus';
import { KEYS } from '../support/stack';

/**
 * Issue 16, item 4: what an operator watches. One API and one worker (WORKER_HTTP_PORT set), with
 * METRICS_TOKEN, over a fresh database, the shared Temporal dev server and a real SMTP catcher.
 */
const TOKEN = `scrape-${randomUUID()}`;
let db: TestDatabase;
let mail: MailCatcher;
let api: RunningApp;
let worker: RunningApp;
let workerUrl: string;
const root = path.join(inject('runDir'), `metrics-${randomUUID()}`);

beforeAll(async () => {
  db = await createTestDatabase();
  mail = await startMailCatcher();
  const workerPort = await freePort();
  workerUrl = `http://127.0.0.1:${workerPort}`;
  const env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `metrics-${randomUUID()}`,
    SMTP_URL: mail.url,
    STORAGE_ROOT: path.join(root, 'locations'),
    EXPORT_ROOT: path.join(root, 'exports'),
    HOST: '127.0.0.1',
    METRICS_TOKEN: TOKEN,
    WORKER_HTTP_PORT: String(workerPort),
  };
  worker = await startWorker(env);
  api = await startApi(env);
});
afterAll(async () => {
  await Promise.allSettled([api?.stop(), worker?.stop()]);
  await mail?.stop();
  await db?.drop();
  fs.rmSync(root, { recursive: true, force: true });
});

const apiMetrics = () => scrape(`${api.url}/metrics`, TOKEN);
const workerMetrics = () => scrape(`${workerUrl}/metrics`, TOKEN);
const call = async (method: string, url: string, body?: unknown) => {
  const res = await fetch(`${api.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${KEYS.account_manager}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { id: string } };
};
const order = (email = 'privacy@acme.example') => call('POST', '/contracts', { controller: { name: 'Acme SAS', email }, billingPeriod: 'P1M' });
const delta = (before: Scrape, after: Scrape, name: string, labels: Record<string, string>) => (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);

async function eventsStored(streamType: string): Promise<number> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM events e JOIN streams s USING (stream_id) WHERE s.stream_type = $1`, [streamType])).rows[0]!.n;
  } finally {
    await client.end();
  }
}

describe('GET /metrics on the API', () => {
  it('counts requests by route pattern and status, never by path; times commands by outcome; reads contracts, open files and events from the store', async () => {
    const before = await apiMetrics();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ordered = await order();
      expect(ordered.status).toBe(201);
      ids.push(ordered.body.id);
    }
    expect((await call('GET', `/contracts/${ids[0]}`)).status).toBe(200);
    expect((await call('POST', '/contracts', { controller: { name: 'Acme SAS' } })).status).toBe(400);
    expect((await call('GET', '/no-such-thing')).status).toBe(404);
    const after = await apiMetrics();

    expect(delta(before, after, 'dpa_http_requests_total', { method: 'POST', route: '/contracts', status: '201' })).toBe(3);
    expect(delta(before, after, 'dpa_http_requests_total', { method: 'POST', route: '/contracts', status: '400' })).toBe(1);
    expect(delta(before, after, 'dpa_http_requests_total', { method: 'GET', route: '/contracts/:id', status: '200' })).toBe(1);
    expect(delta(before, after, 'dpa_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(delta(before, after, 'dpa_http_request_duration_seconds', { method: 'POST', route: '/contracts' })).toBe(4);
    expect(delta(before, after, 'dpa_command_duration_seconds', { route: '/contracts', outcome: 'accepted' })).toBe(3);
    expect(delta(before, after, 'dpa_command_duration_seconds', { route: '/contracts', outcome: 'refused' })).toBe(1);
    // Reads are no commands; the previous scrape is counted under its own route.
    expect(after.value('dpa_command_duration_seconds', { route: '/contracts/:id' })).toBeNull();
    expect(after.value('dpa_http_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBeGreaterThanOrEqual(1);
    // Labels are patterns, kinds and statuses: no id, no address reaches the text.
    for (const id of ids) expect(after.text).not.toContain(id);
    expect(after.text).not.toContain('acme');

    expect(after.value('dpa_contracts', { status: 'ordered' })).toBe(3);
    expect(after.value('dpa_contracts', { status: 'destroyed' })).toBe(0);
    expect(after.value('dpa_open_files', { type: 'contract' })).toBe(3);
    expect(after.value('dpa_open_files', { type: 'incident' })).toBe(0);
    expect(after.value('dpa_events', { stream_type: 'contract' })).toBe(await eventsStored('contract'));
    expect(after.value('dpa_overdue_clocks', { kind: 'destruction-deadline' })).toBe(0);
    expect(after.value('dpa_overdue_clocks', { kind: 'breach-notice-target' })).toBe(0);
    expect(after.value('dpa_outbox_backlog')).toEqual(expect.any(Number));
    expect(after.value('dpa_scrape_errors_total', { query: 'contracts' })).toBe(0);
    expect(after.names).toContain('process_cpu_user_seconds_total');
  });

  it('asks for METRICS_TOKEN when it is set: none or a wrong one is a 401 in the API\'s error shape; health needs no token', async () => {
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${KEYS.admin}`, TOKEN]) {
      const res = await fetch(`${api.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: 'unauthenticated', message: expect.stringContaining('METRICS_TOKEN') } });
    }
    expect((await fetch(`${api.url}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { postgres: { status: 'up' }, temporal: { status: 'up' } } });
  });
});

describe("the worker's HTTP port (WORKER_HTTP_PORT)", () => {
  it("serves its own metrics, events it wrote and emails it sent among them, followed by the Temporal SDK's", async () => {
    const before = await workerMetrics();
    const { body: contract } = await order('dpo-office@client.example');
    mail.rejectRecipient('gone@client.example');
    const { body: refused } = await order('gone@client.example');
    for (const id of [contract.id, refused.id]) {
      const opened = await call('POST', `/contracts/${id}/subject-requests`, { type: 'erasure', receivedAt: new Date().toISOString(), receivedBy: 'processor', reference: 'DSR-MAIL' });
      expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    }
    let after = before;
    const caughtUp = async (streamType: string) => after.value('dpa_events_appended_total', { stream_type: streamType }) === (await eventsStored(streamType));
    // This worker alone writes the events of this database: once the emails' receipts are recorded, it counted each.
    await waitFor('both emails done and their receipts recorded', async () => {
      after = await workerMetrics();
      const mailed = delta(before, after, 'dpa_emails_sent_total', { kind: 'subject-request-forwarded' }) === 1 && delta(before, after, 'dpa_emails_failed_total', { kind: 'subject-request-forwarded', outcome: 'refused' }) === 1;
      return mailed && (await caughtUp('contract')) && (await caughtUp('subject-request'));
    });
    expect(after.value('dpa_events_appended_total', { stream_type: 'subject-request' })).toBeGreaterThanOrEqual(2);
    expect(after.value('dpa_outbox_backlog')).toBe(0);
    expect(after.value('dpa_sdk_metrics_errors_total')).toBe(0);
    // The SDK's own, in Prometheus' units, after ours; no name twice.
    expect(after.value('temporal_worker_task_slots_available', { worker_type: 'ActivityWorker' })).toBeGreaterThan(0);
    expect(after.value('temporal_workflow_task_schedule_to_start_latency_seconds')).toBeGreaterThan(0);
    expect(after.names).toContain('temporal_sticky_cache_size');
    expect(after.names).toContain('nodejs_heap_size_used_bytes');
    expect(new Set(after.names).size).toBe(after.names.length);
    expect(after.text).not.toContain('client.example');
  });
});

describe('the read models as gauges', () => {
  it('a clock past its due instant counts as overdue by kind; an audit is an open file until it is closed', async () => {
    const { body: contract } = await order();
    const requestedAt = new Date().toISOString();
    const requested = await call('POST', `/contracts/${contract.id}/audits`, { kind: 'audit', requestedAt, scope: 'Backups of the Paris datacenter' });
    expect(requested.status, JSON.stringify(requested.body)).toBe(201);
    const before = await apiMetrics();
    expect(before.value('dpa_overdue_clocks', { kind: 'audit-scheduled' })).toBe(0);
    // Scheduled a millisecond after the request: due at once.
    const scheduledFor = new Date(Date.parse(requestedAt) + 1).toISOString();
    expect((await call('POST', `/contracts/${contract.id}/audits/${requested.body.id}/schedule`, { scheduledFor })).status).toBe(200);
    let after = before;
    await waitFor('the audit overdue', async () => (after = await apiMetrics()).value('dpa_overdue_clocks', { kind: 'audit-scheduled' }) === 1);
    expect(after.value('dpa_open_files', { type: 'audit' })).toBe(1);
    expect(after.value('dpa_overdue_clocks', { kind: 'destruction-deadline' })).toBe(0);
  });
});

describe("the worker's health", () => {
  it('asks for METRICS_TOKEN on /metrics; is live, and ready while it polls and PostgreSQL answers', async () => {
    for (const authorization of [undefined, `Bearer ${TOKEN}x`]) {
      const res = await fetch(`${workerUrl}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    }
    expect((await fetch(`${workerUrl}/health/live`)).status).toBe(200);
    const ready = await fetch(`${workerUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { worker: { status: 'up', state: 'RUNNING' }, postgres: { status: 'up' } } });
    expect((await fetch(`${workerUrl}/nowhere`)).status).toBe(404);
  });

  it('is no longer ready once SIGTERM has begun its shutdown: 503 naming the worker, until the port closes', async () => {
    type Answer = { status: number; down?: string[] } | 'closed';
    const readiness = (): Promise<Answer> =>
      fetch(`${workerUrl}/health/ready`).then(
        async (res) => ({ status: res.status, down: ((await res.json()) as { error?: { details: { down: string[] } } }).error?.details.down }),
        () => 'closed' as const,
      );
    let answer = await readiness();
    expect(answer).toMatchObject({ status: 200 });
    worker.child.kill('SIGTERM');
    await waitFor('readiness gone', async () => (answer = await readiness()) === 'closed' || answer.status !== 200);
    if (answer !== 'closed') expect(answer).toEqual({ status: 503, down: expect.arrayContaining(['worker']) });
    // Once the shutdown began it never comes back: 503 while it drains, then the port closes.
    const again = await readiness();
    expect(again === 'closed' || again.status === 503).toBe(true);
    expect(await worker.exited).toBe(0);
  });
});
