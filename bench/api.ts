import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '#infra/config/config';
import { createDataSource, migrate } from '#infra/database/data-source';
import { CredentialVault } from '#infra/vault/credential-vault';
import { freePort, startProcess, waitFor, WORKER_NODE_ARGS, type ManagedProcess } from '#infra/dev/processes';
import { projectRoot } from '#infra/dev/project-root';
import { startTemporalDevServer } from '#infra/dev/services';
import { writeWorkflowBundle } from '#infra/dev/workflow-bundle';
import { dataConverter } from '#infra/temporal/connection';
import { orderContract } from '#infra/temporal/contract-client';
import { contractWorkflowId, handOverCredentialsUpdate } from '#infra/temporal/messages';
import { benchPostgres, buildDist, combine, cpuBetween, cpuByProcess, fmt, measure, type Measured } from './support';
import { trivialOrderUpdate, trivialTouchUpdate } from './worker/workflows';

/**
 * `npm run bench:api`: order + hand-over per second through the HTTP API; the same Temporal calls
 * made directly with a Temporal client; and a trivial workflow driven exactly like a contract (an
 * update-with-start, then one update, both answered at once). All three on the same server, the
 * same worker process, codec and task queue, at the same concurrency, in alternating rounds.
 * Prints `api ratio: <API ÷ direct>` and, last, `ratio: <direct contracts ÷ trivial workflows>`,
 * both at the last level of BENCH_LEVELS (64 clients by default).
 */
const PER_CLIENT = Number(process.env.BENCH_CONTRACTS_PER_CLIENT ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
/** Concurrent clients per measured level (BENCH_LEVELS); the ratios are taken at the last. */
const LEVELS = (process.env.BENCH_LEVELS ?? '16,64').split(',').map(Number);

async function main(): Promise<void> {
  const root = projectRoot();
  buildDist();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const pg = await benchPostgres('api');
  const temporal = await startTemporalDevServer({ port: await freePort(), uiPort: null });
  const started: ManagedProcess[] = [];
  try {
    await migrate(pg.url);
    const port = await freePort();
    const env = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporal.address, PORT: String(port), DATABASE_POOL_SIZE: '20', STORAGE_ROOT: path.join(root, '.data', 'bench', 'storage') };
    let polling = false;
    // The engine's worker as it is deployed (built, given a bundle made beforehand from the sources),
    // with the trivial workflow in that bundle beside the engine's (bench/worker/workflows.ts).
    // One file, written anew by each run (atomically: a run beside it finds either whole bundle, the same code).
    const bundle = await writeWorkflowBundle(path.join(root, '.data', 'bench', 'api-bundle.js'), 'sources', path.join(root, 'bench/worker/workflows.ts'));
    started.push(
      startProcess('worker', process.execPath, [...WORKER_NODE_ARGS, ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []), path.join(root, 'dist/apps/worker/src/main.js')], {
        guarded: true,
        env: { ...env, LOG_LEVEL: 'info', WORKER_WORKFLOW_BUNDLE: bundle },
        onLine: (l) => (polling ||= l.includes('worker polling')),
      }),
    );
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
      // Sealing and storing the secret is vault work every hand-over needs, whichever way it comes in.
      const credentialId = randomUUID();
      await vault.store(contractId, credentialId, 'ssh', 'h.bench.example', await vault.seal(contractId, credentialId, { username: 'u', secret: 's3cret' }));
      await handle.executeUpdate(handOverCredentialsUpdate, { args: [{ credentialId, kind: 'ssh', host: 'h.bench.example', actor: { role: 'account_manager' } }] });
    };

    const trivial = async () => {
      const id = randomUUID();
      const start = new WithStartWorkflowOperation('trivialEntityWorkflow', { workflowId: `trivial-${id}`, taskQueue: config.temporal.taskQueue, workflowIdConflictPolicy: 'USE_EXISTING' });
      await client.workflow.executeUpdateWithStart(trivialOrderUpdate, { args: [{ id }], startWorkflowOperation: start });
      await client.workflow.getHandle(`trivial-${id}`).executeUpdate(trivialTouchUpdate, { args: [{ id }] });
    };
    const sides = { api: viaApi, direct, trivial } as const;

    // Warm-up: JIT, connection pools, sticky caches.
    for (const task of Object.values(sides)) await measure(16, 8, task);
    console.log(
      `API benchmark: order + hand-over per contract, ${PER_CLIENT} per client in ${ROUNDS} alternating rounds; a trivial workflow driven the same way (update-with-start, one update); Temporal dev server, PostgreSQL, worker and API as processes`,
    );
    const at: Record<number, Record<keyof typeof sides, Measured>> = {};
    for (const clients of LEVELS) {
      const names = clients === LEVELS.at(-1) ? (['api', 'direct', 'trivial'] as const) : (['api', 'direct'] as const);
      const rounds: Partial<Record<keyof typeof sides, Measured[]>> = {};
      const cpu: Partial<Record<keyof typeof sides, Record<string, number>>> = {};
      const label = (pid: number, name: string) =>
        name.includes('apps/worker/src/main.js') ? 'worker' : name.includes('apps/api/src/main.js') ? 'api' : pid === process.pid ? 'bench' : name.includes('temporal') ? 'temporal' : name.includes('postgres') ? 'postgres' : 'other';
      for (let round = 0; round < ROUNDS; round++) {
        // Each round starts with another side, so a slow spell of the machine weighs on all alike.
        const order = names.map((_, i) => names[(i + round) % names.length]!);
        for (const name of order) {
          const before = cpuByProcess();
          (rounds[name] ??= []).push(await measure(Math.ceil((clients * PER_CLIENT) / ROUNDS), clients, sides[name]));
          const used = cpuBetween(before, cpuByProcess(), label);
          for (const [group, seconds] of Object.entries(used)) (cpu[name] ??= {})[group] = (cpu[name]?.[group] ?? 0) + seconds;
        }
      }
      at[clients] = Object.fromEntries(Object.entries(rounds).map(([name, list]) => [name, combine(list)])) as Record<keyof typeof sides, Measured>;
      const r = at[clients]!;
      // CPU per task, by process: where a side's time goes (a 2-core machine is CPU-bound here).
      for (const [name, used] of Object.entries(cpu)) {
        const per = Object.entries(used)
          .filter(([, seconds]) => seconds > 0.05)
          .map(([group, seconds]) => `${group} ${fmt((seconds * 1000) / r[name as keyof typeof sides].count, 1)}`);
        console.log(`  ${clients} clients, ${name}: CPU ms per task: ${per.join(', ')}`);
      }
      console.log(
        `${clients} clients: API ${fmt(r.api.perSecond)} contracts/s (p50 ${fmt(r.api.p50)} ms, p99 ${fmt(r.api.p99)} ms) | ` +
          `direct client ${fmt(r.direct.perSecond)} contracts/s (p50 ${fmt(r.direct.p50)} ms, p99 ${fmt(r.direct.p99)} ms)` +
          (r.trivial ? ` | trivial workflow ${fmt(r.trivial.perSecond)}/s (p50 ${fmt(r.trivial.p50)} ms, p99 ${fmt(r.trivial.p99)} ms)` : '') +
          ` | API ÷ direct ${fmt(r.api.perSecond / r.direct.perSecond, 3)}`,
      );
    }
    const r = at[LEVELS.at(-1)!]!;
    await client.connection.close();
    await dataSource.destroy();
    console.log(`api ratio: ${fmt(r.api.perSecond / r.direct.perSecond, 3)}`);
    console.log(`ratio: ${fmt(r.direct.perSecond / r.trivial.perSecond, 3)}`);
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
