import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { projectRoot } from './project-root';

/**
 * Node options a worker process runs with wherever this project starts one (npm run up, the test
 * suites, the benchmarks; the Dockerfile says the same). A bounded old space makes V8 collect the
 * contexts of evicted workflows instead of growing towards a quarter of the machine's memory: with
 * the default cache (WORKER_MAX_CACHED_WORKFLOWS) the worker stays well under 1 GiB (bench:lifecycle).
 */
export const WORKER_NODE_ARGS: readonly string[] = ['--max-old-space-size=640'];

/**
 * Node's arguments to run a TypeScript file from source: through tsx, with the libraries' import
 * names (`#domain`, `#infra/*`) leading to their sources (the `dpa-source` condition; without it
 * they lead to dist/). scripts/run.mjs, plain JavaScript, spells the same.
 */
export const TSX_NODE_ARGS: readonly string[] = ['--conditions=dpa-source', '--import', 'tsx'];

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or null after a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export type LineSink = (line: string, stream: 'stdout' | 'stderr') => void;

/**
 * Starts a process whose lines go to `onLine`. With `guarded`, it runs under scripts/lib/guard.mjs,
 * which stops it if this process dies without stopping it first.
 */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; onLine?: LineSink; guarded?: boolean } = {},
): ManagedProcess {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd ?? projectRoot(),
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches only the parent, which stops children in order.
    detached: true,
  };
  const child = options.guarded
    ? spawn(process.execPath, [path.join(projectRoot(), 'scripts/lib/guard.mjs'), command, ...args], spawnOptions)
    : spawn(command, [...args], spawnOptions);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const sink = options.onLine ?? (() => {});
  for (const [stream, source] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
    if (source) readline.createInterface({ input: source }).on('line', (line) => sink(line, stream));
  }
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return {
    name,
    pid: child.pid,
    child,
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * A port for a process about to be started, which will bind it a moment later. Chosen below the
 * kernel's ephemeral range: a port the kernel hands out by itself (port 0, or the source port of an
 * outgoing connection, as the Temporal dev server's own services and every client take them) can
 * then never be the one reserved here in the window between the choice and the bind. Each process
 * walks that range from a random offset, so two processes choosing at once almost always start far
 * apart; every candidate is checked free by binding it. Where the ephemeral range leaves no room
 * below it, the kernel chooses (port 0), as before.
 */
export async function freePort(): Promise<number> {
  const span = RESERVABLE.high - RESERVABLE.low + 1;
  for (let tried = 0; span > 0 && tried < span; tried++) {
    const port = RESERVABLE.low + ((reservableCursor++ % span) + span) % span;
    if (handedOut.has(port)) continue;
    if (await canBind(port)) {
      handedOut.add(port);
      return port;
    }
  }
  return bindAndRelease(0);
}

const RESERVABLE = ((): { low: number; high: number } => {
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    // not Linux: the IANA range starts at 49152, and Linux's default at 32768; stay under both.
  }
  return { low: 10_000, high: Math.min(ephemeralLow, 32768) - 1 };
})();
const handedOut = new Set<number>();
let reservableCursor = randomInt(0, 1 << 30);

/** True when nothing listens on `port` on the loopback now. */
export function canBind(port: number): Promise<boolean> {
  return bindAndRelease(port).then(
    () => true,
    () => false,
  );
}

function bindAndRelease(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs` or if `exited` settles first. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  { timeoutMs = 60_000, intervalMs = 100, exited }: { timeoutMs?: number; intervalMs?: number; exited?: Promise<unknown> } = {},
): Promise<void> {
  let dead = false;
  void exited?.then(() => (dead = true));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (dead) throw new Error(`${what}: the process exited before it was ready`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Runs a command in the foreground (its output on this terminal) and answers its exit code; a
 * SIGINT or SIGTERM to this process is passed on as SIGINT, so a test run stops cleanly.
 */
export function runInForeground(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; label?: string } = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { cwd: options.cwd ?? projectRoot(), stdio: 'inherit', env: options.env ?? process.env });
    const stop = () => child.kill('SIGINT');
    process.once('SIGINT', stop).once('SIGTERM', stop);
    child.on('exit', (code) => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      resolve(code ?? 1);
    });
    child.on('error', (e) => {
      console.error(`${options.label ?? command}: ${e.message}`);
      resolve(1);
    });
  });
}
