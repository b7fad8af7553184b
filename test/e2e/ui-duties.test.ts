import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import * as fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_STRIPE_WEBHOOK_SECRET } from '#infra/config/config';
import { CHROMIUM } from '#infra/dev/debian-packages';
import { freePort, waitFor } from '#infra/dev/processes';
import { checkPage, signInAs } from '../support/browser';
import { invoicePaid, signed, stripeId } from '../support/stripe';
import { startOidcProvider } from '../support/oidc';
import { startStack, type Stack } from '../support/stack';

/**
 * Every duty in the browser (DESIGN §7): each file type a contract has taken through its whole life
 * in a real Chromium, as a person would — fields found by their visible labels, forms by their
 * headings, buttons by their names — and the API's view of the same file checked after, so the page
 * is not the only witness. Real OpenID provider, API, worker, Temporal, PostgreSQL and SMTP server.
 */
let stack: Stack;
let oidc: Awaited<ReturnType<typeof startOidcProvider>>;
let browser: Browser;
let api: string;
let contractId: string;
let contractUrl: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const [port, oidcPort] = [await freePort(), await freePort()];
  api = `http://127.0.0.1:${port}`;
  oidc = await startOidcProvider(`${api}/ui/callback`, oidcPort);
  // A short objection period, so a sub-processor change comes into force while the test watches.
  // Stripe's webhook on (any grace is enough here), for the integrations page's unmatched billing events.
  stack = await startStack({ PORT: String(port), OIDC_ISSUER: oidc.issuer, SUB_PROCESSOR_OBJECTION_PERIOD: 'PT20S', STRIPE_WEBHOOK_SECRETS: DEV_STRIPE_WEBHOOK_SECRET, STRIPE_MIN_GRACE: 'PT0S' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const order = await stack.request('POST', '/contracts', { role: 'account_manager', body: { reference: 'DUTIES-1', controller: { name: 'Duties SAS', email: 'privacy@duties.example' }, billingPeriod: 'P1Y' } });
  contractId = order.body.id;
  contractUrl = `${api}/ui/contracts/${contractId}`;
  await stack.request('POST', `/contracts/${contractId}/credentials`, { role: 'account_manager', body: { kind: 'sftp', host: 'sftp.duties.example', username: 'deploy', secret: 'a-secret-value' } });
}, 120_000);
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await stack?.stop();
  await oidc?.stop();
});

/** A browser signed in through the provider's login page as `login`. */
async function signIn(login: string): Promise<Page> {
  const { context, page } = await signInAs(browser, api, oidc.issuer, login);
  contexts.push(context);
  return page;
}

const check = (page: Page, name: string) => checkPage(page, `duties-${name}`);

/** The form whose heading starts with `heading`. */
const form = (page: Page, heading: RegExp): Locator => page.getByRole('form', { name: heading });
/** An instant as a `datetime-local` field holds it (UTC, the form says so). */
const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);
/** Submits `f` and waits for the page it leads to. */
async function submit(page: Page, f: Locator): Promise<void> {
  await Promise.all([page.waitForLoadState('load'), page.waitForURL(/\/ui\//), f.getByRole('button').click()]);
}
const status = (page: Page) => page.locator('.status').first().textContent();

/**
 * From a file's page to its trail (the DPO and admins), by its link: the events in the page are the
 * API's trail of the same file (read after: a later event only adds to it), the chain verifies on
 * the button, and the page links back where it came from.
 */
async function trailFrom(page: Page, noun: string, eventsRoute: string, name: string): Promise<void> {
  const from = page.url();
  await Promise.all([page.waitForURL(/\/trail\?/), page.getByRole('link', { name: `Audit trail of this ${noun}` }).click()]);
  await Promise.all([page.waitForURL(/verify=1/), page.getByRole('button', { name: 'Verify the hash chain' }).click()]);
  const shown = await page.locator('tbody tr td:nth-child(2)').allTextContents();
  expect(shown.length).toBeGreaterThan(0);
  expect(await page.getByRole('status').textContent()).toBe(`The chain of ${shown.length} events verifies: no event was changed, removed or reordered.`);
  const events = (await stack.request('GET', eventsRoute, { role: 'dpo' })).body.events as { type: string }[];
  expect(events.slice(0, shown.length).map((e) => e.type)).toEqual(shown);
  await check(page, `trail-${name}`);
  await Promise.all([page.waitForURL(from), page.getByRole('link', { name: 'Back', exact: true }).click()]);
}
/** The second contract the inbox test ordered (DUTIES-2). */
let secondId = '';
const secondContractId = () => secondId;
const items = async (route: string) => (await stack.request('GET', `/contracts/${contractId}/${route}`, { role: 'dpo' })).body.items as Record<string, unknown>[];

describe('every duty of a contract, in the browser', () => {
  it('a data-subject request: received, extended, completed; its clocks on its page; the contract lists it, filtered', async () => {
    const page = await signIn('account-manager');
    await page.goto(contractUrl);
    const open = form(page, /record a data-subject request/);
    await open.getByLabel('Type').selectOption('access');
    await open.getByLabel('Received at (UTC)').fill(local(Date.now() + 2_000));
    await open.getByLabel('Received by').selectOption('controller');
    await open.getByLabel('Reference').fill('DSR-2027-001');
    await submit(page, open);
    expect(page.url()).toMatch(/\/files\/subject-request\/[0-9a-f-]{36}$/);
    expect(await status(page)).toBe('open');
    // Its clocks: the controller's one-month deadline, running.
    const clocks = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'What is due' }) });
    expect(await clocks.textContent()).toContain('Subject request deadline');
    expect(await clocks.textContent()).toContain('running');
    await check(page, 'subject-request-open');

    const extend = form(page, /extend the deadline once/);
    await extend.getByLabel('Months').fill('2');
    await extend.getByLabel('Reason').fill('Complex: several systems to search');
    await submit(page, extend);
    const complete = form(page, /Complete the request/);
    await complete.getByLabel('Outcome').selectOption('fulfilled');
    await submit(page, complete);
    expect(await status(page)).toBe('completed');
    expect(await page.getByText('No clock is running.').count()).toBe(1);
    await check(page, 'subject-request-completed');

    // The API's view of the same file.
    const [request] = await items('subject-requests');
    expect(request).toMatchObject({ id: page.url().split('/').at(-1), status: 'completed', reference: 'DSR-2027-001', outcome: 'fulfilled' });

    // The contract's files, filtered by kind and status, and overdue only.
    await page.goto(contractUrl);
    const filter = page.getByRole('form', { name: 'Filter the files' });
    await filter.getByLabel('Kind of file').selectOption({ label: 'data-subject request' });
    await filter.getByLabel('Status').selectOption('completed');
    await submit(page, filter);
    const files = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'File' }) });
    expect(await files.getByRole('link', { name: 'data-subject request' }).count()).toBe(1);
    await filter.getByLabel('Status').selectOption('open');
    await submit(page, filter);
    expect(await page.getByText('No file matches this filter.').count()).toBe(1);
  });

  it('an instruction: documented, acknowledged, objected to by the DPO (the controller emailed), confirmed, executed', async () => {
    const manager = await signIn('account-manager');
    await manager.goto(contractUrl);
    const document = form(manager, /document an instruction/);
    await document.getByLabel('Received at (UTC)').fill(local(Date.now() + 2_000));
    await document.getByLabel('Channel').selectOption('email');
    await document.getByLabel('Summary').fill('Copy the production database to the staging platform');
    await document.getByLabel('Document ref').fill('TICKET-4711');
    await submit(manager, document);
    const fileUrl = manager.url();
    expect(await status(manager)).toBe('documented');
    await submit(manager, form(manager, /acknowledges the instruction/));
    expect(await status(manager)).toBe('acknowledged');

    // The DPO objects: the instruction is on hold and the controller is emailed, its receipt on the page.
    const dpo = await signIn('dpo');
    await dpo.goto(fileUrl);
    const object = form(dpo, /considers the instruction unlawful/);
    await object.getByLabel('Reason').fill('Production personal data must not reach staging (Art. 32)');
    await submit(dpo, object);
    expect(await status(dpo)).toBe('on_hold');
    await waitFor('the objection email recorded', async () => {
      await dpo.reload();
      return (await dpo.getByText('No email recorded yet.').count()) === 0;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    const emails = dpo.getByRole('table').filter({ has: dpo.getByRole('columnheader', { name: 'Message-ID' }) });
    expect(await emails.textContent()).toContain('privacy@duties.example');
    // The Message-ID shown is the one the SMTP server received, addressed to the controller.
    const shown = await emails.locator('code').first().textContent();
    const caught = stack.mail.messages.filter((m) => m.messageId === shown);
    expect(caught).toHaveLength(1);
    expect(caught[0]!.to).toContain('privacy@duties.example');
    await check(dpo, 'instruction-on-hold');

    await manager.goto(fileUrl);
    await submit(manager, form(manager, /confirms the instruction despite the objection/));
    expect(await status(manager)).toBe('acknowledged');
    await submit(manager, form(manager, /The instruction was carried out/));
    expect(await status(manager)).toBe('executed');
    const [instruction] = await items('instructions');
    expect(instruction).toMatchObject({ id: fileUrl.split('/').at(-1), status: 'executed', documentRef: 'TICKET-4711' });
  });

  it('transfer notices: one sent to the controller before the transfer, one withheld as the law requires', async () => {
    const page = await signIn('dpo');
    await page.goto(contractUrl);
    const record = form(page, /a transfer the law requires/);
    await record.getByLabel('Destination').fill('Tax authority of Ruritania');
    await record.getByLabel('Legal obligation').fill('Ruritanian Tax Code, art. 12');
    await record.getByLabel('Planned at (UTC)').fill(local(Date.now() + 7 * 86_400_000));
    await submit(page, record);
    const sentUrl = page.url();
    await waitFor('the notice sent', async () => {
      await page.reload();
      return (await status(page)) === 'sent';
    }, { timeoutMs: 30_000, intervalMs: 500 });
    await check(page, 'transfer-notice-sent');

    await page.goto(contractUrl);
    const withheld = form(page, /a transfer the law requires/);
    await withheld.getByLabel('Destination').fill('Police of Ruritania');
    await withheld.getByLabel('Legal obligation').fill('Ruritanian Criminal Procedure, art. 3');
    await withheld.getByLabel('Planned at (UTC)').fill(local(Date.now() + 7 * 86_400_000));
    await withheld.getByLabel('Withheld reason').fill('The order forbids telling the controller');
    await submit(page, withheld);
    expect(await status(page)).toBe('withheld');
    expect(await page.getByText('No email recorded yet.').count()).toBe(1);

    const notices = await items('transfer-notices');
    expect(notices.map((n) => [n.id, n.status]).sort()).toEqual([[sentUrl.split('/').at(-1), 'sent'], [page.url().split('/').at(-1), 'withheld']].sort());
  });

  it('an audit: requested, scheduled, performed, a finding recorded and remediated, closed', async () => {
    const page = await signIn('account-manager');
    await page.goto(contractUrl);
    const request = form(page, /asks for an audit or an inspection/);
    await request.getByLabel('Kind').selectOption('audit');
    await request.getByLabel('Requested at (UTC)').fill(local(Date.now() + 2_000));
    await request.getByLabel('Scope').fill('Access control of the backup platform');
    await submit(page, request);
    const fileUrl = page.url();
    expect(await status(page)).toBe('requested');
    const schedule = form(page, /Schedules \(or moves\) it/);
    await schedule.getByLabel('Scheduled for (UTC)').fill(local(Date.now() + 3_000));
    await submit(page, schedule);
    expect(await status(page)).toBe('scheduled');
    const perform = form(page, /It was carried out/);
    await perform.getByLabel('Performed at (UTC)').fill(local(Date.now() + 4_000));
    await perform.getByLabel('Report ref').fill('AUD-77');
    await submit(page, perform);
    expect(await status(page)).toBe('performed');
    const finding = form(page, /A finding of the performed audit/);
    await finding.getByLabel('Summary').fill('Two former operators still hold backup keys');
    await finding.getByLabel('Remediation due at (UTC)').fill(local(Date.now() + 30 * 86_400_000));
    await submit(page, finding);
    // The finding's clock runs until it is remediated.
    expect(await page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'What is due' }) }).textContent()).toContain('Audit remediation');
    await check(page, 'audit-finding');
    const remediate = form(page, /The finding was remediated/);
    await remediate.getByLabel('Finding').selectOption({ index: 0 });
    await remediate.getByLabel('Remediated at (UTC)').fill(local(Date.now() + 5_000));
    await remediate.getByLabel('Summary').fill('Keys revoked and rotated');
    await submit(page, remediate);
    await submit(page, form(page, /Closes the audit once every finding is remediated/));
    expect(await status(page)).toBe('closed');
    const [audit] = await items('audits');
    expect(audit).toMatchObject({ id: fileUrl.split('/').at(-1), status: 'closed', kind: 'audit' });
    expect((audit.findings as { remediatedAt: string | null }[]).every((f) => f.remediatedAt !== null)).toBe(true);
  });

  it("the inbox is a worklist: controller and reference on each row, one incident's notices grouped, the controller's deadlines marked as theirs, filters, the overdue count in the navigation", async () => {
    const second = await stack.request('POST', '/contracts', { role: 'account_manager', body: { reference: 'DUTIES-2', controller: { name: 'Second Duties SAS', email: 'privacy@second-duties.example' }, billingPeriod: 'P1Y' } });
    secondId = second.body.id;
    await stack.request('POST', `/contracts/${secondId}/credentials`, { role: 'account_manager', body: { kind: 'sftp', host: 'sftp.second.example', username: 'deploy', secret: 'another-secret-value' } });
    // One incident over both contracts: once each notice is sent, the controller's 72 hours run.
    const incident = (await stack.request('POST', '/incidents', { role: 'dpo', body: { detectedAt: new Date().toISOString(), summary: 'Leaked backup credentials', scope: { contracts: [contractId, secondId] } } })).body.id as string;
    await stack.request('POST', `/incidents/${incident}/confirmation`, { role: 'dpo', body: { awareAt: new Date().toISOString() } });
    const authority = async () => ((await stack.request('GET', '/deadlines?kind=breach-notice-authority', { role: 'dpo' })).body.items as { whose: string }[]);
    await waitFor('both notices sent', async () => (await authority()).length === 2, { timeoutMs: 30_000, intervalMs: 300 });
    // The API says whose deadline it is too.
    expect((await authority()).map((i) => i.whose)).toEqual(['controller', 'controller']);
    // Ours, overdue: a DPIA help due in two seconds.
    const due = Date.now() + 2_000;
    expect((await stack.request('POST', `/contracts/${contractId}/assistance-requests`, { role: 'dpo', body: { kind: 'dpia', receivedAt: new Date().toISOString(), dueAt: new Date(due).toISOString(), summary: 'DPIA of the CRM' } })).status).toBe(201);
    await waitFor('past due', async () => Date.now() > due + 200, { timeoutMs: 10_000, intervalMs: 100 });
    const overdueOfOurs = ((await stack.request('GET', '/deadlines?overdue=true&limit=500', { role: 'dpo' })).body.items as { whose: string }[]).filter((i) => i.whose === 'processor').length;
    expect(overdueOfOurs).toBeGreaterThanOrEqual(1);

    const page = await signIn('dpo');
    await page.goto(`${api}/ui/contracts`);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: `${overdueOfOurs} overdue` }).count()).toBe(1);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    const rows = page.locator('tbody tr');
    const grouped = rows.filter({ hasText: `2 breach notices of incident ${incident.slice(0, 8)}` });
    expect(await grouped.count()).toBe(1);
    expect(await grouped.textContent()).toContain("the controller's");
    expect(await grouped.textContent()).toContain('Breach notice authority');
    const dpia = rows.filter({ hasText: 'Assistance request due' });
    expect(await dpia.textContent()).toContain('overdue');
    expect(await dpia.textContent()).toContain('Duties SAS');
    expect(await dpia.getByRole('link', { name: 'DUTIES-1' }).count()).toBe(1);
    expect(await dpia.textContent()).toContain('ours');
    await check(page, 'inbox-worklist');

    // By controller: only the second's clocks (its notice, no longer grouped, and its contract's term).
    const filter = page.getByRole('form', { name: 'Filter the inbox' });
    await filter.getByLabel('Controller').fill('second');
    await submit(page, filter);
    expect(await rows.count()).toBe(2);
    for (const row of await rows.all()) expect(await row.getByRole('link', { name: 'DUTIES-2' }).count()).toBe(1);
    expect(await rows.filter({ hasText: 'Breach notice authority' }).filter({ hasText: `breach notice (incident ${incident.slice(0, 8)})` }).count()).toBe(1);
    // By kind, overdue only: the DPIA help.
    await filter.getByLabel('Controller').fill('');
    await filter.getByLabel('What is due').selectOption({ label: 'Assistance request due' });
    await filter.getByLabel('Overdue only').check();
    await submit(page, filter);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('DUTIES-1');
    await rows.first().getByRole('link', { name: 'DPIA / consultation help' }).click();
    expect(await page.locator('h1').textContent()).toMatch(/^DPIA \/ consultation help [0-9a-f]{8}$/);
  });

  it("the processor's registers: the record of processing read a page at a time and downloaded whole as CSV; its DPO shown to the DPO, changed by an admin (bad input refused in place, nothing changed)", async () => {
    const dpo = await signIn('dpo');
    await dpo.goto(`${api}/ui/contracts`);
    await dpo.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Registers' }).click();
    expect(await dpo.locator('h1').textContent()).toBe('Record of processing');
    const rows = dpo.locator('tbody tr');
    expect(await rows.filter({ hasText: 'DUTIES-1' }).filter({ hasText: 'Duties SAS' }).count()).toBe(1);
    await check(dpo, 'processing-record');
    const [download] = await Promise.all([dpo.waitForEvent('download'), dpo.getByRole('link', { name: 'Download the whole record (CSV)' }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const lines = csv.trimEnd().split('\n');
    // The API's record, row for row.
    const record = (await stack.request('GET', '/processing-record?limit=500', { role: 'dpo' })).body as { items: { contractId: string }[] };
    expect(lines).toHaveLength(record.items.length + 1);
    for (const { contractId: id } of record.items) expect(csv).toContain(id);
    await dpo.getByRole('link', { name: "The processor's DPO" }).click();
    expect(await dpo.getByText('Only an admin may change the processor').count()).toBe(1);
    expect(await dpo.getByRole('form', { name: /Change the processor's DPO/ }).count()).toBe(0);

    const admin = await signIn('admin');
    await admin.goto(`${api}/ui/processor/dpo`);
    const change = form(admin, /Change the processor's DPO/);
    // No name: refused by the API's own checks, the error beside the field, what was typed kept.
    await change.getByLabel('Email').fill('dana@processor.example');
    await submit(admin, change);
    expect(await change.locator('.error').count()).toBeGreaterThan(0);
    expect(await change.getByLabel('Email').inputValue()).toBe('dana@processor.example');
    expect((await stack.request('GET', '/processor/dpo', { role: 'dpo' })).body).toMatchObject({ email: 'dpo@processor.example' });
    await change.getByLabel('Name').fill('Dana Officer');
    await submit(admin, change);
    expect(await admin.locator('dl.facts').textContent()).toContain('dana@processor.example');
    await check(admin, 'processor-dpo');
    await waitFor('every controller told', async () => (await stack.request('GET', '/processor/dpo', { role: 'dpo' })).body.communicatedAt !== null, { timeoutMs: 30_000, intervalMs: 300 });
    const after = (await stack.request('GET', '/processor/dpo', { role: 'dpo' })).body;
    expect(after).toMatchObject({ name: 'Dana Officer', email: 'dana@processor.example', source: 'admin' });
    await admin.reload();
    expect(await admin.locator('dl.facts').textContent()).toContain(`${after.controllersInformed},`);
    await trailFrom(admin, "processor's DPO", '/processor/dpo/events', 'processor-dpo');
  });

  it("the DPO's dashboard, where the DPO lands: what is overdue and due this week by kind, drawn and tabled; each list downloads as CSV", async () => {
    const page = await signIn('dpo');
    await page.goto(`${api}/ui/`);
    expect(new URL(page.url()).pathname).toBe('/ui/dashboard');
    const chart = page.getByRole('img', { name: /Clocks overdue \(red\) and due within seven days/ });
    expect(await chart.count()).toBe(1);
    const clocks = page.getByRole('region', { name: 'Overdue, and due this week' }).getByRole('table');
    // The API's inbox, counted here by kind: the table says the same.
    const open = (await stack.request('GET', '/deadlines?limit=500', { role: 'dpo' })).body.items as { kind: string; overdue: boolean; dueAt: string }[];
    const week = Date.now() + 7 * 86_400_000;
    const overdueDpia = open.filter((i) => i.kind === 'assistance-request-due' && i.overdue).length;
    expect(overdueDpia).toBeGreaterThanOrEqual(1);
    const dpiaRow = clocks.getByRole('row').filter({ hasText: 'Assistance request due' });
    expect((await dpiaRow.getByRole('cell').allTextContents()).slice(1)).toEqual(['ours', String(overdueDpia), String(open.filter((i) => i.kind === 'assistance-request-due' && !i.overdue && Date.parse(i.dueAt) < week).length)]);
    expect(await clocks.getByRole('row').filter({ hasText: 'Breach notice authority' }).textContent()).toContain("the controller's");
    // The incident the inbox test confirmed: open, both its notices sent.
    expect(await page.getByRole('region', { name: 'Open incidents' }).getByRole('row').filter({ hasText: 'Leaked backup credentials' }).textContent()).toContain('2 of 2');
    await check(page, 'dashboard');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('region', { name: 'Overdue, and due this week' }).getByRole('link', { name: 'Download as CSV' }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe('kind,whose,overdue,due_within_7_days');
    expect(csv).toContain(`assistance-request-due,processor,${overdueDpia},0`);
    expect(csv.some((l) => l.startsWith('breach-notice-authority,controller,'))).toBe(true);
  });

  it('incidents: one dismissed (no notice), another confirmed, updated and closed (its notices closed too)', async () => {
    const page = await signIn('dpo');
    const record = async (summary: string) => {
      const id = (await stack.request('POST', '/incidents', { role: 'dpo', body: { detectedAt: new Date().toISOString(), summary, scope: { contracts: [contractId] } } })).body.id as string;
      await page.goto(`${api}/ui/incidents`);
      await page.getByRole('link', { name: summary }).click();
      return id;
    };
    const dismissed = await record('Phishing mail reported, no click');
    const dismiss = form(page, /Dismiss: no personal data was breached/);
    await dismiss.getByLabel('Why it is not a personal data breach').fill('Nobody clicked; no account was reached');
    await dismiss.getByLabel(/I confirm/).check();
    await submit(page, dismiss);
    expect(await status(page)).toBe('dismissed');
    expect((await stack.request('GET', `/incidents/${dismissed}`, { role: 'dpo' })).body).toMatchObject({ status: 'dismissed' });

    const closed = await record('Backup bucket briefly public');
    const confirm = form(page, /Confirm: personal data was breached/);
    await confirm.getByLabel(/I confirm/).check();
    await submit(page, confirm);
    expect(await status(page)).toBe('confirmed');
    const update = form(page, /Send an update/);
    await update.getByLabel('Measures taken or proposed').fill('Bucket made private, access logs reviewed');
    await submit(page, update);
    const close = form(page, /Close the incident/);
    await close.getByLabel('How it ended').fill('No download beyond our own monitoring');
    await close.getByLabel(/I confirm/).check();
    await submit(page, close);
    expect(await status(page)).toBe('closed');
    await check(page, 'incident-closed');
    await trailFrom(page, 'incident', `/incidents/${closed}/events`, 'incident');
    const api_ = (await stack.request('GET', `/incidents/${closed}`, { role: 'dpo' })).body;
    expect(api_).toMatchObject({ status: 'closed', updates: [expect.objectContaining({ number: 1 })] });
    await waitFor('its notice closed', async () => ((await stack.request('GET', `/contracts/${contractId}/breach-notices`, { role: 'dpo' })).body.items as { incidentId: string; status: string }[]).some((n) => n.incidentId === closed && n.status === 'closed'), { timeoutMs: 30_000, intervalMs: 300 });
  });

  it('the roster: a person added, their undertaking and training recorded, authorised on a contract from its page, then revoked', async () => {
    const page = await signIn('dpo');
    await page.goto(`${api}/ui/processing-record`);
    await page.getByRole('navigation', { name: 'Registers' }).getByRole('link', { name: 'Roster of authorised persons' }).click();
    const register = form(page, /a person on the roster/);
    await register.getByLabel('Name').fill('Robin Operator');
    await register.getByLabel('Email').fill('robin@processor.example');
    await submit(page, register);
    const personUrl = page.url();
    expect(await page.locator('.status').first().textContent()).toBe('no confidentiality, no training');
    const sign = form(page, /The signed confidentiality undertaking/);
    await sign.getByLabel('Signed at (UTC)').fill(local(Date.now()));
    await submit(page, sign);
    const train = form(page, /A data-protection training/);
    await train.getByLabel('Completed at (UTC)').fill(local(Date.now()));
    await train.getByLabel('Course').fill('GDPR for operators');
    await submit(page, train);
    expect(await page.locator('.status').first().textContent()).toBe('cleared');
    // Its clock: the training lapses in a year, running.
    expect(await page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'What is due' }) }).textContent()).toContain('Training lapse');
    await check(page, 'roster-person');
    const staffId = personUrl.split('/').at(-1)!;
    await trailFrom(page, 'authorised person', `/staff/${staffId}/events`, 'person');

    await page.goto(contractUrl);
    const authorise = form(page, /Authorise a person on this contract/);
    await authorise.getByLabel('Person (cleared)').selectOption({ label: 'Robin Operator · robin@processor.example' });
    await submit(page, authorise);
    const persons = () => stack.request('GET', `/contracts/${contractId}/authorised-persons`, { role: 'dpo' }).then((r) => r.body.items as { staffId: string; authorisedUntil: string | null; cleared: boolean }[]);
    expect((await persons()).find((p) => p.staffId === staffId)).toMatchObject({ authorisedUntil: null, cleared: true });
    await page.goto(`${api}/ui/staff`);
    const row = page.locator('tbody tr').filter({ hasText: 'Robin Operator' });
    expect(await row.textContent()).toContain('cleared');
    expect(await row.getByRole('link', { name: 'DUTIES-1' }).getAttribute('href')).toBe(`/ui/contracts/${contractId}`);
    await check(page, 'roster');

    await page.goto(contractUrl);
    await submit(page, page.getByRole('form', { name: 'Revoke Robin Operator' }));
    expect((await persons()).find((p) => p.staffId === staffId)!.authorisedUntil).not.toBeNull();
  });

  it('a sub-processor change announced by the DPO, objected to for one contract by account management, in force for the other', async () => {
    const dpo = await signIn('dpo');
    await dpo.goto(`${api}/ui/processing-record`);
    await dpo.getByRole('navigation', { name: 'Registers' }).getByRole('link', { name: 'Sub-processors' }).click();
    const announce = form(dpo, /Announce a change/);
    await announce.getByLabel('Kind of change').selectOption('addition');
    await announce.getByLabel('Sub-processor').fill('Scaleway');
    await announce.getByLabel('Its role').fill('Backup storage');
    await announce.getByLabel('Its country').fill('France');
    await announce.getByLabel('New location id').fill('scw-par-2');
    await announce.getByLabel('New location name').fill('Scaleway PAR-2');
    await announce.getByLabel('New location kind').selectOption('backup');
    await announce.getByLabel('New location site').fill('Paris, France');
    await announce.getByLabel('In force from (UTC)').fill(local(Date.now() + 30_000));
    await submit(dpo, announce);
    const changeId = dpo.url().split('/').at(-1)!;
    expect(await status(dpo)).toMatch(/announced|notified/);
    await waitFor('both notices', async () => {
      await dpo.reload();
      return (await dpo.locator('tbody tr').count()) === 2;
    }, { timeoutMs: 20_000, intervalMs: 300 });
    await check(dpo, 'sub-processor-change');
    await trailFrom(dpo, 'sub-processor change', `/sub-processor-changes/${changeId}/events`, 'sub-processor-change');

    const manager = await signIn('account-manager');
    await manager.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sub-processors' }).click();
    await manager.getByRole('link', { name: /addition: Scaleway, Scaleway PAR-2/ }).click();
    const objection = manager.getByRole('form', { name: 'Object for Duties SAS' });
    await objection.getByLabel("The controller's reason").fill('Our policy keeps backups at sites we audited');
    await submit(manager, objection);
    expect(await manager.locator('tbody tr').filter({ hasText: 'DUTIES-1' }).textContent()).toContain('Our policy keeps backups at sites we audited');

    const notice = async (id: string) => (await stack.request('GET', `/contracts/${id}/sub-processor-changes/${changeId}`, { role: 'dpo' })).body as { status: string; keptBecause: string | null };
    await waitFor('in force', async () => (await stack.request('GET', `/sub-processor-changes/${changeId}`, { role: 'dpo' })).body.status === 'effective', { timeoutMs: 90_000, intervalMs: 500 });
    await waitFor('each notice settled', async () => (await notice(contractId)).status === 'kept' && ['applied', 'lapsed'].includes((await notice(secondContractId())).status), { timeoutMs: 30_000, intervalMs: 500 });
    expect(await notice(contractId)).toMatchObject({ status: 'kept', keptBecause: 'objection' });
    expect((await notice(secondContractId())).status).toBe('applied');
    await dpo.goto(`${api}/ui/sub-processors`);
    expect(await dpo.getByRole('table').first().textContent()).toContain('Scaleway PAR-2: Paris, France');
  });

  it("a controller's breach contact changed from its page, and the contact check confirmed through the emailed link and its button", async () => {
    const manager = await signIn('account-manager');
    await manager.goto(contractUrl);
    await manager.getByRole('link', { name: 'Duties SAS', exact: true }).click();
    expect(await manager.locator('h1').textContent()).toBe('Duties SAS');
    const prefs = form(manager, /a controller's preferences/);
    await prefs.getByLabel('Breach contact').fill('cert@duties.example');
    await prefs.getByLabel('Time zone').fill('Europe/Paris');
    await submit(manager, prefs);
    expect(await manager.locator('dl.facts').first().textContent()).toContain('cert@duties.example');
    const key = decodeURIComponent(new URL(manager.url()).pathname.split('/').at(-1)!);
    expect((await stack.request('GET', `/controllers/${encodeURIComponent(key)}`, { role: 'dpo' })).body).toMatchObject({ breachContact: 'cert@duties.example', timeZone: 'Europe/Paris' });

    // The new contact is asked: its email's link opens a page that changes nothing until its button is pressed.
    const mail = await stack.mail.waitFor((m) => m.to.includes('cert@duties.example') && m.subject.includes('confirm your contact'), 30_000);
    const link = new URL(/https?:\/\/\S+\/links\/\S+/.exec(mail.text)![0]);
    const browser2 = await signIn('dpo');
    await browser2.goto(`${api}${link.pathname}${link.search}`);
    const contactCheck = async () => (await stack.request('GET', `/controllers/${encodeURIComponent(key)}/contact-check`, { role: 'dpo' })).body as { status: string; contact: string };
    expect(await contactCheck()).toMatchObject({ status: 'awaiting', contact: 'cert@duties.example' });
    await Promise.all([browser2.waitForLoadState('load'), browser2.getByRole('button').click()]);
    await waitFor('confirmed', async () => (await contactCheck()).status === 'confirmed', { timeoutMs: 20_000, intervalMs: 300 });
    await manager.reload();
    expect(await manager.locator('.status').first().textContent()).toBe('confirmed');
    await check(manager, 'controller');
    // Account management sees no trail, and is refused one; the DPO has the record's and the check's.
    expect(await manager.getByRole('link', { name: /Audit trail/ }).count()).toBe(0);
    const controllerPage = manager.url();
    const refused = await manager.goto(`${api}/ui/files/controller/${randomUUID()}/trail`);
    expect(refused?.status()).toBe(403);
    await browser2.goto(controllerPage);
    await trailFrom(browser2, 'controller', `/controllers/${encodeURIComponent(key)}/events`, 'controller');
    await trailFrom(browser2, 'contact check', `/controllers/${encodeURIComponent(key)}/contact-check/events`, 'contact-check');
    // No trail for a file that is not there, for a contract's file by this way (it has its contract's), nor a way off these pages.
    expect((await browser2.goto(`${api}/ui/files/staff/${randomUUID()}/trail`))?.status()).toBe(404);
    expect((await browser2.goto(`${api}/ui/files/subject-request/${randomUUID()}/trail`))?.status()).toBe(404);
    expect((await browser2.goto(`${api}/ui/files/no-such-type/${randomUUID()}/trail`))?.status()).toBe(404);
    await browser2.goto(controllerPage);
    const trailPath = new URL((await browser2.getByRole('link', { name: 'Audit trail of this controller' }).getAttribute('href'))!, api).pathname;
    await browser2.goto(`${api}${trailPath}?back=${encodeURIComponent('https://elsewhere.example/ui/')}`);
    expect(await browser2.getByRole('link', { name: 'Back', exact: true }).getAttribute('href')).toBe('/ui/');
    await manager.goto(`${api}/ui/controllers`);
    expect(await manager.locator('tbody tr').filter({ hasText: 'Duties SAS' }).filter({ hasText: 'cert@duties.example' }).count()).toBe(1);
  });

  it('integrations, for an admin: an endpoint subscribed from the page (its secret shown once) receives signed events, its deliveries listed; an unmatched billing event mapped and replayed', async () => {
    // A billing event Stripe sent for a customer nobody mapped: unmatched.
    const contract = (await stack.request('GET', `/contracts/${contractId}`, { role: 'dpo' })).body;
    const end = new Date(contract.termEnd);
    end.setUTCMonth(end.getUTCMonth() + 1);
    const whole = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
    const period = { start: whole(Date.parse(contract.termEnd)), end: whole(end.getTime()) };
    const invoice = invoicePaid({ customer: stripeId('cus'), subscription: stripeId('sub'), billingReason: 'subscription_cycle', period, paidAt: whole(Date.now() + 1000) });
    const { body, signature } = signed(invoice);
    expect((await stack.request('POST', '/integrations/stripe/webhook', { role: null, raw: body, headers: { 'stripe-signature': signature } })).status).toBe(200);
    await waitFor('unmatched', async () => (await stack.request('GET', '/integrations/stripe/events?state=unmatched', { role: 'admin' })).body.items.some((e: { id: string }) => e.id === invoice.id), { timeoutMs: 20_000, intervalMs: 200 });

    // An endpoint of the provider's, which verifies each delivery with the secret the page showed.
    let secret = '';
    const received: string[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          new Webhook(secret).verify(text, { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) });
          received.push((JSON.parse(text) as { type: string }).type);
          res.writeHead(204).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

    const page = await signIn('admin');
    await page.getByRole('link', { name: 'Integrations' }).click();
    expect(await page.locator('h1').textContent()).toBe('Integrations');
    await check(page, 'integrations');
    // Refused in place, what was typed kept: no kind chosen.
    await page.getByLabel('URL').fill(receiverUrl);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Subscribe' }).click()]);
    expect(await page.getByRole('alert').textContent()).toContain('Choose at least one kind');
    expect(await page.getByLabel('URL').inputValue()).toBe(receiverUrl);
    await page.getByLabel('contract.ordered').check();
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Subscribe' }).click()]);
    secret = (await page.locator('code').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    const ordered = await stack.request('POST', '/contracts', { role: 'account_manager', body: { reference: 'DUTIES-HOOK', controller: { name: 'Hooked SAS', email: 'privacy@hooked.example' }, billingPeriod: 'P1Y' } });
    await waitFor('delivered', async () => received.includes('contract.ordered'), { timeoutMs: 20_000, intervalMs: 100 });
    await page.getByRole('link', { name: 'Back to integrations' }).click();
    const row = page.locator('tbody tr').filter({ hasText: receiverUrl });
    expect(await row.getByText('active').count()).toBe(1);
    await Promise.all([page.waitForLoadState('load'), row.getByRole('link', { name: 'Deliveries' }).click()]);
    expect(await page.locator('tbody tr').filter({ hasText: 'contract.ordered' }).filter({ hasText: 'delivered' }).filter({ hasText: 'answered 204' }).count()).toBeGreaterThanOrEqual(1);
    await check(page, 'integrations-deliveries');
    expect(ordered.status).toBe(201);

    // The unmatched billing event: its subscription mapped to the contract, and replayed into a renewal.
    await page.getByRole('link', { name: 'Back to integrations' }).click();
    const billing = page.locator('tbody tr').filter({ hasText: invoice.id });
    await billing.getByLabel('Contract id').fill(contractId);
    await Promise.all([page.waitForLoadState('load'), billing.getByRole('button', { name: 'Map and replay' }).click()]);
    expect(await page.locator('.notice').textContent()).toBe(`Event ${invoice.id} replayed: applied.`);
    expect((await stack.request('GET', `/contracts/${contractId}`, { role: 'dpo' })).body.termEnd).toBe(period.end);
    // The DPO has pages, not this one: no link to it, and 403.
    const dpo = await signIn('dpo');
    expect(await dpo.getByRole('link', { name: 'Integrations' }).count()).toBe(0);
    expect((await dpo.goto(`${api}/ui/integrations`))?.status()).toBe(403);
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });
});
