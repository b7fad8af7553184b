import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, startProcess, TSX_NODE_ARGS, waitFor, WORKER_NODE_ARGS, type ManagedProcess } from '#infra/dev/processes';
import { projectRoot } from '#infra/dev/project-root';

export interface RunningApp extends ManagedProcess {
  readonly url: string;
  readonly lines: string[];
}

function entry(app: 'api' | 'worker'): string {
  const file = path.join(projectRoot(), 'dist', 'apps', app, 'src', 'main.js');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run the build first (npm test builds before e2e)`);
  return file;
}

/** Starts the built API (dist/) as its own process, and waits until it answers HTTP. */
export async function startApi(env: Record<string, string>): Promise<RunningApp> {
  const port = Number(env.PORT ?? (await freePort()));
  const lines: string[] = [];
  const proc = startProcess('api', process.execPath, [entry('api')], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', DPA_SUPERVISED: '1', ...env, PORT: String(port) },
    onLine: (line) => lines.push(line),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('api', async () => (await fetch(`${url}/health`)).status > 0, { exited: proc.exited, timeoutMs: 60_000 }).catch(async (e: unknown) => {
    await proc.stop();
    throw new Error(`${(e as Error).message}\n${lines.slice(-20).join('\n')}`);
  });
  return { ...proc, url, lines };
}

/**
 * Starts the built worker (dist/) as its own process; it is ready when it logs that it polls.
 * `fromSource` runs apps/worker/src/main.ts through tsx instead, for tools that run without a build.
 */
export async function startWorker(env: Record<string, string>, options: { fromSource?: boolean } = {}): Promise<RunningApp> {
  const lines: string[] = [];
  let ready = false;
  const args = [...WORKER_NODE_ARGS, ...(options.fromSource ? [...TSX_NODE_ARGS, path.join(projectRoot(), 'apps', 'worker', 'src', 'main.ts')] : [entry('worker')])];
  const proc = startProcess('worker', process.execPath, args, {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', DPA_SUPERVISED: '1', ...env },
    onLine: (line) => {
      lines.push(line);
      if (line.includes('worker polling')) ready = true;
    },
  });
  await waitFor('worker', async () => ready, { exited: proc.exited, timeoutMs: 90_000 }).catch(async (e: unknown) => {
    await proc.stop();
    throw new Error(`${(e as Error).message}\n${lines.slice(-20).join('\n')}`);
  });
  // With WORKER_HTTP_PORT, the worker's /metrics and /health are at `url`.
  return { ...proc, url: env.WORKER_HTTP_PORT ? `http://127.0.0.1:${env.WORKER_HTTP_PORT}` : '', lines };
}
