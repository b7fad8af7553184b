import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type State, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startOpsServer, workerReadiness, type OpsServer } from '../../apps/worker/src/ops-server';
import { WorkerMetrics } from '../../apps/worker/src/metrics';
import { freePort, waitFor } from '#infra/dev/processes';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { scrape } from '../support/prometheus';

/** The worker's HTTP port over a real Temporal worker and a real PostgreSQL, in-process: its shutdown is ours to start. */
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
const TOKEN = 'an-ops-token-for-tests';
let db: TestDatabase;
let pool: Pool;
let connection: NativeConnection;
let bundle: WorkflowBundleWithSourceMap;
const servers: OpsServer[] = [];
const closing: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  db = await createTestDatabase();
  pool = new Pool({ connectionString: db.url, max: 1 });
  connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '../support/workflows/probe.workflow.ts'), logger: quiet });
});
afterAll(async () => {
  await Promise.all([...servers, ...closing].map((s) => s.close()));
  await connection?.close();
  await pool?.end();
  await db?.drop();
});

async function serve(state: () => State, postgres: () => Promise<unknown>, metrics = new WorkerMetrics(db.url, null)): Promise<string> {
  closing.push(metrics);
  const server = await startOpsServer({ host: '127.0.0.1', port: await freePort(), metricsToken: TOKEN, metrics, ready: () => workerReadiness(state(), postgres) });
  servers.push(server);
  return server.url;
}
const ready = async (url: string) => {
  const res = await fetch(`${url}/health/ready`);
  return { status: res.status, body: (await res.json()) as { checks: { worker: { state: string } }; error?: { code: string; message: string; details: { down: string[] } } } };
};

describe("the worker's readiness (GET /health/ready)", () => {
  it('is 503 before the worker runs, 200 while it polls, and 503 from the moment its shutdown begins: never ready again', async () => {
    const worker = await Worker.create({ connection, taskQueue: `ops-${randomUUID()}`, workflowBundle: bundle });
    const url = await serve(() => worker.getState(), () => pool.query('SELECT 1'));
    expect(await ready(url)).toMatchObject({ status: 503, body: { checks: { worker: { state: 'INITIALIZED' } }, error: { code: 'not_ready', details: { down: ['worker'] } } } });
    const running = worker.run();
    await waitFor('ready', async () => (await ready(url)).status === 200);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);

    worker.shutdown();
    const draining = await ready(url);
    expect(draining.status).toBe(503);
    expect(draining.body.error).toMatchObject({ details: { down: ['worker'] }, message: expect.stringContaining('Temporal worker') });
    expect(draining.body.checks.worker.state).not.toBe('RUNNING');
    await running;
    expect(await ready(url)).toMatchObject({ status: 503, body: { checks: { worker: { state: 'STOPPED' } } } });
  });

  it('is 503 naming PostgreSQL when it does not answer, though the worker polls', async () => {
    const worker = await Worker.create({ connection, taskQueue: `ops-${randomUUID()}`, workflowBundle: bundle });
    const nowhere = new Pool({ connectionString: `postgres://dpa:dpa@127.0.0.1:${await freePort()}/dpa`, max: 1 });
    const url = await serve(() => worker.getState(), () => nowhere.query('SELECT 1'));
    await worker.runUntil(async () => {
      await waitFor('running', async () => worker.getState() === 'RUNNING');
      expect(await ready(url)).toMatchObject({ status: 503, body: { error: { message: 'Unavailable: PostgreSQL.', details: { down: ['postgres'] } } } });
    });
    await nowhere.end();
  });
});

describe("the worker's /metrics", () => {
  it("asks for the token; serves its own metrics when the SDK's endpoint does not answer, and counts that", async () => {
    const url = await serve(() => 'RUNNING', () => pool.query('SELECT 1'), new WorkerMetrics(db.url, `http://127.0.0.1:${await freePort()}/metrics`));
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const first = await scrape(`${url}/metrics`, TOKEN);
    expect(first.value('dpa_outbox_backlog')).toBe(0);
    expect(first.value('dpa_sdk_metrics_errors_total')).toBe(1);
    expect(first.value('dpa_events_appended_total', { stream_type: 'contract' })).toBe(0);
    expect(first.names.filter((n) => n.startsWith('temporal_'))).toEqual([]);
    expect((await scrape(`${url}/metrics`, TOKEN)).value('dpa_sdk_metrics_errors_total')).toBe(2);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
  });
});
