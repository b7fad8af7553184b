import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporalBinaries } from '../temporal/binaries';
import { isPortOpen, startProcess, waitFor, type LineSink, type ManagedProcess } from './processes';
import { projectRoot } from './project-root';

export interface PostgresService extends ManagedProcess {
  readonly url: string;
  readonly port: number;
  /** The postmaster's own pid, to crash the server (SIGKILL) in durability tests. */
  readonly postmasterPid: number;
}

export interface PostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly database?: string;
  readonly onLine?: LineSink;
}

/** Starts an embedded PostgreSQL (scripts/services/postgres.mjs) and waits until it accepts connections. */
export async function startPostgres(options: PostgresOptions): Promise<PostgresService> {
  const database = options.database ?? 'dpa';
  let ready: (info: { pid: number }) => void = () => {};
  const readyLine = new Promise<{ pid: number }>((resolve) => (ready = resolve));
  const proc = startProcess(
    'postgres',
    process.execPath,
    [path.join(projectRoot(), 'scripts/services/postgres.mjs'), '--dir', options.dataDir, '--port', String(options.port), '--database', database],
    {
      onLine: (line, stream) => {
        if (stream === 'stdout' && line.startsWith('{"ready":true')) ready(JSON.parse(line) as { pid: number });
        else options.onLine?.(line, stream);
      },
    },
  );
  const info = await Promise.race([
    readyLine,
    proc.exited.then((code) => Promise.reject(new Error(`embedded PostgreSQL exited with ${code} before it was ready`))),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('embedded PostgreSQL not ready after 60 s')), 60_000).unref()),
  ]);
  return { ...proc, url: `postgres://dpa:dpa@127.0.0.1:${options.port}/${database}`, port: options.port, postmasterPid: info.pid };
}

export interface TemporalDevServer extends ManagedProcess {
  readonly address: string;
  readonly uiUrl: string | null;
}

export interface TemporalDevServerOptions {
  readonly port: number;
  /** null runs headless. */
  readonly uiPort: number | null;
  /** A SQLite file keeps workflows across restarts; without it the server is in memory. */
  readonly dbFile?: string;
  /** The engine's codec endpoint, for the UI to decode payloads (DESIGN §6, §7). */
  readonly codecEndpoint?: string;
  /** Dynamic configuration values (`--dynamic-config-value key=<JSON value>`). */
  readonly dynamicConfig?: Readonly<Record<string, unknown>>;
  readonly onLine?: LineSink;
}

/** Starts `temporal server start-dev` (the official CLI from PyPI) and waits for its frontend. */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--namespace', 'default', '--log-level', 'warn'];
  args.push(...(options.uiPort === null ? ['--headless'] : ['--ui-port', String(options.uiPort)]));
  if (options.uiPort !== null && options.codecEndpoint) args.push('--ui-codec-endpoint', options.codecEndpoint);
  if (options.dbFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  const proc = startProcess('temporal', temporalBinaries().cli, args, { guarded: true, onLine: options.onLine });
  await waitFor('Temporal dev server', () => isPortOpen(options.port), { exited: proc.exited, timeoutMs: 90_000 });
  await waitFor('Temporal namespace', () => namespaceReady(`127.0.0.1:${options.port}`), { exited: proc.exited, timeoutMs: 90_000, intervalMs: 250 });
  return { ...proc, address: `127.0.0.1:${options.port}`, uiUrl: options.uiPort === null ? null : `http://127.0.0.1:${options.uiPort}` };
}

export async function namespaceReady(address: string, namespace = 'default'): Promise<boolean> {
  const { Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } finally {
    await connection.close();
  }
}
