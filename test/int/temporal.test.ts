import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '#infra/config/config';
import { dataConverter } from '#infra/temporal/connection';
import { temporalBinaries } from '#infra/temporal/binaries';
import { addUpdate, finishSignal, noteSignal, totalQuery } from '../support/workflows/probe.workflow';

const config = loadConfig({ NODE_ENV: 'test' });
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  Runtime.install({ logger: new (await import('@temporalio/worker')).DefaultLogger('WARN') });
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '../support/workflows/probe.workflow.ts'), logger: quiet });
});

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

describe('Temporal dev server (real)', () => {
  let connection: NativeConnection;
  let client: Client;
  beforeAll(async () => {
    connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), dataConverter: dataConverter(config) });
  });
  afterAll(async () => {
    await client?.connection.close();
    await connection?.close();
  });

  it('round-trips an update, a signal and a query through an encrypting codec', async () => {
    const taskQueue = `probe-${randomUUID()}`;
    const worker = await Worker.create({ connection, taskQueue, workflowBundle: bundle, dataConverter: dataConverter(config) });
    const result = await worker.runUntil(async () => {
      const handle = await client.workflow.start('probeWorkflow', { taskQueue, workflowId: `probe-${randomUUID()}` });
      expect(await handle.executeUpdate(addUpdate, { args: [40] })).toBe(40);
      expect(await handle.executeUpdate(addUpdate, { args: [2] })).toBe(42);
      await expect(handle.executeUpdate(addUpdate, { args: [0.5] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await handle.signal(noteSignal, 'hello');
      expect(await handle.query(totalQuery)).toEqual({ total: 42, notes: ['hello'] });
      await handle.signal(finishSignal);
      return handle.result();
    });
    expect(result).toEqual({ total: 42, notes: ['hello'] });
  });
});

describe('Time-skipping test server (real binary)', () => {
  it('runs a workflow that sleeps 400 days in seconds of wall time', async () => {
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: temporalBinaries().testServer } },
    });
    try {
      const taskQueue = `sleep-${randomUUID()}`;
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle });
      const wall = Date.now();
      const { startedAt, wokeAt } = await worker.runUntil(
        env.client.workflow.execute('sleeperWorkflow', { args: [400], taskQueue, workflowId: `sleep-${randomUUID()}` }),
      );
      expect(wokeAt - startedAt).toBeGreaterThanOrEqual(400 * 86_400_000);
      expect(Date.now() - wall).toBeLessThan(60_000);
    } finally {
      await env.teardown();
    }
  });
});
