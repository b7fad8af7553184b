import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { CHROMIUM } from '#infra/dev/debian-packages';
import { contractWorkflowId } from '#infra/temporal/messages';
import { isPortOpen, waitFor } from '#infra/dev/processes';
import { descendants, up, upPorts } from '../support/up';

describe('npm run up', () => {
  it('brings the whole system up, prints where it is, keeps contracts across a restart, restarts a worker SIGKILLed during a burst of 100 orders and hand-overs at a concurrency of 16 (every 2xx true, retries with the same keys complete the rest, nothing duplicated), and stops everything on SIGTERM', async () => {
    const ports = await upPorts();
    const env = { ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DPA_DATA_DIR: path.join(inject('runDir'), 'up'), LOG_LEVEL: 'warn' };
    const api = `http://127.0.0.1:${ports.PORT}`;
    const headers = { authorization: 'Bearer dev-account-manager-key', 'content-type': 'application/json' };

    const first = await up(env);
    let id: string;
    try {
      const banner = first.lines.join('\n');
      for (const shown of [api, `${api}/docs`, `${api}/ui`, `http://127.0.0.1:${ports.OIDC_PORT}`, 'account-manager, dpo, admin, billing', `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`, `http://127.0.0.1:${ports.MAIL_UI_PORT}`, 'dev-account-manager-key', 'dev-billing-key', 'dev-dpo-key', 'dev-admin-key']) {
        expect(banner).toContain(shown);
      }
      expect((await fetch(`${api}/health`)).status).toBe(200);
      // Its worker runs the workflow bundle it made from the sources (the engine's modules joined into one), given in its environment.
      const bundle = path.join(env.DPA_DATA_DIR, 'workflow-bundle.js');
      expect(fs.readFileSync(bundle, 'utf8')).toMatch(/^;\/\/ \.\/libs\/domain\/src\/index\.ts$/m);
      const worker = descendants(first.proc.pid).find((p) => p.command.includes('dist/apps/worker/src/main.js'));
      expect(fs.readFileSync(`/proc/${worker!.pid}/environ`, 'utf8').split('\0')).toContain(`WORKER_WORKFLOW_BUNDLE=${bundle}`);
      // What an operator watches: the API's and the worker's metrics and readiness.
      expect(banner).toContain(`http://127.0.0.1:${ports.WORKER_HTTP_PORT}/metrics`);
      expect((await fetch(`http://127.0.0.1:${ports.WORKER_HTTP_PORT}/health/ready`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${ports.WORKER_HTTP_PORT}/metrics`)).text()).toContain('temporal_');
      expect(await (await fetch(`${api}/metrics`)).text()).toContain('dpa_http_requests_total');
      expect((await fetch(`http://127.0.0.1:${ports.MAIL_UI_PORT}/messages.json`)).status).toBe(200);
      expect(await isPortOpen(ports.TEMPORAL_UI_PORT)).toBe(true);
      // The Temporal UI decodes payloads through the engine's codec endpoint.
      const settings = (await (await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string; IncludeCredentials?: boolean } };
      expect(settings.Codec?.Endpoint).toBe(`${api}/codec`);
      // …with the browser's credentials, so a dpo or admin session authorises it.
      expect(settings.Codec?.IncludeCredentials).toBe(true);
      expect((await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`)).status).toBe(200);
      // The UI's sign-in goes to the development OpenID provider `npm run up` started.
      const signIn = await fetch(`${api}/ui/contracts`, { redirect: 'manual' });
      expect(signIn.headers.get('location')).toBe('/ui/login?returnTo=%2Fui%2Fcontracts');
      const login = await fetch(`${api}/ui/login`, { redirect: 'manual' });
      expect(login.headers.get('location')).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${ports.OIDC_PORT}/auth\\?`));
      const ordered = await fetch(`${api}/contracts`, { method: 'POST', headers, body: JSON.stringify({ controller: { name: 'Up SAS', email: 'up@up.example' }, billingPeriod: 'P1M' }) });
      expect(ordered.status).toBe(201);
      ({ id } = (await ordered.json()) as { id: string });

      // In Chromium: signed in to the engine as the DPO, the Temporal UI shows the contract workflow's
      // input decoded (the history holds it encrypted; the codec decodes it for that session's cookie).
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await (await browser.newContext()).newPage();
          await page.goto(`${api}/ui/contracts`);
        await page.waitForURL((u) => u.port === String(ports.OIDC_PORT));
        await page.fill('input[name=login]', 'dpo');
        await page.fill('input[name=password]', 'any password');
        await Promise.all([page.waitForURL((u) => u.href.startsWith(api)), page.click('button[type=submit]')]);
            // Not waiting for `load`: nothing the UI fetches from the internet can hold the test.
        await page.goto(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/namespaces/default/workflows/${encodeURIComponent(contractWorkflowId(id))}`, { waitUntil: 'domcontentloaded' });
          // The workflow's input, encrypted in the history, appears decoded: its settings' escalation margin.
        await page.getByText('escalationMargin').first().waitFor({ timeout: 90_000 });
        } finally {
        await browser.close();
      }

    } catch (e) {
      // Whatever failed, the run this test started stops.
      first.proc.child.kill('SIGTERM');
      await first.proc.exited;
      throw e;
    }
    first.proc.child.kill('SIGTERM');
    expect(await first.proc.exited).toBe(0);
    for (const p of Object.values(ports)) expect(await isPortOpen(p), `port ${p} closed`).toBe(false);

    // The workflow and its events survive: Temporal's SQLite file and PostgreSQL live under the data folder.
    const second = await up(env);
    try {
      const cancelled = await fetch(`${api}/contracts/${id}/cancellation`, { method: 'POST', headers, body: JSON.stringify({ reason: 'changed plans' }) });
      expect(cancelled.status).toBe(200);
      expect(((await cancelled.json()) as { status: string }).status).toBe('cancelled');
      // The same run then has its worker killed in a burst (one `npm run up` fewer in the suite).
      await burstWithWorkerKilled(api, second.proc.pid, second.lines);
    } finally {
      second.proc.child.kill('SIGINT');
      const code = await second.proc.exited;
      // What `npm run up` said last, if it did not stop cleanly.
      expect(code, second.lines.filter((l) => l.includes('[up]') || /error|exited|fail|uncaught|unhandled|stop/i.test(l)).slice(-40).join('\n')).toBe(0);
    }
    for (const p of Object.values(ports)) expect(await isPortOpen(p), `port ${p} closed`).toBe(false);
  }, 400_000);
});

/** A burst of 100 orders and hand-overs from 16 clients, the run's worker SIGKILLed a third of the way in: `npm run up` starts another. */
async function burstWithWorkerKilled(api: string, upPid: number, lines: string[]): Promise<void> {
  const proc = { pid: upPid };
  const post = async (url: string, key: string, body: unknown) => {
    try {
      const res = await fetch(`${api}${url}`, {
        method: 'POST',
        headers: { authorization: 'Bearer dev-account-manager-key', 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      return { status: res.status, body: (await res.json()) as { id?: string; status?: string } };
    } catch {
      return { status: 0, body: {} };
    }
  };
  const order = (i: number) => post('/contracts', `order-${i}`, { controller: { name: `Burst ${i} SAS`, email: `burst-${i}@up.example` }, reference: `BURST-${i}`, billingPeriod: 'P1M' });
  const handOver = (i: number, id: string) => post(`/contracts/${id}/credentials`, `handover-${i}`, { kind: 'ssh', host: 'h.up.example', username: 'u', secret: `s3cret-${i}` });
  const worker = () => descendants(proc.pid).find((p) => p.command.includes('dist/apps/worker/src/main.js'));
  const first = worker();
  expect(first).toBeDefined();

  // The burst, with the worker killed once a third of it is under way.
  const answers = new Map<number, { order: number; handOver: number; id?: string; status?: string }>();
  let next = 0;
  let killed = false;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < 100; i = next++) {
        if (i >= 33 && !killed) {
          killed = true;
          process.kill(first!.pid, 'SIGKILL');
        }
        const o = await order(i);
        const h = o.status === 201 || o.status === 200 ? await handOver(i, o.body.id!) : { status: 0, body: {} };
        answers.set(i, { order: o.status, handOver: h.status, id: o.body.id, status: h.body.status });
      }
    }),
  );
  expect(killed).toBe(true);
  // `npm run up` started another worker.
  await waitFor('a new worker', async () => worker() !== undefined && worker()!.pid !== first!.pid, { timeoutMs: 60_000 });
  expect(lines.some((l) => l.includes('worker exited unexpectedly'))).toBe(true);

  // Every 2xx told the truth; the rest complete when retried with the same keys.
  for (let i = 0; i < 100; i++) {
    const a = answers.get(i)!;
    let id = a.id;
    for (let attempt = 0; !id && attempt < 30; attempt++) {
      const o = await order(i);
      if (o.status === 200 || o.status === 201) id = o.body.id;
      else await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(id, `order ${i}`).toBeDefined();
    let status = a.handOver === 200 ? a.status : undefined;
    for (let attempt = 0; status !== 'active' && attempt < 30; attempt++) {
      const h = await handOver(i, id!);
      if (h.status === 200) status = h.body.status;
      else await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(status, `hand-over ${i}`).toBe('active');
    const read = (await (await fetch(`${api}/contracts/${id}`, { headers: { authorization: 'Bearer dev-billing-key' } })).json()) as { status: string; reference: string; credentials?: unknown };
    expect(read).toMatchObject({ status: 'active', reference: `BURST-${i}` });
    const trail = (await (await fetch(`${api}/contracts/${id}/events`, { headers: { authorization: 'Bearer dev-dpo-key' } })).json()) as { events: { type: string }[] };
    // The DPO communicated with the hand-over, once; its email's receipt may be there already.
    expect(trail.events.map((e) => e.type).filter((t) => t !== 'EmailSent')).toEqual(['ContractOrdered', 'CredentialsHandedOver', 'DpoCommunicated']);
  }
  const listed = (await (await fetch(`${api}/contracts?limit=500`, { headers: { authorization: 'Bearer dev-billing-key' } })).json()) as { items: { reference: string }[] };
  expect(listed.items.filter((c) => c.reference?.startsWith('BURST-')).length).toBe(100);
}
