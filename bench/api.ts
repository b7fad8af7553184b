import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../libs/infra/src/config/config';
import { createDataSource, migrate } from '../libs/infra/src/database/data-source';
import { CredentialVault } from '../libs/infra/src/vault/credential-vault';
import { freePort, startProcess, waitFor, type ManagedProcess } from '../libs/infra/src/dev/processes';
import { projectRoot } from '../libs/infra/src/dev/project-root';
import { startTemporalDevServer } from '../libs/infra/src/dev/services';
import { dataConverter } from '../libs/infra/src/temporal/connection';
import { orderContract } from '../libs/infra/src/temporal/contract-client';
import { contractWorkflowId, handOverCredentialsUpdate } from '../libs/infra/src/temporal/messages';
import { benchPostgres, fmt, measure } from './support';

/**
 * `npm run bench:api`: order + hand-over per second through the HTTP API, and the same Temporal
 * calls made directly with a Temporal client, against the same worker and server in the same run.
 * Last line: `ratio: <API contracts/s ÷ direct contracts/s>` at 64 clients.
 */
const PER_CLIENT = Number(process.env.BENCH_CONTRACTS_PER_CLIENT ?? 8);
const LEVELS = [16, 64];

async function main(): Promise<void> {
  const root = projectRoot();
  if (spawnSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const pg = await benchPostgres('api');
  const temporal = await startTemporalDevServer({ port: await freePort(), uiPort: null });
  const started: ManagedProcess[] = [];
  try {
    await migrate(pg.url);
    const port = await freePort();
    const env = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporal.address, PORT: String(port), DATABASE_POOL_SIZE: '20', STORAGE_ROOT: path.join(root, '.data', 'bench', 'storage') };
    let polling = false;
    started.push(startProcess('worker', process.execPath, [path.join(root, 'dist/apps/worker/src/main.js')], { guarded: true, env: { ...env, LOG_LEVEL: 'info' }, onLine: (l) => (polling ||= l.includes('worker polling')) }));
    started.push(startProcess('api', process.execPath, [path.join(root, 'dist/apps/api/src/main.js')], { guarded: true, env }));
    const api = `http://127.0.0.1:${port}`;
    await waitFor('api', async () => (await fetch(`${api}/health`)).status === 200, { timeoutMs: 60_000 });
    await waitFor('worker', async () => polling, { timeoutMs: 60_000 });

    const config = loadConfig(env);
    const dataSource = createDataSource({ url: pg.url, poolSize: 20 });
    await dataSource.initialize();
    const vault = new CredentialVault(dataSource, config.vaultKeys);
    const client = new Client({ connection: await Connection.connect({ address: temporal.address }), dataConverter: dataConverter(config) });
    const post = async (url: string, body: unknown, key: string) => {
      const res = await fetch(`${api}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    const viaApi = async () => {
      const { id } = await post('/contracts', { controller: { name: 'Bench SAS', email: 'bench@bench.example' }, billingPeriod: 'P1M' }, 'dev-account-manager-key');
      await post(`/contracts/${id}/credentials`, { kind: 'ssh', host: 'h.bench.example', username: 'u', secret: 's3cret' }, 'dev-account-manager-key');
    };
    const direct = async () => {
      const contractId = randomUUID();
      const order = { contractId, reference: null, controller: { customerId: null, name: 'Bench SAS', email: 'bench@bench.example', address: null, dpoEmail: null }, billingPeriod: 'P1M', catalog: null, returnWindow: null, renewalGracePeriod: null, orderedAt: new Date().toISOString() };
      await orderContract(client, { taskQueue: config.temporal.taskQueue, settings: { escalationMargin: 'P7D' }, order, actor: { role: 'account_manager' } });
      const handle = client.workflow.getHandle(contractWorkflowId(contractId));
      // Sealing is vault work every hand-over needs, whichever way it comes in.
      const credentialId = randomUUID();
      const sealed = await vault.seal(contractId, credentialId, { username: 'u', secret: 's3cret' });
      await handle.executeUpdate(handOverCredentialsUpdate, { args: [{ credentialId, kind: 'ssh', host: 'h.bench.example', sealed, actor: { role: 'account_manager' } }] });
    };

    // Warm-up: JIT, connection pools, sticky caches.
    await measure(16, 8, viaApi);
    if (process.env.BENCH_DEBUG) console.log('warm api');
    await measure(16, 8, direct);
    if (process.env.BENCH_DEBUG) console.log('warm direct');
    console.log(`API benchmark: order + hand-over per contract, ${PER_CLIENT} contracts per client, Temporal dev server, PostgreSQL, worker and API as processes`);
    const ratios: Record<number, number> = {};
    for (const clients of LEVELS) {
      const total = clients * PER_CLIENT;
      const a = await measure(total, clients, viaApi);
      const d = await measure(total, clients, direct);
      ratios[clients] = a.perSecond / d.perSecond;
      console.log(
        `${clients} clients: API ${fmt(a.perSecond)} contracts/s (p50 ${fmt(a.p50)} ms, p99 ${fmt(a.p99)} ms) | ` +
          `direct client ${fmt(d.perSecond)} contracts/s (p50 ${fmt(d.p50)} ms, p99 ${fmt(d.p99)} ms) | ratio ${fmt(ratios[clients]!, 3)}`,
      );
    }

    // The cost of the contract workflow itself: a workflow that does nothing, on its own worker.
    const taskQueue = `trivial-${randomUUID()}`;
    const worker = await Worker.create({
      connection: await NativeConnection.connect({ address: temporal.address }),
      taskQueue,
      workflowBundle: await bundleWorkflowCode({ workflowsPath: path.join(root, 'test/support/workflows/probe.workflow.ts'), logger: new DefaultLogger('WARN') }),
    });
    await worker.runUntil(async () => {
      const starts = await measure(64 * PER_CLIENT, 64, async () => void (await client.workflow.start('trivialWorkflow', { taskQueue, workflowId: randomUUID() })));
      const runs = await measure(64 * PER_CLIENT, 64, async () => void (await client.workflow.execute('trivialWorkflow', { taskQueue, workflowId: randomUUID() })));
      console.log(`trivial workflow, 64 clients: ${fmt(starts.perSecond)} starts/s (p50 ${fmt(starts.p50)} ms), ${fmt(runs.perSecond)} start-to-result/s (p50 ${fmt(runs.p50)} ms)`);
    });
    await client.connection.close();
    await dataSource.destroy();
    console.log(`ratio: ${fmt(ratios[64]!, 3)}`);
  } finally {
    for (const p of started.reverse()) await p.stop();
    await temporal.stop();
    await pg.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
