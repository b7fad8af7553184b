import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freePort, isPortOpen, startProcess, waitFor, type ManagedProcess } from '../../libs/infra/src/dev/processes';
import { projectRoot } from '../../libs/infra/src/dev/project-root';

/** `npm run up` as a newcomer runs it (on free ports and its own data folder, so it can run beside anything). */
async function up(env: Record<string, string>): Promise<{ proc: ManagedProcess; lines: string[] }> {
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

describe('npm run up', () => {
  it('brings the whole system up, prints where it is, keeps contracts across a restart, and stops everything on SIGTERM', async () => {
    const ports = { PORT: await freePort(), POSTGRES_PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort(), MAIL_SMTP_PORT: await freePort(), MAIL_UI_PORT: await freePort() };
    const env = { ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DPA_DATA_DIR: path.join(inject('runDir'), 'up'), LOG_LEVEL: 'warn' };
    const api = `http://127.0.0.1:${ports.PORT}`;
    const headers = { authorization: 'Bearer dev-account-manager-key', 'content-type': 'application/json' };

    const first = await up(env);
    const banner = first.lines.join('\n');
    for (const shown of [api, `${api}/docs`, `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`, `http://127.0.0.1:${ports.MAIL_UI_PORT}`, 'dev-account-manager-key', 'dev-billing-key', 'dev-dpo-key', 'dev-admin-key']) {
      expect(banner).toContain(shown);
    }
    expect((await fetch(`${api}/health`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.MAIL_UI_PORT}/messages.json`)).status).toBe(200);
    expect(await isPortOpen(ports.TEMPORAL_UI_PORT)).toBe(true);
    const ordered = await fetch(`${api}/contracts`, { method: 'POST', headers, body: JSON.stringify({ controller: { name: 'Up SAS', email: 'up@up.example' }, billingPeriod: 'P1M' }) });
    expect(ordered.status).toBe(201);
    const { id } = (await ordered.json()) as { id: string };

    first.proc.child.kill('SIGTERM');
    expect(await first.proc.exited).toBe(0);
    for (const p of Object.values(ports)) expect(await isPortOpen(p), `port ${p} closed`).toBe(false);

    // The workflow and its events survive: Temporal's SQLite file and PostgreSQL live under the data folder.
    const second = await up(env);
    try {
      const cancelled = await fetch(`${api}/contracts/${id}/cancellation`, { method: 'POST', headers, body: JSON.stringify({ reason: 'changed plans' }) });
      expect(cancelled.status).toBe(200);
      expect(((await cancelled.json()) as { status: string }).status).toBe('cancelled');
    } finally {
      second.proc.child.kill('SIGINT');
      expect(await second.proc.exited).toBe(0);
    }
    for (const p of Object.values(ports)) expect(await isPortOpen(p), `port ${p} closed`).toBe(false);
  }, 400_000);
});
