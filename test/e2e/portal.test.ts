import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { unzipSync } from 'fflate';
import { Client } from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, ensurePoppler, PDFTOTEXT } from '#infra/dev/debian-packages';
import { freePort, waitFor } from '#infra/dev/processes';
import { checkPage, signInAs } from '../support/browser';
import { startOidcProvider } from '../support/oidc';
import { KEYS, startStack, type Stack } from '../support/stack';

/**
 * Issue "the controller's side", its first part (DESIGN §8): a controller signs in to the portal
 * with a link emailed to an address on record, in real Chromium, the link read from the real SMTP
 * server's catch. Opening a link changes nothing; a used, expired, forged or cross-site one changes
 * nothing either; an unknown address gets the same answer and no email; asking is rate-limited; an
 * address that serves several controllers chooses one; a controller sees its own agreements only;
 * staff and portal sessions never open each other's pages; no token is kept in clear.
 */

const LIMIT = 6;
const CLIENT_LIMIT = 20;
let stack: Stack;
let oidc: Awaited<ReturnType<typeof startOidcProvider>>;
let browser: Browser;
let api: string;
const contexts: BrowserContext[] = [];
const ids: Record<string, string> = {};

async function order(reference: string, controller: { name: string; email: string; dpoEmail?: string }): Promise<string> {
  const answer = await stack.request('POST', '/contracts', { role: 'account_manager', body: { reference, controller, billingPeriod: 'P1Y' } });
  expect(answer.status).toBe(201);
  return answer.body.id as string;
}

beforeAll(async () => {
  const [port, oidcPort] = [await freePort(), await freePort()];
  api = `http://127.0.0.1:${port}`;
  oidc = await startOidcProvider(`${api}/ui/callback`, oidcPort);
  stack = await startStack({ PORT: String(port), OIDC_ISSUER: oidc.issuer, PORTAL_LINK_LIMIT_PER_ADDRESS: String(LIMIT), PORTAL_LINK_LIMIT_PER_CLIENT: String(CLIENT_LIMIT), TRUST_PROXY: 'true' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  ids.alpha = await order('ALPHA-1', { name: 'Alpha SAS', email: 'privacy@alpha.example' });
  // Alpha's data handed over: processing starts.
  expect((await stack.request('POST', `/contracts/${ids.alpha}/credentials`, { role: 'account_manager', body: { kind: 'sftp', host: 'sftp.alpha.example', username: 'deploy', secret: 'a-secret-value' } })).status).toBe(200);
  // On Alpha's agreement: a person authorised, a data-subject request it asked help with.
  const sid = (await stack.request('POST', '/staff', { role: 'dpo', body: { name: 'Robin Operator', email: 'robin@processor.example' } })).body.id;
  await stack.request('POST', `/staff/${sid}/confidentiality`, { role: 'dpo', body: { signedAt: new Date().toISOString() } });
  await stack.request('POST', `/staff/${sid}/training`, { role: 'dpo', body: { completedAt: new Date().toISOString(), course: 'GDPR for operators' } });
  expect((await stack.request('POST', `/contracts/${ids.alpha}/authorised-persons`, { role: 'dpo', body: { staffId: sid } })).status).toBe(200);
  // A breach touching Alpha's agreement: its notice.
  const recorded = await stack.request('POST', '/incidents', { role: 'dpo', body: { detectedAt: new Date(Date.now() - 60_000).toISOString(), summary: 'Backup console exposed', scope: { contracts: [ids.alpha] } } });
  expect(recorded.status, JSON.stringify(recorded.body)).toBe(201);
  const incident = recorded.body.id as string;
  expect((await stack.request('POST', `/incidents/${incident}/confirmation`, { role: 'dpo', body: { awareAt: new Date().toISOString() } })).status).toBe(200);
  // Sent (its email accepted): its clocks stand still from then on, for the page and the API alike.
  await waitFor('the breach notice sent', async () => (await stack.request('GET', `/contracts/${ids.alpha}/breach-notices`, { role: 'dpo' })).body.items[0]?.status === 'sent', { timeoutMs: 30_000, intervalMs: 200 });
  ids.notice = (await stack.request('GET', `/contracts/${ids.alpha}/breach-notices`, { role: 'dpo' })).body.items[0].id;
  expect((await stack.request('POST', `/contracts/${ids.alpha}/subject-requests`, { role: 'dpo', body: { type: 'access', receivedAt: new Date().toISOString(), receivedBy: 'controller', reference: 'DSR-ALPHA-1' } })).status).toBe(201);
  // One outsourced DPO for two controllers.
  ids.beta = await order('BETA-1', { name: 'Beta SARL', email: 'legal@beta.example', dpoEmail: 'dpo@shared-dpo.example' });
  ids.gamma = await order('GAMMA-1', { name: 'Gamma SA', email: 'contact@gamma.example', dpoEmail: 'DPO@Shared-DPO.example' });
}, 120_000);
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await stack?.stop();
  await oidc?.stop();
});

async function fresh(width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  contexts.push(context);
  return context.newPage();
}

const check = (page: Page, name: string) => checkPage(page, `portal-${name}`);

/** Asks for a link in the portal's own form, as a person would. */
async function askForLink(page: Page, address: string): Promise<void> {
  await page.goto(`${api}/portal/`);
  await page.getByLabel('Email address').fill(address);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Send the link' }).click()]);
}

/** The sign-in link of the latest email to `address` sent after `since` (the caught mail's index). */
async function linkFor(address: string, since: number): Promise<string> {
  const mail = await stack.mail.waitFor((m) => stack.mail.messages.indexOf(m) >= since && m.to.includes(address) && /sign-in link|lien de connexion/.test(m.subject), 20_000);
  return /https?:\/\/\S+\/portal\/sign-in\?t=[A-Za-z0-9_-]+/.exec(mail.text)![0];
}

async function signedIn(address: string): Promise<Page> {
  const page = await fresh();
  const since = stack.mail.messages.length;
  await askForLink(page, address);
  await page.goto(await linkFor(address, since));
  await Promise.all([page.waitForURL(`${api}/portal/`), page.getByRole('button', { name: 'Sign in' }).click()]);
  return page;
}

const rows = async (sql: string, params: unknown[] = []) => {
  const client = new Client({ connectionString: stack.db.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
};

describe('the controllers portal: signing in', () => {
  it('a link emailed to an address on record, opened (which changes nothing), its button pressed: the controller sees its own agreement', async () => {
    const page = await fresh();
    await askForLink(page, 'privacy@alpha.example');
    expect(await page.getByRole('status').textContent()).toContain('If this address is on record');
    const link = await linkFor('privacy@alpha.example', 0);
    // Opened twice (a mail scanner, then the person): nothing is used up.
    const scanned = await fetch(link);
    expect(scanned.status).toBe(200);
    expect(scanned.headers.get('referrer-policy')).toBe('no-referrer');
    expect(scanned.headers.get('set-cookie') ?? '').not.toContain('dpa_portal=');
    await page.goto(link);
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    await Promise.all([page.waitForURL(`${api}/portal/`), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Alpha SAS');
    const agreements = page.getByRole('table');
    expect(await agreements.getByRole('link').allTextContents()).toEqual(['ALPHA-1']);
    await check(page, 'home');
    await agreements.getByRole('link', { name: 'ALPHA-1' }).click();
    expect(await page.locator('h1').textContent()).toBe('Agreement ALPHA-1');
    expect(await page.locator('.status').first().textContent()).toBe((await stack.request('GET', `/contracts/${ids.alpha}`, { role: 'dpo' })).body.status);
    // Who may touch its data, as the API's roster of the agreement says; its request; what is due, and whose.
    const persons = (await stack.request('GET', `/contracts/${ids.alpha}/authorised-persons`, { role: 'dpo' })).body.items as { name: string; cleared: boolean }[];
    expect(persons).toEqual([expect.objectContaining({ name: 'Robin Operator', cleared: true })]);
    expect(await page.getByRole('listitem').filter({ hasText: 'Robin Operator' }).textContent()).toContain('cleared');
    expect(await page.getByRole('row').filter({ hasText: 'data-subject request' }).textContent()).toContain('open');
    const due = (await stack.request('GET', `/deadlines?contract=${ids.alpha}`, { role: 'dpo' })).body.items as { kind: string; whose: string }[];
    expect(due.map((d) => d.kind)).toEqual(expect.arrayContaining(['breach-notice-authority', 'subject-request-assistance', 'subject-request-deadline', 'term-end']));
    const clocks = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Whose' }) }).locator('tbody tr');
    expect(await clocks.count()).toBe(due.length);
    // Each clock as a controller reads it, and whose it is.
    const LABELS: Record<string, string> = {
      'breach-notice-authority': 'Your notification to the supervisory authority',
      'subject-request-assistance': 'Our help with the request',
      'subject-request-deadline': 'Your answer to the data subject',
      'term-end': 'Term end',
    };
    for (const d of due) expect(await clocks.filter({ hasText: LABELS[d.kind]! }).textContent(), d.kind).toContain(d.whose === 'controller' ? 'yours' : 'ours, to you');
    // Its breach notice as JSON, to attach to its own notification: the API's view of the same notice.
    const [noticeFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('row').filter({ hasText: 'breach notice' }).getByRole('link', { name: 'JSON' }).click()]);
    const notice = JSON.parse(fs.readFileSync((await noticeFile.path())!, 'utf8')) as Record<string, unknown>;
    const apiNotice = (await stack.request('GET', `/contracts/${ids.alpha}/breach-notices/${ids.notice}`, { role: 'dpo' })).body as Record<string, unknown>;
    expect(notice).toMatchObject({ id: ids.notice, incidentId: apiNotice.incidentId, status: apiNotice.status, content: apiNotice.content });
    // Its evidence pack: a ZIP whose signed manifest is about this agreement.
    const [pack] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the evidence pack' }).click()]);
    const entries = unzipSync(fs.readFileSync((await pack.path())!));
    expect(new TextDecoder().decode(entries['manifest.json'])).toContain(ids.alpha);
    expect((await page.request.get(`${api}/portal/contracts/${ids.alpha}/certificate.json`)).status()).toBe(404);
    await check(page, 'contract');
    await page.getByRole('link', { name: 'Sign-ins' }).click();
    expect(await page.locator('tbody tr').first().textContent()).toContain('privacy@alpha.example');

    // The link worked once: used again, it says so and signs nobody in.
    const again = await fresh();
    await again.goto(link);
    expect(await again.locator('h1').textContent()).toBe('This link was already used');
    expect(await again.getByRole('button', { name: 'Sign in' }).count()).toBe(0);

    // The token is nowhere in clear: not in the portal's tables, not in any event.
    const token = new URL(link).searchParams.get('t')!;
    const kept = await rows(`SELECT (SELECT string_agg(t::text, ' ') FROM portal_links t) || (SELECT string_agg(s::text, ' ') FROM portal_sessions s) || coalesce((SELECT string_agg(e.data::text || e.metadata::text, ' ') FROM events e), '') AS everything`);
    expect(String(kept[0]!.everything)).not.toContain(token);
  });

  it('an unknown address gets the same answer and no email; a malformed one is refused in place', async () => {
    const page = await fresh();
    const since = stack.mail.messages.length;
    await askForLink(page, 'nobody@unknown.example');
    expect(await page.getByRole('status').textContent()).toContain('If this address is on record');
    // A known address asked for after it: its email comes, the unknown one's never does.
    await askForLink(page, 'privacy@alpha.example');
    await linkFor('privacy@alpha.example', since);
    expect(stack.mail.messages.slice(since).some((m) => m.to.includes('nobody@unknown.example'))).toBe(false);
    const bad = await fetch(`${api}/portal/link`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=not-an-address' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('This is not an email address');
  });

  it('asking is limited per address, known or not, and per client (as the trusted proxy names it): past a limit, 429 and no email', async () => {
    // Each client as the proxy in front names it: the last address it appended.
    const ask = (email: string, client: string) =>
      fetch(`${api}/portal/link`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `198.51.100.7, ${client}` }, body: new URLSearchParams({ email }).toString() });
    const before = stack.mail.messages.length;
    for (const [n, address] of ['limit@alpha-nobody.example', 'contact@gamma.example'].entries()) {
      const answers: number[] = [];
      for (let i = 0; i < LIMIT + 2; i++) answers.push((await ask(address, `203.0.113.${n + 1}`)).status);
      expect(answers, address).toEqual([...Array(LIMIT).fill(200), 429, 429]);
    }
    // One client asking for many addresses, each once: stopped at its own limit.
    const many: number[] = [];
    for (let i = 0; i < CLIENT_LIMIT + 1; i++) many.push((await ask(`someone-${i}@many.example`, '203.0.113.50')).status);
    expect(many).toEqual([...Array(CLIENT_LIMIT).fill(200), 429]);
    // Another client is not stopped by it.
    expect((await ask('someone-0@many.example', '203.0.113.51')).status).toBe(200);
    // Counted in PostgreSQL, by a hash of the address: no address is kept there.
    expect(JSON.stringify(await rows('SELECT bucket FROM portal_rate'))).not.toContain('gamma');
    // The known address got one email per link asked within its limit, none for the refused ones.
    const toGamma = () => stack.mail.messages.slice(before).filter((m) => m.to.includes('contact@gamma.example'));
    // (A refused request schedules no link at all: once the accepted ones' emails are in, there is no other to wait for.)
    await waitFor('the links within the limit', async () => toGamma().length >= LIMIT, { timeoutMs: 20_000, intervalMs: 100 });
    expect(toGamma()).toHaveLength(LIMIT);
  });

  it('a link forged, expired, or posted from another site signs nobody in and uses nothing', async () => {
    const forged = await fresh();
    await forged.goto(`${api}/portal/sign-in?t=${randomBytes(32).toString('base64url')}`);
    expect(await forged.locator('h1').textContent()).toBe('This link is not valid');
    await forged.goto(`${api}/portal/sign-in?t=short`);
    expect(await forged.locator('h1').textContent()).toBe('This link is not valid');

    // Posted straight at the sign-in, as another site's form would: no nonce cookie, refused, the link still good.
    const since = stack.mail.messages.length;
    const page = await fresh();
    await askForLink(page, 'legal@beta.example');
    const link = await linkFor('legal@beta.example', since);
    const t = new URL(link).searchParams.get('t')!;
    const crossSite = await fetch(`${api}/portal/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `t=${t}&n=guessed`, redirect: 'manual' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('set-cookie') ?? '').not.toContain('dpa_portal=');
    await page.goto(link);
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);

    // Two sign-ins with the same link at the same instant: one session, the other told the link was used.
    const twice = await fresh();
    const since2 = stack.mail.messages.length;
    await askForLink(twice, 'legal@beta.example');
    const t2 = new URL(await linkFor('legal@beta.example', since2)).searchParams.get('t')!;
    const both = await Promise.all(
      [1, 2].map(() => fetch(`${api}/portal/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'dpa_portal_pre=x' }, body: `t=${t2}&n=x`, redirect: 'manual' })),
    );
    expect(both.map((r) => r.status).sort()).toEqual([303, 410]);
    expect(both.filter((r) => (r.headers.get('set-cookie') ?? '').includes('dpa_portal=')).length).toBe(1);

    // Its fifteen minutes past (the clock moved in the database, where the expiry is kept): refused.
    await rows(`UPDATE portal_links SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('This link has expired');
    const late = await fetch(`${api}/portal/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `dpa_portal_pre=x` }, body: `t=${t}&n=x`, redirect: 'manual' });
    expect(late.status).toBe(410);
    expect(late.headers.get('set-cookie') ?? '').not.toContain('dpa_portal=');
  });
});

describe('the controllers portal: whose pages', () => {
  it('an address on record for two controllers chooses one; a session covers it alone', async () => {
    const page = await signedIn('dpo@shared-dpo.example');
    expect(await page.locator('h1').textContent()).toBe('Which client?');
    expect((await page.getByRole('button').allTextContents()).filter((b) => b !== 'Sign out').sort()).toEqual(['Beta SARL', 'Gamma SA']);
    await Promise.all([page.waitForURL(`${api}/portal/`), page.getByRole('button', { name: 'Gamma SA' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Gamma SA');
    expect(await page.getByRole('table').getByRole('link').allTextContents()).toEqual(['GAMMA-1']);
  });

  it("a controller opens none of another's agreements: another's id, a forged one and a malformed one are all 404", async () => {
    const page = await signedIn('privacy@alpha.example');
    for (const path of [`${ids.beta}/evidence.zip`, `${ids.beta}/certificate.json`, `${ids.beta}/breach-notices/${ids.notice}.json`, `${ids.alpha}/breach-notices/${randomUUID()}.json`]) {
      expect((await page.request.get(`${api}/portal/contracts/${path}`)).status(), path).toBe(404);
    }
    for (const id of [ids.beta, ids.gamma, randomUUID(), 'not-an-id', `${ids.alpha}x`]) {
      const answer = await page.goto(`${api}/portal/contracts/${id}`);
      expect(answer?.status(), id).toBe(404);
      const text = await page.textContent('body');
      for (const other of ['Beta', 'Gamma', 'BETA-1', 'GAMMA-1']) expect(text, id).not.toContain(other);
    }
    expect((await page.goto(`${api}/portal/contracts/${ids.alpha}`))?.status()).toBe(200);
    // Nor by choosing: the session covers Alpha already.
    const csrf = await page.locator('input[name=_csrf]').first().getAttribute('value');
    const chosen = await page.request.post(`${api}/portal/choose`, { form: { _csrf: csrf!, controller: 'email:legal@beta.example' }, maxRedirects: 0 });
    expect(chosen.status()).toBe(404);
    expect((await page.goto(`${api}/portal/`))?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Alpha SAS');
  });

  it("staff and controllers never open each other's pages; a portal form without its token is refused", async () => {
    const controller = await signedIn('privacy@alpha.example');
    // The portal's cookie on a staff page: sent to the staff's own sign-in, not in.
    await controller.goto(`${api}/ui/contracts`);
    expect(controller.url().startsWith(oidc.issuer) || controller.url().startsWith(`${api}/ui/login`)).toBe(true);
    const { context, page: staff } = await signInAs(browser, api, oidc.issuer, 'dpo');
    contexts.push(context);
    await staff.goto(`${api}/portal/`);
    expect(await staff.locator('h1').textContent()).toBe('Sign in');
    expect((await staff.goto(`${api}/portal/contracts/${ids.alpha}`))?.url()).toBe(`${api}/portal/`);
    const noToken = await controller.request.post(`${api}/portal/sign-out`, { form: {}, maxRedirects: 0 });
    expect(noToken.status()).toBe(403);
    await Promise.all([controller.waitForLoadState('load'), controller.goto(`${api}/portal/`)]);
    await Promise.all([controller.waitForLoadState('load'), controller.getByRole('button', { name: 'Sign out' }).click()]);
    expect(await controller.locator('h1').textContent()).toBe('Signed out');
    await controller.goto(`${api}/portal/`);
    expect(await controller.locator('h1').textContent()).toBe('Sign in');
  });
});

describe('the controllers portal: its own acts', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  type Event = { type: string; occurredAt: string; metadata: Record<string, unknown> };
  const eventsOf = async (path: string) => (await stack.request('GET', `${path}/events`, { role: 'dpo' })).body.events as Event[];
  /** What a controller's act records about who did it: its role, and the sign-in (its row) it came through. */
  const actedBy = async (address: string) => {
    const [row] = await rows(`SELECT id::text AS id FROM portal_sign_ins WHERE address = $1 ORDER BY id DESC LIMIT 1`, [address]);
    return { actor: 'controller', keyId: `portal:${String(row!.id)}` };
  };
  const contractOf = (page: Page, id: string) => page.goto(`${api}/portal/contracts/${id}`);
  // One session of Alpha's for its acts: each link asked for counts against the address's hourly limit.
  let alpha: Page;
  const alphaPage = async () => (alpha ??= await signedIn('privacy@alpha.example'));
  const openFile = async (page: Page, contract: string, noun: string) => {
    await contractOf(page, contract);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: noun, exact: true }).first().click()]);
  };

  it('a controller acknowledges its breach notice, objects to a change, gives an instruction and withdraws it once on hold, asks for help and an audit: each its own act, in the API and the trail', async () => {
    const location = { id: `portal-${randomUUID().slice(0, 8)}`, name: 'OVH RBX', kind: 'backup', site: 'Roubaix, France' };
    const announced = await stack.request('POST', '/sub-processor-changes', { role: 'dpo', body: { change: { kind: 'addition', subProcessor: { name: 'OVH (OVHcloud)', role: 'Backup datacenter', country: 'France' }, location }, effectiveAt: iso(Date.now() + 31 * 86_400_000) } });
    expect(announced.status, JSON.stringify(announced.body)).toBe(201);
    await waitFor('the change told to Alpha', async () => (await stack.request('GET', `/contracts/${ids.alpha}/sub-processor-changes`, { role: 'dpo' })).body.items.length === 1, { timeoutMs: 20_000, intervalMs: 200 });
    const page = await alphaPage();
    const mine = await actedBy('privacy@alpha.example');

    // 1. Its breach notice: acknowledged from the notice's page.
    await openFile(page, ids.alpha, 'breach notice');
    await check(page, 'breach-notice');
    const before = Date.now();
    await Promise.all([page.waitForURL(/\?done=acknowledge$/), page.getByRole('button', { name: 'Acknowledge receipt of this notice' }).click()]);
    expect(await page.getByRole('status').textContent()).toContain('Your acknowledgement is recorded');
    expect(await page.getByRole('button', { name: 'Acknowledge receipt of this notice' }).count()).toBe(0);
    const notice = (await stack.request('GET', `/contracts/${ids.alpha}/breach-notices/${ids.notice}`, { role: 'dpo' })).body;
    expect(notice.status).toBe('acknowledged');
    // The notice as a PDF, to attach to its own notification to its authority (read back by Poppler).
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download this notice (PDF)' }).click()]);
    ensurePoppler(() => undefined);
    const pdfText = execFileSync(PDFTOTEXT, ['-enc', 'UTF-8', (await pdf.path())!, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const expected of ['Personal data breach notification', ids.notice, 'ALPHA-1', 'Backup console exposed', 'What happened', 'to follow']) expect(pdfText, expected).toContain(expected);
    const acknowledged = (await eventsOf(`/contracts/${ids.alpha}/breach-notices/${ids.notice}`)).find((e) => e.type === 'BreachNoticeAcknowledged')!;
    expect(acknowledged.metadata).toMatchObject(mine);
    expect(Date.parse(acknowledged.occurredAt)).toBeGreaterThanOrEqual(before - 1000);

    // 2. The sub-processor change: objected to inside its period, with a reason.
    await openFile(page, ids.alpha, 'sub-processor change');
    const object = page.locator('form[action$="/object"]');
    await Promise.all([page.waitForLoadState('load'), object.getByRole('button', { name: 'Object to this change' }).click()]);
    expect(page.url()).not.toContain('done=');
    await object.getByLabel('Reason').fill('Our backups stay at sites we audited');
    await Promise.all([page.waitForURL(/\?done=object$/), object.getByRole('button', { name: 'Object to this change' }).click()]);
    const [change] = (await stack.request('GET', `/contracts/${ids.alpha}/sub-processor-changes`, { role: 'dpo' })).body.items as { changeId: string; status: string; objectionReason: string }[];
    expect(change).toMatchObject({ status: 'objected', objectionReason: 'Our backups stay at sites we audited' });
    expect((await eventsOf(`/contracts/${ids.alpha}/sub-processor-changes/${change!.changeId}`)).find((e) => e.type === 'SubProcessorChangeObjected')!.metadata).toMatchObject(mine);

    // 3. A documented instruction (C2), given in the portal: received now, by the portal.
    await contractOf(page, ids.alpha);
    const give = page.locator('form[action$="/ask/instruction/document"]');
    await give.getByLabel('Summary').fill('Keep the shop database backups for 90 days');
    await give.getByLabel('Document ref').fill('ALPHA-INSTR-7');
    await Promise.all([page.waitForURL(/\/files\/instruction\/[0-9a-f-]{36}\?done=document$/), give.getByRole('button').click()]);
    const iid = new URL(page.url()).pathname.split('/').at(-1)!;
    const instruction = (await stack.request('GET', `/contracts/${ids.alpha}/instructions/${iid}`, { role: 'dpo' })).body;
    expect(instruction).toMatchObject({ status: 'documented', channel: 'portal', summary: 'Keep the shop database backups for 90 days', documentRef: 'ALPHA-INSTR-7' });
    expect((await eventsOf(`/contracts/${ids.alpha}/instructions/${iid}`))[0]!.metadata).toMatchObject(mine);
    // Nothing to answer yet: confirming and withdrawing are offered once the processor objects.
    expect(await page.getByRole('button', { name: 'Withdraw the instruction' }).count()).toBe(0);
    expect((await stack.request('POST', `/contracts/${ids.alpha}/instructions/${iid}/objection`, { role: 'dpo', body: { reason: 'No legal basis was named for keeping them longer' } })).status).toBe(200);

    // Another controller cannot answer it, by any path: 404, and it stays on hold.
    const beta = await signedIn('legal@beta.example');
    const betaCsrf = (await beta.locator('input[name=_csrf]').first().getAttribute('value'))!;
    for (const path of [`${ids.alpha}/files/instruction/${iid}/withdraw`, `${ids.beta}/files/instruction/${iid}/withdraw`, `${ids.alpha}/files/breach-notice/${ids.notice}/acknowledge`, `${ids.alpha}/ask/audit/request`, `${ids.alpha}/data-export`]) {
      const tried = await beta.request.post(`${api}/portal/contracts/${path}`, { form: { _csrf: betaCsrf, _confirm: 'yes', kind: 'audit', scope: 'x' }, maxRedirects: 0 });
      expect(tried.status(), path).toBe(404);
      expect(await tried.text(), path).not.toContain('Alpha');
    }
    for (const path of [`${ids.alpha}/files/instruction/${iid}`, `${ids.beta}/files/instruction/${iid}`, `${ids.beta}/files/breach-notice/${ids.notice}`]) expect((await beta.goto(`${api}/portal/contracts/${path}`))?.status(), path).toBe(404);
    expect((await stack.request('GET', `/contracts/${ids.alpha}/instructions/${iid}`, { role: 'dpo' })).body.status).toBe('on_hold');

    // 4. Withdrawn by Alpha: the box ticked, as it cannot be undone.
    await page.reload();
    const withdraw = page.locator('form[action$="/withdraw"]');
    await withdraw.getByLabel('This cannot be undone').check();
    await Promise.all([page.waitForURL(/\?done=withdraw$/), withdraw.getByRole('button').click()]);
    expect((await stack.request('GET', `/contracts/${ids.alpha}/instructions/${iid}`, { role: 'dpo' })).body.status).toBe('withdrawn');
    expect((await eventsOf(`/contracts/${ids.alpha}/instructions/${iid}`)).find((e) => e.type === 'InstructionWithdrawn')!.metadata).toMatchObject(mine);

    // 5. A data-subject request it wants help with, by type and its own reference: a phone number or an email address is refused, and the page says why.
    const requests = async () => (await stack.request('GET', `/contracts/${ids.alpha}/subject-requests`, { role: 'dpo' })).body.items as { id: string; reference: string; receivedBy: string }[];
    const already = (await requests()).length;
    await contractOf(page, ids.alpha);
    let help = page.locator('form[action$="/ask/subject-request/open"]');
    for (const [reference, why] of [
      ['06.12.34.56.78', 'looks like a phone number'],
      ['alice@example.com', "never the person's name, email or phone number"],
    ]) {
      await help.getByLabel('Type').selectOption('erasure');
      await help.getByLabel('Received at').fill(iso(Date.now() - 2_000).slice(0, 19));
      await help.getByLabel('Reference').fill(reference!);
      await Promise.all([page.waitForLoadState('load'), help.getByRole('button').click()]);
      help = page.locator('form[action$="/ask/subject-request/open"]');
      expect(await help.locator('.error').textContent(), reference).toContain(why);
      expect(await help.getByLabel('Reference').inputValue()).toBe(reference);
    }
    expect(await requests()).toHaveLength(already);
    await help.getByLabel('Reference').fill('HELPDESK-4711');
    await Promise.all([page.waitForURL(/\/files\/subject-request\/[0-9a-f-]{36}\?done=open$/), help.getByRole('button').click()]);
    const rid = new URL(page.url()).pathname.split('/').at(-1)!;
    expect((await requests()).find((r) => r.id === rid)).toMatchObject({ reference: 'HELPDESK-4711', receivedBy: 'controller', type: 'erasure' });
    expect((await eventsOf(`/contracts/${ids.alpha}/subject-requests/${rid}`))[0]!.metadata).toMatchObject(mine);

    // 6. An audit.
    await contractOf(page, ids.alpha);
    const audit = page.locator('form[action$="/ask/audit/request"]');
    await audit.getByLabel('Kind').selectOption('inspection');
    await audit.getByLabel('Scope').fill('Physical security of the Paris datacenter');
    await Promise.all([page.waitForURL(/\/files\/audit\/[0-9a-f-]{36}\?done=request$/), audit.getByRole('button').click()]);
    const aid = new URL(page.url()).pathname.split('/').at(-1)!;
    expect((await stack.request('GET', `/contracts/${ids.alpha}/audits/${aid}`, { role: 'dpo' })).body).toMatchObject({ status: 'requested', kind: 'inspection', scope: 'Physical security of the Paris datacenter' });
    expect((await eventsOf(`/contracts/${ids.alpha}/audits/${aid}`))[0]!.metadata).toMatchObject(mine);
    await contractOf(page, ids.alpha);
    await check(page, 'contract-acts');

    // The staff's trail names the controller as the one who acted, and how it had signed in.
    const { context, page: staff } = await signInAs(browser, api, oidc.issuer, 'dpo');
    contexts.push(context);
    await staff.goto(`${api}/ui/contracts/${ids.alpha}/trail?file=${iid}`);
    const withdrawn = staff.getByRole('row').filter({ hasText: 'InstructionWithdrawn' });
    expect(await withdrawn.textContent()).toContain('the controller: privacy@alpha.example, in its portal (signed in by an emailed link');
    // The same act through the staff's API stays, recorded as on the controller's behalf.
    const onBehalf = await stack.request('POST', `/contracts/${ids.alpha}/audits`, { role: 'account_manager', body: { kind: 'audit', requestedAt: iso(Date.now()), scope: 'Backups' } });
    expect(onBehalf.status).toBe(201);
    expect((await eventsOf(`/contracts/${ids.alpha}/audits/${onBehalf.body.id}`))[0]!.metadata).toMatchObject({ actor: 'account_manager' });
  });

  it("another controller reaches none of Alpha's files by any portal route, and changes nothing: every answer 404, none of Alpha's data shown", async () => {
    // Every file of Alpha's agreement, of every type, as the staff's API lists them.
    const files = (await rows(
      `SELECT 'breach-notice' AS type, id::text AS id FROM breach_notices WHERE contract_id = $1 UNION ALL SELECT 'sub-processor-notice', id::text FROM sub_processor_notices WHERE contract_id = $1
       UNION ALL SELECT 'instruction', id::text FROM instructions WHERE contract_id = $1 UNION ALL SELECT 'subject-request', id::text FROM subject_requests WHERE contract_id = $1
       UNION ALL SELECT 'audit', id::text FROM audits WHERE contract_id = $1 UNION ALL SELECT 'transfer-notice', id::text FROM transfer_notices WHERE contract_id = $1`,
      [ids.alpha],
    )) as { type: string; id: string }[];
    expect(new Set(files.map((f) => f.type)).size).toBeGreaterThanOrEqual(5);
    const beta = await signedIn('legal@beta.example');
    const betas = await actedBy('legal@beta.example');
    const csrf = (await beta.locator('input[name=_csrf]').first().getAttribute('value'))!;
    const guessed = randomUUID();
    const gets = [
      `/portal/contracts/${ids.alpha}`,
      `/portal/contracts/${ids.alpha}/evidence.zip`,
      `/portal/contracts/${ids.alpha}/certificate.json`,
      `/portal/contracts/${ids.alpha}/certificate.pdf`,
      `/portal/contracts/${guessed}`,
      `/portal/contracts/${guessed}/evidence.zip`,
      ...files.flatMap((f) => [`/portal/contracts/${ids.alpha}/files/${f.type}/${f.id}`, `/portal/contracts/${ids.beta}/files/${f.type}/${f.id}`, `/portal/contracts/${guessed}/files/${f.type}/${f.id}`]),
      ...files.filter((f) => f.type === 'breach-notice').flatMap((f) => ['json', 'pdf'].flatMap((ext) => [`/portal/contracts/${ids.alpha}/breach-notices/${f.id}.${ext}`, `/portal/contracts/${ids.beta}/breach-notices/${f.id}.${ext}`])),
      `/portal/contracts/${ids.beta}/files/instruction/${guessed}`,
    ];
    const acts = ['acknowledge', 'object', 'confirm', 'withdraw', 'document', 'request', 'open'];
    const posts = [
      ...files.flatMap((f) => acts.flatMap((act) => [`/portal/contracts/${ids.alpha}/files/${f.type}/${f.id}/${act}`, `/portal/contracts/${ids.beta}/files/${f.type}/${f.id}/${act}`])),
      ...['instruction/document', 'audit/request', 'subject-request/open'].flatMap((opener) => [`/portal/contracts/${ids.alpha}/ask/${opener}`, `/portal/contracts/${guessed}/ask/${opener}`]),
      `/portal/contracts/${ids.alpha}/data-export`,
      `/portal/contracts/${guessed}/data-export`,
    ];
    const body = { _csrf: csrf, _confirm: 'yes', _once: randomUUID(), reason: 'x', summary: 'x', documentRef: 'X-1', kind: 'audit', scope: 'x', type: 'access', reference: 'X-1', receivedAt: new Date().toISOString().slice(0, 19) };
    for (const path of gets) {
      const answer = await beta.request.get(`${api}${path}`, { maxRedirects: 0 });
      expect(answer.status(), path).toBe(404);
      const text = await answer.text();
      for (const secret of ['Alpha', 'ALPHA-1', 'privacy@alpha.example', ...files.map((f) => f.id)]) expect(text, `${path}: ${secret}`).not.toContain(secret);
    }
    for (const path of posts) {
      const answer = await beta.request.post(`${api}${path}`, { form: body, maxRedirects: 0 });
      expect(answer.status(), path).toBe(404);
      expect(await answer.text(), path).not.toContain('Alpha');
    }
    // Nothing was recorded by any of it: no event names Beta's sign-in.
    expect(await rows(`SELECT count(*)::int AS n FROM events WHERE metadata->>'keyId' = $1`, [betas.keyId])).toEqual([{ n: 0 }]);
  });

  it('a controller confirms its contact for data breaches from its home page, recorded as its own act', async () => {
    await waitFor('the contact asked', async () => (await stack.request('GET', '/controllers/privacy@alpha.example/contact-check', { role: 'dpo' })).body?.status === 'awaiting', { timeoutMs: 20_000, intervalMs: 200 });
    const page = await alphaPage();
    await page.goto(`${api}/portal/`);
    const mine = await actedBy('privacy@alpha.example');
    await Promise.all([page.waitForURL(/\?done=contact-check-confirm$/), page.getByRole('button', { name: 'Confirm this contact for data breaches' }).click()]);
    expect(await page.getByRole('status').textContent()).toContain('your contact for data breaches is confirmed');
    expect(await page.getByRole('button', { name: 'Confirm this contact for data breaches' }).count()).toBe(0);
    const checked = (await stack.request('GET', '/controllers/privacy@alpha.example/contact-check', { role: 'dpo' })).body;
    expect(checked.status).toBe('confirmed');
    expect(checked.round.confirmedBy).toBe('privacy@alpha.example');
    expect((await eventsOf('/controllers/privacy@alpha.example/contact-check')).find((e) => e.type === 'ContactConfirmed')!.metadata).toMatchObject(mine);
  });

  it('inside the return window a controller asks for its data back; once its data is destroyed it downloads the certificate', async () => {
    const windowed = await stack.request('POST', '/contracts', { role: 'account_manager', body: { reference: 'DELTA-1', controller: { name: 'Delta GmbH', email: 'privacy@delta.example' }, billingPeriod: 'P1Y', returnWindow: 'P7D' } });
    const at_once = await order('DELTA-2', { name: 'Delta GmbH', email: 'privacy@delta.example' });
    expect(windowed.status).toBe(201);
    for (const id of [windowed.body.id as string, at_once]) {
      expect((await stack.request('POST', `/contracts/${id}/credentials`, { role: 'account_manager', body: { kind: 'sftp', host: 'sftp.delta.example', username: 'deploy', secret: 'a-secret-value' } })).status).toBe(200);
      expect((await stack.request('POST', `/contracts/${id}/termination`, { role: 'account_manager', body: { reason: 'client left' } })).status).toBe(200);
    }
    const page = await signedIn('privacy@delta.example');
    const mine = await actedBy('privacy@delta.example');
    await contractOf(page, windowed.body.id);
    await Promise.all([page.waitForURL(/\?done=data-export$/), page.getByRole('button', { name: 'Ask for your data back' }).click()]);
    expect(await page.getByRole('status').textContent()).toContain('Your request is recorded');
    const contract = (await stack.request('GET', `/contracts/${windowed.body.id}`, { role: 'dpo' })).body;
    expect(contract.destruction.exportRequests).toHaveLength(1);
    expect((await eventsOf(`/contracts/${windowed.body.id}`)).find((e) => e.type === 'DataExportRequested')!.metadata).toMatchObject(mine);

    // No return window: destroyed at once, and its certificate is the controller's to download.
    await waitFor('the destruction', async () => (await stack.request('GET', `/contracts/${at_once}`, { role: 'dpo' })).body.status === 'destroyed', { timeoutMs: 90_000, intervalMs: 500 });
    await contractOf(page, at_once);
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'the destruction certificate (JSON)' }).click()]);
    const certificate = (await stack.request('GET', `/contracts/${at_once}`, { role: 'dpo' })).body.destruction.certificate;
    expect(JSON.parse(fs.readFileSync((await json.path())!, 'utf8'))).toMatchObject({ certificateId: certificate.certificateId, contractId: at_once });
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '(PDF)' }).click()]);
    expect(fs.readFileSync((await pdf.path())!).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('a transfer the law forbids telling the controller of is nowhere in its portal, nor in the pack it downloads', async () => {
    const withheld = await stack.request('POST', `/contracts/${ids.alpha}/transfer-notices`, {
      role: 'dpo',
      body: { destination: 'A third country', legalObligation: 'A court order with a gag clause', plannedAt: iso(Date.now() + 86_400_000), withheldReason: 'The order forbids telling the controller' },
    });
    expect(withheld.status, JSON.stringify(withheld.body)).toBe(201);
    const page = await alphaPage();
    await contractOf(page, ids.alpha);
    expect(await page.textContent('main')).not.toContain('transfer notice');
    expect((await page.goto(`${api}/portal/contracts/${ids.alpha}/files/transfer-notice/${withheld.body.id}`))?.status()).toBe(404);
    const portalPack = unzipSync(Buffer.from(await (await page.request.get(`${api}/portal/contracts/${ids.alpha}/evidence.zip`)).body()));
    expect(Object.keys(portalPack).some((name) => name.includes(withheld.body.id))).toBe(false);
    expect(Object.keys(portalPack).some((name) => name.startsWith('streams/breach-notice-'))).toBe(true);
    // The DPO's pack, for the auditor, keeps it.
    const staffPack = await fetch(`${api}/contracts/${ids.alpha}/evidence`, { headers: { authorization: `Bearer ${KEYS.dpo}` } });
    expect(Object.keys(unzipSync(new Uint8Array(await staffPack.arrayBuffer()))).some((name) => name.includes(withheld.body.id))).toBe(true);
  });
});

describe("the controller's language", () => {
  it("a French controller's emails and pages come in French, its instants in its time zone with UTC beside them", async () => {
    const id = await order('EPS-1', { name: 'Epsilon SARL', email: 'privacy@epsilon.example' });
    const preferences = await stack.request('PUT', '/controllers/privacy@epsilon.example', { role: 'dpo', body: { locale: 'fr', timeZone: 'Europe/Paris' } });
    expect(preferences.status, JSON.stringify(preferences.body)).toBe(201);
    const since = stack.mail.messages.length;
    expect((await stack.request('POST', `/contracts/${id}/credentials`, { role: 'account_manager', body: { kind: 'sftp', host: 'sftp.epsilon.example', username: 'deploy', secret: 'a-secret-value' } })).status).toBe(200);
    // The hand-over's email of our DPO's contact: in French.
    const dpo = await stack.mail.waitFor((m) => stack.mail.messages.indexOf(m) >= since && m.to.includes('privacy@epsilon.example') && m.subject.includes('EPS-1'), 30_000);
    expect(dpo.subject).toBe('Notre délégué à la protection des données — contrat EPS-1');
    expect(dpo.text).toContain('Le traitement au titre du contrat EPS-1 a commencé.');

    const page = await signedIn('privacy@epsilon.example');
    // Its sign-in link came in French too.
    expect(stack.mail.messages.filter((m) => m.to.includes('privacy@epsilon.example') && m.text.includes('/portal/sign-in?t=')).at(-1)!.subject).toMatch(/^Votre lien de connexion à l’espace client/);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toBe('Vos contrats');
    expect(await page.getByRole('button', { name: 'Se déconnecter' }).count()).toBe(1);
    await page.goto(`${api}/portal/contracts/${id}`);
    expect(await page.locator('h1').textContent()).toBe('Contrat EPS-1');
    expect(await page.locator('.status').first().textContent()).toBe('actif');
    // Its order's instant in Paris, UTC beside it (computed here from the API's instant).
    const orderedAt = (await stack.request('GET', `/contracts/${id}`, { role: 'dpo' })).body.orderedAt as string;
    const paris = new Intl.DateTimeFormat('fr', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(new Date(orderedAt));
    expect(await page.locator('dl.facts dd').first().textContent()).toBe(`${paris} Europe/Paris (${orderedAt.slice(0, 10)} ${orderedAt.slice(11, 16)} UTC)`);
    expect(await page.textContent('main')).toContain('Ce que vous pouvez nous demander');
    await check(page, 'fr-contract');

    // Asking for help in French: the refusal says why in French, beside its field.
    const help = () => page.locator('form[action$="/ask/subject-request/open"]');
    await help().getByLabel('Type').selectOption('erasure');
    expect(await help().getByLabel('Type').locator('option:checked').textContent()).toBe('effacement');
    await help().getByLabel('Reçue le').fill(new Date(Date.now() - 2_000).toISOString().slice(0, 19));
    await help().getByLabel('Référence').fill('0612345678');
    await Promise.all([page.waitForLoadState('load'), help().getByRole('button', { name: 'Demander notre aide pour une demande de personne concernée' }).click()]);
    expect(await help().locator('.error').textContent()).toContain('ressemble à un numéro de téléphone');
    await help().getByLabel('Référence').fill('TICKET-FR-1');
    await Promise.all([page.waitForURL(/\/files\/subject-request\/[0-9a-f-]{36}\?done=open$/), help().getByRole('button').click()]);
    expect(await page.getByRole('status').textContent()).toContain('Votre demande d’aide est enregistrée');
    expect(await page.textContent('main')).toContain('Votre réponse à la personne concernée');
    await page.goto(`${api}/portal/sign-ins`);
    expect(await page.locator('h1').textContent()).toBe('Connexions');

    // Its destruction certificate, as a PDF in French (read back by Poppler).
    const ended = await order('EPS-2', { name: 'Epsilon SARL', email: 'privacy@epsilon.example' });
    expect((await stack.request('POST', `/contracts/${ended}/credentials`, { role: 'account_manager', body: { kind: 'sftp', host: 'sftp.epsilon.example', username: 'deploy', secret: 'a-secret-value' } })).status).toBe(200);
    expect((await stack.request('POST', `/contracts/${ended}/termination`, { role: 'account_manager', body: { reason: 'client left' } })).status).toBe(200);
    await waitFor('the destruction', async () => (await stack.request('GET', `/contracts/${ended}`, { role: 'dpo' })).body.status === 'destroyed', { timeoutMs: 90_000, intervalMs: 500 });
    const pdf = await page.request.get(`${api}/portal/contracts/${ended}/certificate.pdf`);
    expect(pdf.status()).toBe(200);
    const file = path.join(os.tmpdir(), `portal-certificate-${randomUUID()}.pdf`);
    fs.writeFileSync(file, await pdf.body());
    ensurePoppler(() => undefined);
    const text = execFileSync(PDFTOTEXT, ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    fs.rmSync(file);
    expect(text).toContain('Certificat de destruction');
    expect(text).toContain('Europe/Paris');
    expect(text).not.toContain('Certificate of destruction');
  });
});

describe('the public sub-processor page', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  const form = (body: Record<string, string>, client: string) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': client }, body: new URLSearchParams(body).toString() });

  it('anyone reads the register and the pending changes without signing in; subscribes by a double opt-in; each announcement unsubscribes in one click (RFC 8058)', async () => {
    const page = await fresh();
    const answer = await page.goto(`${api}/portal/sub-processors`);
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()['cache-control']).toBe('public, max-age=300');
    const register = (await stack.request('GET', '/sub-processors', { role: 'billing' })).body.items as { name: string; country: string }[];
    const text = (await page.textContent('main'))!;
    for (const party of register) expect(text).toContain(party.name);
    // No personal data: no address of anyone, no client's name.
    expect(text).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
    for (const client of ['Alpha', 'Beta', 'Gamma', 'Delta']) expect(text).not.toContain(client);
    await check(page, 'sub-processors');

    // Subscribing: the form posts with no token (the page is the same for everyone), and the opt-in comes by email.
    const since = stack.mail.messages.length;
    await page.getByLabel('Email address').fill('Watcher@Outside.example');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Subscribe' }).click()]);
    expect(await page.getByRole('status').textContent()).toContain('a link to confirm it is on its way');
    const optIn = await stack.mail.waitFor((m) => stack.mail.messages.indexOf(m) >= since && m.to.includes('watcher@outside.example') && m.subject.startsWith('Confirm your subscription'), 20_000);
    const link = /https?:\/\/\S+\/portal\/sub-processors\/confirm\?t=[A-Za-z0-9_-]+/.exec(optIn.text)![0];
    // Opened by a mail scanner: nothing changes.
    expect((await fetch(link)).status).toBe(200);
    const subscriber = async () => (await rows(`SELECT id::text AS id, confirmed_at, confirm_hash FROM sub_processor_subscribers WHERE address = 'watcher@outside.example'`))[0];
    expect((await subscriber())!.confirmed_at).toBeNull();
    expect(JSON.stringify(await subscriber())).not.toContain(new URL(link).searchParams.get('t'));
    await page.goto(link);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Confirm' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Subscribed');
    expect((await subscriber())!.confirmed_at).not.toBeNull();
    expect((await fetch(link)).status).toBe(400);

    // A change announced after: told to the subscriber once, with one-click unsubscribe.
    const name = `Cold Storage ${randomUUID().slice(0, 6)}`;
    const location = { id: `cold-${randomUUID().slice(0, 8)}`, name: 'Cold vault', kind: 'backup', site: 'Strasbourg, France' };
    const announced = await stack.request('POST', '/sub-processor-changes', { role: 'dpo', body: { change: { kind: 'addition', subProcessor: { name, role: 'Archive storage', country: 'France' }, location }, effectiveAt: iso(Date.now() + 40 * 86_400_000) } });
    expect(announced.status, JSON.stringify(announced.body)).toBe(201);
    const told = await stack.mail.waitFor((m) => m.to.includes('watcher@outside.example') && m.text.includes(name), 30_000);
    expect(told.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    const unsubscribe = /^List-Unsubscribe:\s*<([^>]+)>/m.exec(told.raw)![1]!;
    expect(unsubscribe).toContain('/portal/sub-processors/unsubscribe?s=');
    // (Fetched afresh: the browser may keep its copy of the page for five minutes, as it is told to.)
    expect(await (await fetch(`${api}/portal/sub-processors`)).text()).toContain(name);
    // Sent once: marked sent by the sender that held it, and so never claimed again.
    const subscriberId = String((await subscriber())!.id);
    const announcements = () => rows(`SELECT change_id::text AS change_id, sent_at FROM sub_processor_announcements WHERE subscriber_id = $1`, [subscriberId]);
    await waitFor('the announcement marked sent', async () => (await announcements()).some((a) => a.sent_at !== null), { timeoutMs: 10_000, intervalMs: 100 });
    expect(await announcements()).toHaveLength(1);
    expect(stack.mail.messages.filter((m) => m.to.includes('watcher@outside.example') && m.text.includes(name))).toHaveLength(1);
    // The address is in no event.
    const events = await rows(`SELECT count(*)::int AS n FROM events WHERE data::text ILIKE '%watcher@outside%' OR metadata::text ILIKE '%watcher@outside%'`);
    expect(events[0]!.n).toBe(0);

    // A tampered unsubscribe link does nothing; the genuine one, opened, asks; its one-click POST deletes the address at once.
    expect((await fetch(unsubscribe.replace(/t=[^&]+/, 't=x.forged'), form({ 'List-Unsubscribe': 'One-Click' }, '192.0.2.1'))).status).toBe(400);
    expect((await fetch(unsubscribe)).status).toBe(200);
    expect(await subscriber()).toBeDefined();
    const oneClick = await fetch(unsubscribe, form({ 'List-Unsubscribe': 'One-Click' }, '192.0.2.1'));
    expect(oneClick.status).toBe(200);
    expect(await subscriber()).toBeUndefined();
    expect(await announcements()).toEqual([]);
    // Used again: it names no subscription any more (its token went with the address), and says so.
    const again = await fetch(unsubscribe, form({ 'List-Unsubscribe': 'One-Click' }, '192.0.2.1'));
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('does not name a subscription');
    expect((await fetch(unsubscribe)).status).toBe(400);
  });

  it('an unconfirmed address is deleted after 48 hours; subscribing is rate-limited per address', async () => {
    const ask = (email: string, client: string) => fetch(`${api}/portal/sub-processors/subscribe`, form({ email }, client));
    expect((await ask('late@outside.example', '192.0.2.10')).status).toBe(200);
    expect(await rows(`SELECT 1 FROM sub_processor_subscribers WHERE address = 'late@outside.example'`)).toHaveLength(1);
    await rows(`UPDATE sub_processor_subscribers SET created_at = now() - interval '49 hours' WHERE address = 'late@outside.example'`);
    await waitFor('the unconfirmed address deleted', async () => (await rows(`SELECT 1 FROM sub_processor_subscribers WHERE address = 'late@outside.example'`)).length === 0, { timeoutMs: 20_000, intervalMs: 250 });
    const answers: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) answers.push((await ask('eager@outside.example', `192.0.2.${20 + i}`)).status);
    expect(answers).toEqual([...Array(LIMIT).fill(200), 429]);
    expect((await ask('not an address', '192.0.2.99')).status).toBe(400);
  });
});
