import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { CHROMIUM } from '#infra/dev/debian-packages';
import { contractWorkflowId } from '#infra/temporal/messages';
import { isPortOpen } from '#infra/dev/processes';
import { up, upPorts } from '../support/up';

describe('npm run up', () => {
  it('brings the whole system up, prints where it is, keeps contracts across a restart, and stops everything on SIGTERM', async () => {
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
    } finally {
      second.proc.child.kill('SIGINT');
      expect(await second.proc.exited).toBe(0);
    }
    for (const p of Object.values(ports)) expect(await isPortOpen(p), `port ${p} closed`).toBe(false);
  }, 400_000);
});
