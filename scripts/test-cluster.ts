import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, runInForeground } from '#infra/dev/processes';
import { startPostgres } from '#infra/dev/services';
import { freeClusterPorts, startTemporalCluster } from '#infra/dev/temporal-cluster';
import { installTemporalBinaries } from '#infra/temporal/binaries';
import { buildTemporalServer } from '#infra/temporal/server-build';

/**
 * `npm run test:cluster`: a Temporal cluster built from go.temporal.io/server (frontend, history,
 * matching and worker as separate processes) on PostgreSQL, then the end-to-end lifecycle suite
 * against it with two APIs (requests alternate between them) and two workers per stack, then the
 * replica tests. Not part of `npm test`; it builds the Temporal server the first time (minutes).
 */
const root = path.resolve(__dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
/** The lifecycle suite: every file that drives the engine through its API and worker processes. */
const LIFECYCLE = [
  'test/e2e/lifecycle.test.ts',
  'test/e2e/walkthrough.test.ts',
  'test/e2e/api-contract.test.ts',
  'test/e2e/evidence.test.ts',
  'test/e2e/incidents.test.ts',
  'test/e2e/subject-requests.test.ts',
  'test/e2e/instructions.test.ts',
  'test/e2e/registers.test.ts',
  'test/e2e/sub-processors.test.ts',
  'test/e2e/worker-shutdown.test.ts',
  'test/e2e/worker-crash.test.ts',
];

function vitest(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runInForeground(bin('vitest'), ['run', ...args], { cwd: root, env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true', ...env }, label: '[cluster] vitest' });
}

async function main(): Promise<void> {
  // `npm run test:cluster -- replicas` (or `lifecycle`) runs one part only.
  const parts = process.argv.slice(2);
  const unknown = parts.filter((p) => p !== 'lifecycle' && p !== 'replicas');
  if (unknown.length) throw new Error(`unknown part(s) ${unknown.join(', ')}; choose lifecycle and/or replicas`);
  const wants = (part: string) => parts.length === 0 || parts.includes(part);
  const started = Date.now();
  const lap = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
  const timings: string[] = [];
  await installTemporalBinaries((line) => console.log(`[cluster] ${line}`));
  let t = Date.now();
  const server = await buildTemporalServer((line) => console.log(`[cluster] ${line}`));
  timings.push(`temporal build ${server.built ? lap(t) : 'reused'}`);
  t = Date.now();
  if (spawnSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('the build failed');
  timings.push(`build ${lap(t)}`);

  const dir = path.join(root, '.data', 'test', `cluster-${process.pid}-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  t = Date.now();
  const log = fs.createWriteStream(path.join(dir, 'cluster.log'));
  const postgres = await startPostgres({ dataDir: path.join(dir, 'postgres'), port: await freePort(), database: 'postgres', onLine: (line) => log.write(`[postgres] ${line}\n`) });
  let code = 1;
  try {
    const cluster = await startTemporalCluster({ postgresUrl: postgres.url, dir: path.join(dir, 'temporal'), ports: await freeClusterPorts(), onLine: (service, line) => log.write(`[${service}] ${line}\n`) });
    timings.push(`cluster up ${lap(t)} (${cluster.processes.map((p) => `${p.service} pid ${p.pid}`).join(', ')})`);
    console.log(`[cluster] Temporal ${cluster.address} on PostgreSQL ${new URL(postgres.url).host}; services' log: ${path.relative(root, path.join(dir, 'cluster.log'))}`);
    const env = { DPA_TEST_POSTGRES_URL: postgres.url, DPA_TEST_TEMPORAL_ADDRESS: cluster.address, DPA_TEST_REPLICAS: '2' };
    try {
      code = 0;
      if (wants('lifecycle')) {
        t = Date.now();
        console.log('\n[cluster] ── the lifecycle suite, two APIs and two workers per stack ──');
        code = await vitest(['--project', 'e2e', ...LIFECYCLE], env);
        timings.push(`lifecycle suite ${lap(t)}`);
      }
      if (code === 0 && wants('replicas')) {
        t = Date.now();
        console.log('\n[cluster] ── replica tests ──');
        code = await vitest(['--project', 'cluster'], env);
        timings.push(`replica tests ${lap(t)}`);
      }
    } finally {
      await cluster.stop();
    }
  } finally {
    await postgres.stop();
    log.end();
  }
  if (code === 0) fs.rmSync(dir, { recursive: true, force: true });
  console.log(`\n[cluster] ${code === 0 ? 'all passed' : `failed (exit ${code}); logs kept in ${path.relative(root, dir)}`} in ${lap(started)}: ${timings.join(', ')}`);
  process.exit(code);
}

main().catch((e: unknown) => {
  console.error(`[cluster] failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
