import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { freePort } from '#infra/dev/processes';
import { startApi, startWorker, type RunningApp } from './apps';
import { createTestDatabase, type TestDatabase } from './database';
import { startMailCatcher } from './mail';
import { settled } from './settled';

export const KEYS = {
  account_manager: 'dev-account-manager-key',
  billing: 'dev-billing-key',
  dpo: 'dev-dpo-key',
  admin: 'dev-admin-key',
} as const;

export type RoleName = keyof typeof KEYS;

export interface HttpAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** The whole engine as processes: a fresh database, the built worker and API, a real SMTP catcher. */
export interface Stack {
  /** The first API; with replicas, `request` goes to each in turn. */
  readonly api: RunningApp;
  readonly worker: RunningApp;
  /** Every API and worker replica (one each unless DPA_TEST_REPLICAS says more, as test:cluster does). */
  readonly apis: readonly RunningApp[];
  readonly workers: readonly RunningApp[];
  readonly db: TestDatabase;
  readonly env: Record<string, string>;
  readonly storageRoot: string;
  readonly mail: Awaited<ReturnType<typeof startMailCatcher>>;
  // Answers are asserted field by field in the tests; a loose type keeps them readable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  request<T = any>(method: string, url: string, options?: { role?: RoleName | null; key?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<HttpAnswer<T>>;
  restartApi(): Promise<void>;
  /** Kills the (first) worker with SIGKILL: no shutdown, no grace, work in flight cut where it stands. */
  killWorker(): Promise<void>;
  /** Starts the (first) worker again, as a supervisor would after it died. */
  startWorker(): Promise<void>;
  /**
   * Waits until the stack is quiet: every email sent and reported, no workflow of its task queue
   * with work in flight (test/support/settled.ts). Assert "nothing more happened" after this.
   */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(extraEnv: Record<string, string> = {}): Promise<Stack> {
  const db = await createTestDatabase();
  const mail = await startMailCatcher();
  const storageRoot = path.join(inject('runDir'), `stack-${randomUUID()}`);
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `e2e-${randomUUID()}`,
    SMTP_URL: mail.url,
    STORAGE_ROOT: path.join(storageRoot, 'locations'),
    EXPORT_ROOT: path.join(storageRoot, 'exports'),
    PROCESSOR_DPO_EMAIL: 'dpo@processor.example',
    // Made once for the run from the sources (test/support/global-setup.ts): workers start without bundling.
    ...(inject('workflowBundlePath') ? { WORKER_WORKFLOW_BUNDLE: inject('workflowBundlePath') } : {}),
    ...extraEnv,
  };
  const replicas = Number(process.env.DPA_TEST_REPLICAS ?? 1);
  const workers: RunningApp[] = [];
  const apis: RunningApp[] = [];
  try {
    // Replicas serve /metrics each on its own port (their `url`).
    for (let i = 0; i < replicas; i++) workers.push(await startWorker(replicas > 1 ? { ...env, WORKER_HTTP_PORT: String(await freePort()) } : env));
    // A PORT given is the first API's; the others take free ports.
    const { PORT: _first, ...others } = env;
    for (let i = 0; i < replicas; i++) apis.push(await startApi(i === 0 ? env : others));
  } catch (e) {
    await Promise.allSettled([...apis, ...workers].map((p) => p.stop()));
    await Promise.allSettled([mail.stop(), db.drop()]);
    throw e;
  }
  let turn = 0;
  let temporal: Client | null = null;
  const stack: Stack = {
    get api() {
      return apis[0]!;
    },
    get worker() {
      return workers[0]!;
    },
    apis,
    workers,
    db,
    env,
    storageRoot,
    mail,
    async request(method, url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const role = options.role === undefined ? 'admin' : options.role;
      if (options.key) headers.authorization = `Bearer ${options.key}`;
      else if (role) headers.authorization = `Bearer ${KEYS[role]}`;
      let body: string | undefined;
      if (options.raw !== undefined) body = options.raw;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const api = apis[turn++ % apis.length]!;
      const res = await fetch(`${api.url}${url}`, { method, headers, body });
      const text = await res.text();
      // JSON answers parsed; a download (CSV) as its text.
      const json = (res.headers.get('content-type') ?? 'application/json').startsWith('application/json');
      return { status: res.status, body: text ? (json ? JSON.parse(text) : text) : null, headers: res.headers };
    },
    async restartApi() {
      for (const [i, api] of apis.entries()) {
        await api.stop();
        apis[i] = await startApi({ ...env, PORT: new URL(api.url).port });
      }
    },
    async killWorker() {
      const worker = workers[0]!;
      worker.child.kill('SIGKILL');
      await worker.exited;
    },
    async startWorker() {
      workers[0] = await startWorker(env);
    },
    async settled() {
      temporal ??= new Client({ connection: await Connection.connect({ address: env.TEMPORAL_ADDRESS! }) });
      await settled({ databaseUrl: db.url, client: temporal, taskQueue: env.TEMPORAL_TASK_QUEUE! });
    },
    async stop() {
      await temporal?.connection.close();
      await Promise.allSettled([...apis, ...workers].map((p) => p.stop()));
      await mail.stop();
      await db.drop();
      fs.rmSync(storageRoot, { recursive: true, force: true });
    },
  };
  return stack;
}
