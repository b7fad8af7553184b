import { spawn } from 'node:child_process';
import { inject } from 'vitest';
import * as path from 'node:path';
import { projectRoot } from '#infra/dev/project-root';
import { createTestDatabase } from './database';

/** What a benchmark script printed, and how it ended. */
export interface BenchRun {
  readonly code: number | null;
  readonly output: string;
}

/**
 * `npm run bench:<name>` as its readers run it (its own PostgreSQL and Temporal server), with `env`
 * making it tiny. Killed, with all it started, after `timeoutMs`.
 */
export async function runBench(name: string, env: Record<string, string>, timeoutMs: number): Promise<BenchRun> {
  // A database of its own on the run's PostgreSQL server (benchPostgres takes DATABASE_URL when it is
  // set): a tiny run need not start a server of its own, which costs it more than its whole work.
  const db = await createTestDatabase({ migrate: false });
  try {
    return await spawnBench(name, { DATABASE_URL: db.url, ...env }, timeoutMs);
  } finally {
    await db.drop();
  }
}

function spawnBench(name: string, env: Record<string, string>, timeoutMs: number): Promise<BenchRun> {
  const root = projectRoot();
  // The suite's own services are not the benchmark's: it starts its own, as `npm run bench:*` does.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'NODE_ENV'].includes(k)));
  // What this run made already, the benchmark need not make again: dist/ (the suite's build stage)
  // and the built workers' workflow bundle (global-setup, from the sources), so that its workers start without bundling.
  const bundle = inject('workflowBundlePath');
  const made = { DPA_BUILT: '1', ...(bundle ? { WORKER_WORKFLOW_BUNDLE: bundle } : {}) };
  const child = spawn(process.execPath, [path.join(root, 'scripts/run.mjs'), `bench/${name}.ts`], { cwd: root, env: { ...inherited, ...made, ...env }, detached: true });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      output += `\n[bench test] no end after ${timeoutMs} ms: killed`;
      // Its process group: the benchmark and every process it started.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The lines of `output` that start with `prefix` (after any indentation). */
export function linesStartingWith(output: string, prefix: string): string[] {
  return output.split('\n').map((l) => l.trim()).filter((l) => l.startsWith(prefix));
}

/** The line that starts with `prefix`, read as a number after it: a finite one, or the test fails. */
export function numberAfter(output: string, prefix: string): number {
  const line = linesStartingWith(output, prefix)[0];
  if (line === undefined) throw new Error(`no line starts with ${prefix}`);
  const value = Number(/^\s*(-?\d+(?:\.\d+)?)/.exec(line.slice(prefix.length))?.[1] ?? NaN);
  if (!Number.isFinite(value)) throw new Error(`${line}: no number after ${prefix}`);
  return value;
}
