import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { loadConfig, type AppConfig } from '#infra/config/config';
import { migrate } from '#infra/database/data-source';
import { devDataDir, devEnvironment } from '#infra/dev/data-dir';
import { freePort, isPortOpen, startProcess, TSX_NODE_ARGS, waitFor, WORKER_NODE_ARGS, type ManagedProcess } from '#infra/dev/processes';
import { supervise } from '#infra/dev/supervisor';
import { startPostgres, startTemporalDevServer } from '#infra/dev/services';
import { standardPorts, startTemporalCluster } from '#infra/dev/temporal-cluster';
import { startTemporalUiProxy } from '#infra/dev/temporal-ui-proxy';
import { installTemporalBinaries } from '#infra/temporal/binaries';
import { buildTemporalServer } from '#infra/temporal/server-build';

/**
 * `npm run up`: the whole system on one machine. Starts what is not configured elsewhere
 * (PostgreSQL, Temporal dev server, mail catcher), applies migrations, starts the worker and the
 * API, streams every log line with a prefix, and on Ctrl-C / SIGTERM stops all it started.
 *
 * `npm run up:cluster` (--cluster) runs the production topology instead: the Temporal server built
 * from go.temporal.io/server (npm run temporal:build, once) on the engine's PostgreSQL, its frontend,
 * history, matching and worker services as separate processes, and two workers and two APIs.
 */
const root = path.resolve(__dirname, '..');
const CLUSTER = process.argv.includes('--cluster');
const REPLICAS = CLUSTER ? 2 : 1;
const dataDir = CLUSTER ? path.join(devDataDir(), 'cluster') : devDataDir();
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TEMPORAL_PORT = port('TEMPORAL_PORT', 7233);
const TEMPORAL_UI_PORT = port('TEMPORAL_UI_PORT', 8233);
const MAIL_SMTP_PORT = port('MAIL_SMTP_PORT', 1025);
const MAIL_UI_PORT = port('MAIL_UI_PORT', 1080);
const OIDC_PORT = port('OIDC_PORT', 9400);
const WORKER_HTTP_PORT = 9464;
const DEV_KEYS = ['dev-account-manager-key (account_manager)', 'dev-billing-key (billing)', 'dev-dpo-key (dpo)', 'dev-admin-key (admin)'];
const COLORS: Record<string, string> = { postgres: '34', temporal: '35', mail: '36', oidc: '94', worker: '33', api: '32', up: '1' };
const DEV_LOGINS = 'account-manager, dpo, admin, billing (any password)';
const width = Math.max(...Object.keys(COLORS).map((k) => k.length)) + 2;

/** False once stdout is gone (a closed pipe: the terminal or the reader went away). */
let speaking = true;
function say(name: string, line: string): void {
  if (!speaking) return;
  const tag = `[${name}]`.padEnd(width + 2);
  process.stdout.write(process.stdout.isTTY ? `\x1b[${COLORS[name.replace(/-\d+$/, '')] ?? '0'}m${tag}\x1b[0m ${line}\n` : `${tag} ${line}\n`);
}
const sink = (name: string) => (line: string) => say(name, line);

const started: ManagedProcess[] = [];
let stopping: Promise<never> | null = null;

/** Stops everything once, however many signals arrive (a terminal sends Ctrl-C to the whole group). */
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    say('up', 'stopping…');
    // Reverse order of start: the API and worker drain before their dependencies go.
    for (const proc of [...started].reverse()) {
      try {
        await proc.stop(30_000);
        say('up', `${proc.name} stopped`);
      } catch (e) {
        say('up', `${proc.name} did not stop cleanly: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    process.exit(code);
  })();
  return stopping;
}

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0));
  // Whoever read the output has gone (EPIPE): as SIGPIPE would, that stops everything, quietly.
  process.stdout.on('error', () => {
    speaking = false;
    void stopAll(0);
  });
  // Whatever goes wrong in this script is said, and stops what it started (no orphans, no silent exit 1).
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (e: unknown) => {
      say('up', `${event}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      void stopAll(stopping ? 0 : 1);
    });
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });

  await installTemporalBinaries(sink('up'));
  if (CLUSTER) await buildTemporalServer(sink('up'));
  say('up', 'building…');
  const build = spawnSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');

  const env: NodeJS.ProcessEnv = devEnvironment();
  if (!env.DATABASE_URL) {
    const pgPort = port('POSTGRES_PORT', 54320);
    if (await isPortOpen(pgPort)) throw new Error(`port ${pgPort} is taken: stop what uses it, or set POSTGRES_PORT or DATABASE_URL`);
    const pg = await startPostgres({ dataDir: path.join(dataDir, 'postgres'), port: pgPort, onLine: sink('postgres') });
    started.push(pg);
    env.DATABASE_URL = pg.url;
  } else say('up', 'using DATABASE_URL');
  if (!env.TEMPORAL_ADDRESS && CLUSTER) {
    const cluster = await startTemporalCluster({
      postgresUrl: env.DATABASE_URL,
      dir: path.join(dataDir, 'temporal'),
      ports: standardPorts(TEMPORAL_PORT),
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      onLine: (service, line) => say('temporal', `${service}: ${line}`),
    });
    started.push(...cluster.processes);
    env.TEMPORAL_ADDRESS = cluster.address;
  } else if (!env.TEMPORAL_ADDRESS) {
    for (const p of [TEMPORAL_PORT, TEMPORAL_UI_PORT]) if (await isPortOpen(p)) throw new Error(`port ${p} is taken: stop what uses it, or set TEMPORAL_PORT / TEMPORAL_ADDRESS`);
    // The UI itself listens on a loopback port of its own; TEMPORAL_UI_PORT is its proxy (codec with credentials).
    const uiUpstream = await freePort();
    const temporal = await startTemporalDevServer({
      port: TEMPORAL_PORT,
      uiPort: uiUpstream,
      dbFile: path.join(dataDir, 'temporal', 'temporal.sqlite'),
      // The Temporal UI decodes payloads through the engine; a dpo or admin browser session authorises it.
      codecEndpoint: `${loadConfig(env).ui.baseUrl}/codec`,
      onLine: sink('temporal'),
    });
    started.push(temporal);
    env.TEMPORAL_ADDRESS = temporal.address;
    await startTemporalUiProxy({ port: TEMPORAL_UI_PORT, upstreamPort: uiUpstream });
    // The codec answers the Temporal UI's origin (CORS), on whatever port it was given.
    env.TEMPORAL_UI_ORIGINS ??= `http://127.0.0.1:${TEMPORAL_UI_PORT},http://localhost:${TEMPORAL_UI_PORT}`;
  } else say('up', 'using TEMPORAL_ADDRESS');
  let mailUrl: string | null = null;
  if (!env.SMTP_URL) {
    const mail = startProcess('mail', process.execPath, [path.join(root, 'scripts/services/mail-catcher.mjs'), '--smtp-port', String(MAIL_SMTP_PORT), '--http-port', String(MAIL_UI_PORT), '--dir', path.join(dataDir, 'mail')], { onLine: sink('mail') });
    started.push(mail);
    await waitFor('mail catcher', () => isPortOpen(MAIL_UI_PORT), { exited: mail.exited, timeoutMs: 15_000 });
    env.SMTP_URL = `smtp://127.0.0.1:${MAIL_SMTP_PORT}`;
    mailUrl = `http://127.0.0.1:${MAIL_UI_PORT}`;
  }

  // The browser UI's sign-in: a development OpenID provider unless one is configured (never in production).
  let devSignIn = false;
  if (!env.OIDC_ISSUER && env.NODE_ENV !== 'production') {
    if (await isPortOpen(OIDC_PORT)) throw new Error(`port ${OIDC_PORT} is taken: stop what uses it, or set OIDC_PORT or OIDC_ISSUER`);
    const { baseUrl } = loadConfig(env).ui;
    const oidc = startProcess('oidc', process.execPath, [path.join(root, 'scripts/services/oidc-provider.mjs'), '--port', String(OIDC_PORT), '--redirect-uri', `${baseUrl}/ui/callback`], { onLine: sink('oidc') });
    started.push(oidc);
    await waitFor('OpenID provider', () => isPortOpen(OIDC_PORT), { exited: oidc.exited, timeoutMs: 20_000 });
    env.OIDC_ISSUER = `http://127.0.0.1:${OIDC_PORT}`;
    devSignIn = true;
  }

  const config = loadConfig(env);
  const applied = await migrate(config.database.url);
  say('up', applied.length ? `migrations applied: ${applied.join(', ')}` : 'schema is up to date');

  // The workers' workflow bundle, made from the sources just built (the engine's modules joined,
  // so each workflow starts cheaper); a worker the supervisor restarts runs it at once. One given
  // in the environment is used as it is: it must come from the same commit.
  if (env.WORKER_WORKFLOW_BUNDLE) say('up', 'using WORKER_WORKFLOW_BUNDLE');
  else {
    say('up', 'bundling the workflows…');
    const file = path.join(dataDir, 'workflow-bundle.js');
    // A process of its own, awaited: the services started above keep being read meanwhile.
    const bundling = startProcess('up', process.execPath, [...TSX_NODE_ARGS, path.join(root, 'scripts/build-workflows.ts'), file], { cwd: root, onLine: sink('up') });
    started.push(bundling);
    if ((await bundling.exited) !== 0) throw new Error('bundling the workflows failed');
    started.splice(started.indexOf(bundling), 1);
    env.WORKER_WORKFLOW_BUNDLE = file;
  }

  // The workers and the APIs are restarted when they die (with backoff); a crash loop gives up.
  // Replicas share everything but the API's port (PORT, PORT+1, …).
  const services = started.length;
  for (const app of ['worker', 'api'] as const) {
    for (let i = 0; i < REPLICAS; i++) {
      const name = REPLICAS > 1 ? `${app}-${i + 1}` : app;
      // Each worker serves /metrics and /health on its own port (WORKER_HTTP_PORT, +1 per replica).
      const own = app === 'api' ? (i > 0 ? { PORT: String(config.http.port + i) } : {}) : { WORKER_HTTP_PORT: String((config.worker.httpPort ?? WORKER_HTTP_PORT) + i) };
      const appEnv = { ...env, DPA_SUPERVISED: '1', ...own };
      started.push(
        supervise(() => startProcess(name, process.execPath, [...(app === 'worker' ? WORKER_NODE_ARGS : []), path.join(root, 'dist/apps', app, 'src/main.js')], { env: appEnv, onLine: sink(name) }), {
          say: (line) => say('up', line),
        }),
      );
    }
  }
  for (const [i, proc] of started.entries()) {
    void proc.exited.then((code) => {
      if (!stopping) {
        say('up', i < services ? `${proc.name} exited unexpectedly (${code}); stopping everything` : `${proc.name} keeps failing; stopping everything`);
        void stopAll(1);
      }
    });
  }

  const apis = Array.from({ length: REPLICAS }, (_, i) => `http://${config.http.host}:${config.http.port + i}`);
  const api = apis[0]!;
  for (const url of apis) await waitFor('api', async () => (await fetch(`${url}/health`)).status === 200, { timeoutMs: 120_000, intervalMs: 250 });
  await waitFor('worker', async () => (await workerPollers(config)) >= REPLICAS, { timeoutMs: 120_000, intervalMs: 250 });
  const lines = [
    CLUSTER ? `ready: the Temporal cluster ${config.temporal.address} (frontend, history, matching, worker), ${REPLICAS} workers, ${REPLICAS} APIs` : 'ready',
    ...apis.map((url, i) => `  API${REPLICAS > 1 ? ` ${i + 1}` : ''}        ${url}   (${url}/metrics, /health/live, /health/ready)`),
    ...Array.from({ length: REPLICAS }, (_, i) => `  Worker${REPLICAS > 1 ? ` ${i + 1}` : ''}     http://${config.http.host}:${(config.worker.httpPort ?? WORKER_HTTP_PORT) + i}/metrics (and /health/live, /health/ready)`),
    `  OpenAPI      ${api}/docs`,
    `  Browser UI   ${config.ui.baseUrl}/ui`,
    `  Client portal ${config.links.baseUrl}/portal (sign-in links go to the caught mail)`,
    ...(devSignIn ? [`  Sign-in      ${config.ui.issuer} — development users (refused when NODE_ENV=production): ${DEV_LOGINS}`] : []),
    started.some((p) => p.name === 'temporal') ? `  Temporal UI  http://127.0.0.1:${TEMPORAL_UI_PORT}` : `  Temporal     ${config.temporal.address}`,
    mailUrl ? `  Caught mail  ${mailUrl}` : `  SMTP         ${config.mail.smtpUrl}`,
    ...(config.production ? [] : ['  Development API keys (refused when NODE_ENV=production):', ...DEV_KEYS.map((k) => `    ${k}`)]),
    '  Ctrl-C stops everything.',
  ];
  for (const line of lines) say('up', line);
}

/** Ready means the workers poll the task queue, whatever the log level. */
async function workerPollers(config: AppConfig): Promise<number> {
  const connection = await Connection.connect({ address: config.temporal.address, connectTimeout: 2_000 });
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace: config.temporal.namespace,
      taskQueue: { name: config.temporal.taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return new Set(pollers.map((p) => p.identity)).size;
  } finally {
    await connection.close();
  }
}

main().catch((e: unknown) => {
  say('up', `failed: ${e instanceof Error ? e.message : String(e)}`);
  void stopAll(1);
});
