import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, startProcess, waitFor, type ManagedProcess } from '#infra/dev/processes';
import { projectRoot } from '#infra/dev/project-root';

/** `npm run up` as a newcomer runs it (on free ports and its own data folder, so it can run beside anything). */
export async function up(env: Record<string, string>): Promise<{ proc: ManagedProcess; lines: string[] }> {
  const lines: string[] = [];
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'NODE_ENV', 'STORAGE_ROOT', 'EXPORT_ROOT'].includes(k)));
  const proc = startProcess('up', process.execPath, [path.join(projectRoot(), 'scripts/run.mjs'), 'scripts/up.ts'], {
    env: { ...base, ...env },
    onLine: (line) => lines.push(line),
  });
  await waitFor('npm run up ready', async () => lines.some((l) => l.includes('Ctrl-C stops everything')), { exited: proc.exited, timeoutMs: 150_000, intervalMs: 200 }).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}\n${lines.slice(-30).join('\n')}`);
  });
  return { proc, lines };
}

/** The processes below `pid` (from /proc), with their command lines: to find a child `npm run up` started. */
export function descendants(pid: number): { pid: number; command: string }[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const below = (p: number): number[] => [...parents].filter(([, parent]) => parent === p).flatMap(([child]) => [child, ...below(child)]);
  return below(pid).flatMap((child) => {
    try {
      return [{ pid: child, command: fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').replace(/\0/g, ' ') }];
    } catch {
      return [];
    }
  });
}

/**
 * The seven ports `npm run up` takes, free and distinct: the OS may hand the same free port to two
 * consecutive probes, and two services on one port would stop the run.
 */
export async function upPorts() {
  const taken = new Set<number>();
  while (taken.size < 8) taken.add(await freePort());
  const [PORT, POSTGRES_PORT, TEMPORAL_PORT, TEMPORAL_UI_PORT, MAIL_SMTP_PORT, MAIL_UI_PORT, OIDC_PORT, WORKER_HTTP_PORT] = [...taken] as [number, number, number, number, number, number, number, number];
  return { PORT, POSTGRES_PORT, TEMPORAL_PORT, TEMPORAL_UI_PORT, MAIL_SMTP_PORT, MAIL_UI_PORT, OIDC_PORT, WORKER_HTTP_PORT };
}
