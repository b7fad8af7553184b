import { spawnSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from '#infra/dev/debian-packages';
import { freePort, waitFor } from '#infra/dev/processes';
import { noSeriousViolations, shoot, signInAs } from '../support/browser';
import { startOidcProvider } from '../support/oidc';
import { untilPast } from '../support/settled';
import { startStack, type Stack } from '../support/stack';

/**
 * DESIGN §7 in a real Chromium (Debian's, driven by playwright-core), against a real OpenID
 * provider, API, worker, Temporal, PostgreSQL and SMTP server.
 */
const IDLE_SECONDS = 20;
let stack: Stack;
let oidc: Awaited<ReturnType<typeof startOidcProvider>>;
let browser: Browser;
let api: string;

beforeAll(async () => {
  const [port, oidcPort] = [await freePort(), await freePort()];
  api = `http://127.0.0.1:${port}`;
  oidc = await startOidcProvider(`${api}/ui/callback`, oidcPort);
  stack = await startStack({ PORT: String(port), OIDC_ISSUER: oidc.issuer, UI_SESSION_IDLE: `PT${IDLE_SECONDS}S` });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await oidc?.stop();
});

/** A fresh browser signed in through the provider's login page as `login`. */
const signIn = (login: string, width = 1280) => signInAs(browser, api, oidc.issuer, login, width);

describe('the browser UI (DESIGN §7)', () => {
  it('an account manager signs in, orders, hands over, sees the timeline, terminates, and follows destruction to the certificate', async () => {
    const { context, page } = await signIn('account-manager');
    try {
      await expect.poll(() => page.locator('h1').textContent()).toBe('Contracts');
      expect(await page.locator('header').textContent()).toContain('account manager');
      // Security headers: a CSP with no inline script, no framing; the session cookie is httpOnly and SameSite.
      const headers = (await page.request.get(`${api}/ui/contracts`)).headers();
      expect(headers['content-security-policy']).toContain("script-src 'self'");
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      const session = (await context.cookies()).find((c) => c.name === 'dpa_session')!;
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
      expect(JSON.stringify(await context.cookies())).not.toMatch(/dev-[a-z-]+-key/);

      // A refused order keeps what was typed, with the domain's message next to the field.
      await page.click('a[href="/ui/contracts/new"]');
      await page.fill('#controllerName', 'N'.repeat(201));
      await page.fill('#controllerEmail', 'privacy@ui-alpha.example');
      await page.click('main form button[type=submit]');
      expect(await page.locator('#controllerName-error').textContent()).toMatch(/200/);
      expect(await page.inputValue('#controllerEmail')).toBe('privacy@ui-alpha.example');
      await noSeriousViolations(page, 'order form with an error');
      await shoot(page, 'order-form');
      await page.fill('#controllerName', 'UI Alpha SAS');
      await page.fill('#reference', 'UI-ALPHA');
      await Promise.all([page.waitForURL(/\/ui\/contracts\/[0-9a-f-]{36}$/), page.click('main form button[type=submit]')]);
      expect(await page.locator('h1').textContent()).toBe('Contract UI-ALPHA');
      expect(await page.locator('.status').first().textContent()).toBe('ordered');
      const contractUrl = page.url();
      // Only the commands the contract takes now: an order is handed over or cancelled, not terminated.
      const forms = async () => (await page.locator('.actions form').evaluateAll((fs) => fs.map((f) => f.getAttribute('action')!.split('/').at(-1)))).sort();
      // The contract's own commands, and the files its role may open (declared types: a DPIA request, an instruction, a data-subject request, an audit).
      expect(await forms()).toEqual(['cancellation', 'credentials', 'document', 'open', 'request', 'request']);

      // The hand-over: the secret is write-only (a password field, never shown again).
      expect(await page.getAttribute('#secret', 'type')).toBe('password');
      await page.fill('#host', 'web-1.ui-alpha.example');
      await page.fill('#username', 'deploy');
      await page.fill('#secret', 'a-very-secret-value');
      await Promise.all([page.waitForURL(contractUrl), page.click('form[action$="/credentials"] button[type=submit]')]);
      expect(await page.locator('.status').first().textContent()).toBe('active');
      expect(await forms()).toEqual(['credentials', 'document', 'non-renewal', 'open', 'request', 'request', 'termination']);
      expect(await page.content()).not.toContain('a-very-secret-value');
      const svg = page.locator('svg.timeline');
      expect(await svg.locator('title').textContent()).toBe('Timeline of contract UI-ALPHA');
      expect(await svg.textContent()).toContain('hand-over: processing starts');
      expect(await svg.textContent()).toContain('today');
      await noSeriousViolations(page, 'contract page');
      await shoot(page, 'contract-active');

      // A declared file opens from the form its declaration gives (its schema, its roles): refused, what was typed stays.
      const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);
      const request = 'form[action$="/files/assistance-request/request"]';
      await page.selectOption(`${request} select[name=kind]`, 'dpia');
      // Received now (a whole second the form can hold, after the order), due before it: the domain refuses.
      await page.fill(`${request} input[name=receivedAt]`, local(Date.now() + 2_000));
      await page.fill(`${request} input[name=dueAt]`, local(Date.now() - 3_600_000));
      await page.fill(`${request} textarea[name=summary]`, 'DPIA of the analytics database');
      await page.click(`${request} button[type=submit]`);
      expect(await page.locator(`${request} .error`).textContent()).toContain('dueAt must come after receivedAt');
      expect(await page.inputValue(`${request} textarea[name=summary]`)).toBe('DPIA of the analytics database');
      expect((await stack.request('GET', `/contracts/${contractUrl.split('/').at(-1)}/assistance-requests`, { role: 'dpo' })).body.items).toEqual([]);
      const dueAt = local(Date.now() + 14 * 86_400_000);
      await page.fill(`${request} input[name=dueAt]`, dueAt);
      await Promise.all([page.waitForURL(/\/files\/assistance-request\/[0-9a-f-]{36}$/), page.click(`${request} button[type=submit]`)]);
      const fileUrl = page.url();
      expect(await page.locator('.status').first().textContent()).toBe('open');
      await noSeriousViolations(page, 'a declared file');
      // Its further commands are forms on its own page: the help is delivered.
      const deliver = 'form[action$="/deliver"]';
      await page.fill(`${deliver} input[name=deliveredAt]`, local(Date.now() + 2_000));
      await page.fill(`${deliver} textarea[name=provided]`, 'Security measures and the sub-processor list');
      await Promise.all([page.waitForURL(fileUrl), page.click(`${deliver} button[type=submit]`)]);
      expect(await page.locator('.status').first().textContent()).toBe('delivered');
      const [opened] = (await stack.request('GET', `/contracts/${contractUrl.split('/').at(-1)}/assistance-requests`, { role: 'dpo' })).body.items;
      expect(opened).toMatchObject({ id: fileUrl.split('/').at(-1), kind: 'dpia', dueAt: `${dueAt}.000Z`, status: 'delivered', summary: 'DPIA of the analytics database' });
      await page.goto(contractUrl);
      expect(await page.locator(`a[href="${new URL(fileUrl).pathname}"]`).count()).toBe(1);

      // A field sent twice is refused as bad input (400), never a failure of the engine.
      const csrf = await page.inputValue('form[action$="/termination"] input[name=_csrf]');
      const twice = await page.request.post(`${contractUrl}/termination`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: `_csrf=${encodeURIComponent(csrf)}&reason=a&reason=b&confirm=yes` });
      expect(twice.status()).toBe(400);
      expect(await page.request.post(`${contractUrl}/termination`, { form: { _csrf: 'not-the-token', reason: 'x', confirm: 'yes' } }).then((r) => r.status())).toBe(403);
      // Terminate: the box must be ticked (an irreversible action).
      await page.fill('form[action$="/termination"] #reason', 'client left');
      await page.check('form[action$="/termination"] input[name=confirm]');
      await Promise.all([page.waitForURL(contractUrl), page.click('form[action$="/termination"] button[type=submit]')]);
      expect(await page.locator('.status').first().textContent()).toBe('terminated');
      // Destruction runs at once (no return window): the page shows it through to the certificate.
      await waitFor('the certificate', async () => {
        await page.reload();
        return (await page.locator('.status').first().textContent()) === 'destroyed';
      }, { timeoutMs: 90_000, intervalMs: 1_000 });
      const facts = await page.locator('dl.facts').textContent();
      expect(facts).toContain('within the deadline');
      expect(await svg.textContent()).toContain('certificate');
      expect(await page.locator('svg.timeline').textContent()).toContain('Web platform destroyed');
      await shoot(page, 'contract-destroyed');

      await page.click('a[href="/ui/contracts"]');
      expect(await page.locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
      expect(await page.locator('tbody').textContent()).toContain('UI-ALPHA');
      await noSeriousViolations(page, 'contracts');
      await shoot(page, 'contracts');
      await page.goto(`${api}/ui/contracts?status=active`);
      expect(await page.locator('tbody').textContent()).not.toContain('UI-ALPHA');
      await page.goto(`${api}/ui/contracts?ref=ui-al`);
      expect(await page.locator('tbody').textContent()).toContain('UI-ALPHA');
      await page.goto(`${api}/ui/contracts?ref=zz`);
      expect(await page.locator('tbody tr').count()).toBe(0);
      // An account manager sees no audit trail, evidence pack or incidents.
      await page.goto(contractUrl);
      expect(await page.locator('a[href$="/trail"]').count()).toBe(0);
      expect(await page.locator('a[href="/ui/incidents"]').count()).toBe(0);
      const certificate = await page.request.get(`${contractUrl}/certificate.json`);
      expect(certificate.headers()['content-disposition']).toContain('attachment');
      expect(((await certificate.json()) as { contractId: string }).contractId).toBe(contractUrl.split('/').at(-1));
      // …and as a PDF a person reads, linked from the page: pdftotext finds the certificate's id and the contract in it.
      expect(await page.locator('a[href$="/certificate.pdf"]').count()).toBe(1);
      const pdf = await page.request.get(`${contractUrl}/certificate.pdf`);
      expect(pdf.headers()['content-type']).toBe('application/pdf');
      expect(pdf.headers()['content-disposition']).toMatch(/^attachment; filename="destruction-certificate-[0-9a-f-]{36}\.pdf"$/);
      const pdfText = spawnSync('pdftotext', ['-layout', '-', '-'], { input: await pdf.body(), encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
      const { certificateId } = (await certificate.json()) as { certificateId: string };
      expect(pdfText).toContain(certificateId);
      expect(pdfText).toContain('UI-ALPHA');
      expect(pdfText).toContain('the evidence is the signed JSON');
      expect((await page.request.get(`${contractUrl}/trail`)).status()).toBe(403);
      // An account manager's session does not authorise the codec (the Temporal UI's payloads).
      expect((await page.request.post(`${api}/codec/decode`, { data: { payloads: [] } })).status()).toBe(403);

      // A form posted without its CSRF token is refused, and changes nothing.
      const forged = await page.request.post(`${api}/ui/contracts`, { form: { controllerName: 'Forged SAS', controllerEmail: 'f@forged.example', billingPeriod: 'P1M' } });
      expect(forged.status()).toBe(403);
      expect((await page.request.post(`${api}/ui/logout`, { form: {} })).status()).toBe(403);
      // A malformed session cookie is no session, never a 500, for the API and the codec alike.
      expect((await fetch(`${api}/contracts?limit=1`, { headers: { authorization: 'Bearer dev-billing-key', cookie: 'dpa_session=%' } })).status).toBe(200);
      expect((await fetch(`${api}/codec/decode`, { method: 'POST', headers: { cookie: 'dpa_session=%E0%A4%A', 'content-type': 'application/json' }, body: '{"payloads":[]}' })).status).toBe(401);
      expect((await stack.request('GET', '/contracts?controller=forged', { role: 'billing' })).body.items).toEqual([]);
    } finally {
      await context.close();
    }
  }, 240_000);

  it('the DPO sees the inbox overdue first; a billing user is refused the pages; an idle session is sent to sign in again', async () => {
    // An assistance request due in two seconds: overdue by the time the DPO looks.
    const order = await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller: { name: 'UI Bravo SAS', email: 'privacy@ui-bravo.example' }, billingPeriod: 'P1Y', reference: 'UI-BRAVO' } });
    const handedOver = await stack.request('POST', `/contracts/${order.body.id}/credentials`, { role: 'account_manager', body: { kind: 'ssh', host: 'web.ui-bravo.example', username: 'deploy', secret: 'another-secret' } });
    expect(handedOver.body.status).toBe('active');
    const now = Date.now();
    const asked = await stack.request('POST', `/contracts/${order.body.id}/assistance-requests`, { role: 'dpo', body: { kind: 'dpia', receivedAt: new Date(now).toISOString(), dueAt: new Date(now + 2_000).toISOString(), summary: 'DPIA help' } });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    await untilPast(now + 2_000);

    const { context, page } = await signIn('dpo');
    try {
      await page.click('a[href="/ui/inbox"]');
      expect(await page.locator('h1').textContent()).toBe('Inbox');
      const first = page.locator('tbody tr').first();
      expect(await first.getAttribute('class')).toBe('late');
      expect(await first.textContent()).toContain('overdue');
      await noSeriousViolations(page, 'inbox');
      await shoot(page, 'inbox');
      // Record an incident at the web platform over the last hour, confirm it, and see bravo's notice go out.
      await page.click('a[href="/ui/incidents"]');
      const at = new Date(Date.now() + 1_000).toISOString().slice(0, 19);
      const from = new Date(Date.now() - 3_600_000).toISOString().slice(0, 19);
      await page.fill('#summary', 'Unauthorised access to a web node');
      await page.fill('#from', from);
      await page.fill('#to', at);
      await page.fill('#detectedAt', at);
      await noSeriousViolations(page, 'incidents');
      await shoot(page, 'incidents');
      // No location ticked: the domain's message, and what was typed is kept (once the detection
      // instant, to the second, is no longer in the future).
      await untilPast(`${at}.999Z`);
      await page.click('form[action="/ui/incidents"] button[type=submit]');
      expect(await page.locator('[role=alert]').textContent()).toMatch(/locations/);
      expect(await page.inputValue('#summary')).toBe('Unauthorised access to a web node');
      await page.check('input[name=locations][value=web-platform]');
      await Promise.all([page.waitForURL(/\/ui\/incidents\/[0-9a-f-]{36}$/), page.click('form[action="/ui/incidents"] button[type=submit]')]);
      expect(await page.locator('.status').first().textContent()).toBe('investigating');
      await page.check('form[action$="/confirmation"] input[name=confirm]');
      await Promise.all([page.waitForURL(/\/ui\/incidents\/[0-9a-f-]{36}$/), page.click('form[action$="/confirmation"] button[type=submit]')]);
      await waitFor('bravo notified', async () => {
        await page.reload();
        const rows = await page.locator('tbody tr').allTextContents();
        return rows.some((r) => r.includes('UI Bravo SAS') && r.includes('sent'));
      }, { timeoutMs: 60_000, intervalMs: 1_000 });
      expect(await page.locator('.status').first().textContent()).toBe('confirmed');
      await noSeriousViolations(page, 'incident');
      await shoot(page, 'incident');
      // The update form sends to every notice.
      await page.fill('#measures', 'Node isolated, keys rotated');
      await Promise.all([page.waitForURL(/\/ui\/incidents\/[0-9a-f-]{36}$/), page.click('form[action$="/updates"] button[type=submit]')]);
      expect(await page.locator('dl.facts').textContent()).toContain('Updates sent1');

      // The audit trail of bravo's contract and of its breach notice, and a verification.
      await page.goto(`${api}/ui/contracts/${order.body.id}`);
      expect(await page.locator('table').last().textContent()).toContain('breach notice');
      await page.click('a[href$="/trail"]');
      expect(await page.locator('tbody').textContent()).toContain('ContractOrdered');
      await page.click('main form button[type=submit]');
      expect(await page.locator('[role=status]').textContent()).toMatch(/verifies/);
      await noSeriousViolations(page, 'audit trail');
      await shoot(page, 'audit-trail');
      const pack = await page.request.get(`${api}/ui/contracts/${order.body.id}/evidence.zip`);
      expect(pack.headers()['content-type']).toBe('application/zip');
      expect((await pack.body()).subarray(0, 2).toString()).toBe('PK');

      // The Temporal UI's codec calls carry the engine's cookie: a DPO's session decodes.
      const payload = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"hello":"codec"}').toString('base64') };
      const encoded = await stack.request('POST', '/codec/encode', { role: 'admin', body: { payloads: [payload] } });
      expect(encoded.status).toBe(200);
      const decoded = await page.request.post(`${api}/codec/decode`, { data: encoded.body });
      expect(decoded.status()).toBe(200);
      expect(((await decoded.json()) as { payloads: unknown[] }).payloads).toEqual([payload]);

      // The DPO has no order form.
      expect(await page.locator('a[href="/ui/contracts/new"]').count()).toBe(0);
      expect((await page.request.get(`${api}/ui/contracts/new`)).status()).toBe(403);
      const lastSeen = Date.now();

      // Idle past the timeout: the next page sends the browser to sign in again.
      await untilPast(lastSeen + (IDLE_SECONDS + 1) * 1_000);
      const after = await page.request.get(`${api}/ui/inbox`, { maxRedirects: 0 });
      expect(after.status()).toBe(303);
      expect(after.headers().location).toBe('/ui/login?returnTo=%2Fui%2Finbox');
      expect((await page.request.post(`${api}/codec/decode`, { data: { payloads: [] } })).status()).toBe(401);
      // The update went to bravo's controller as a supplement (waited for here: the session above has ended anyway).
      await stack.mail.waitFor((m) => m.to.includes('privacy@ui-bravo.example') && /supplement/i.test(m.subject), 60_000);
    } finally {
      await context.close();
    }

    const billing = await signIn('billing');
    try {
      expect(await billing.page.locator('h1').textContent()).toBe('No pages for this role');
      expect((await billing.page.request.get(`${api}/ui/contracts`)).status()).toBe(403);
      // It may still sign out.
      await billing.page.click('button[type=submit]');
      expect(await billing.page.locator('h1').textContent()).toBe('Signed out');
      expect((await billing.page.request.get(`${api}/ui/contracts`, { maxRedirects: 0 })).status()).toBe(303);
    } finally {
      await billing.context.close();
    }
  }, 240_000);
  it('the API documentation (/docs) renders in the browser under the headers the UI has: its own scripts only, no framing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    try {
      const res = await page.goto(`${api}/docs`);
      const headers = res!.headers();
      expect(headers['content-security-policy']).toContain("script-src 'self'");
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers).toMatchObject({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' });
      // Swagger UI drew the document: its title and an operation of the engine.
      await page.locator('.swagger-ui .info .title').waitFor({ timeout: 30_000 });
      await page.locator('.opblock-summary-path', { hasText: '/contracts/{id}/renewals' }).first().waitFor({ timeout: 30_000 });
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
