import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#infra/config/config';
import { waitFor } from '#infra/dev/processes';
import { linkUrl } from '#infra/links';
import { startStack, type Stack } from '../support/stack';

/**
 * DESIGN §3.10 (P8; EDPB Guidelines 9/2022) on the real stack — API, worker, Temporal, PostgreSQL,
 * SMTP: a controller's breach contact is asked at its first hand-over, by an email whose signed
 * link leads to a page that changes nothing until its button is pressed; the confirmation is
 * recorded once, as the controller's own act; used, replaced, expired and forged links record
 * nothing. (The reminder and the escalation, P14D and P30D later, are proven on the time-skipping
 * server: test/int/workflows/file-workflow.test.ts.)
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ ACCOUNT_MANAGEMENT_EMAIL: 'am@processor.example', LOG_LEVEL: 'info' });
});
afterAll(async () => stack?.stop());

// In English, or in French once the controller's record says so.
const asks = (to: string) => (m: { to: string[]; subject: string }) => m.to.includes(to) && /confirm your contact|confirmer votre contact/.test(m.subject);

/** The link in an email, on the API the test reaches (the worker writes PUBLIC_BASE_URL, here its default). */
function linkIn(text: string): string {
  const url = new URL(/https?:\/\/\S+\/links\/\S+/.exec(text)![0]);
  return `${stack.api.url}${url.pathname}${url.search}`;
}
const tokenOf = (link: string) => new URL(link).searchParams.get('t')!;
const post = (link: string, token = tokenOf(link)) => fetch(new URL(link).origin + new URL(link).pathname, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `t=${encodeURIComponent(token)}` });

async function handedOver(customerId: string, email: string): Promise<string> {
  const order = await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller: { name: `Client ${customerId}`, email, customerId }, billingPeriod: 'P1M' } });
  expect(order.status).toBe(201);
  const handOver = await stack.request('POST', `/contracts/${order.body.id}/credentials`, { role: 'account_manager', body: { kind: 'ssh', host: 'web.client.example', username: 'deploy', secret: 'a-secret-value' } });
  expect(handOver.status).toBe(200);
  return order.body.id;
}

const checkOf = async (key: string) => (await stack.request('GET', `/controllers/${key}/contact-check`, { role: 'dpo' })).body;
const trailOf = async (key: string) => (await stack.request('GET', `/controllers/${key}/contact-check/events`, { role: 'dpo' })).body.events as { type: string; metadata: { actor?: string } }[];

describe('contact checks (DESIGN §3.10)', () => {
  it("asks the controller's contact at its first hand-over; the link's page changes nothing, its button records the confirmation once", async () => {
    const contractId = await handedOver('CC-1', 'privacy@cc1.example');
    const mail = await stack.mail.waitFor(asks('privacy@cc1.example'));
    const link = linkIn(mail.text);
    expect(link).toContain('/links/contact-check/confirm?t=');
    await waitFor('the check awaiting', async () => (await checkOf('CC-1')).status === 'awaiting', { timeoutMs: 10_000, intervalMs: 100 });
    const awaiting = await checkOf('CC-1');
    expect(awaiting).toMatchObject({ key: 'customer:CC-1', contact: 'privacy@cc1.example', contracts: 1, round: { n: 1, confirmedAt: null } });

    // The inbox holds its clock, and the contract's page shows it (a DPO's browser session).
    const inbox = (await stack.request('GET', '/deadlines?kind=contact-unconfirmed', { role: 'dpo' })).body.items as { kind: string; dueAt: string }[];
    expect(inbox.map((i) => i.dueAt)).toContain(awaiting.round.confirmationDue);
    const cookie = randomBytes(32).toString('base64url');
    const db = new Client({ connectionString: stack.db.url });
    await db.connect();
    await db.query(`INSERT INTO ui_sessions (id_hash, subject_hash, role, csrf_token) VALUES ($1, 'e2e', 'dpo', 'x')`, [createHash('sha256').update(cookie).digest('hex')]);
    await db.end();
    const contractPage = await (await fetch(`${stack.api.url}/ui/contracts/${contractId}`, { headers: { cookie: `dpa_session=${cookie}` } })).text();
    expect(contractPage).toContain('contact check: contact unconfirmed');

    // Opening the link (as a mail scanner would) changes nothing; the page sends no referrer.
    const opened = await fetch(link);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('referrer-policy')).toBe('no-referrer');
    const pageText = await opened.text();
    expect(pageText).toContain('<button type="submit">Confirm this contact</button>');
    expect((await checkOf('CC-1')).status).toBe('awaiting');

    // A forged link: a clear page, nothing recorded.
    const token = tokenOf(link);
    const [kid, payload] = token.split('.');
    const forged = await post(link, `${kid}.${payload}.${'A'.repeat(43)}`);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('This link is not valid');

    const confirmed = await post(link);
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('your contact for data breaches is confirmed');
    const check = await checkOf('CC-1');
    expect(check).toMatchObject({ status: 'confirmed', round: { n: 1, confirmedBy: 'privacy@cc1.example' } });
    expect(Date.now() - Date.parse(check.round.confirmedAt)).toBeLessThan(60_000);
    // Recorded as the controller's own act, through its link.
    const trail = await trailOf('CC-1');
    expect(trail.filter((e) => e.type === 'ContactConfirmed').map((e) => e.metadata.actor)).toEqual(['controller']);
    expect((await stack.request('GET', '/deadlines?kind=contact-unconfirmed', { role: 'dpo' })).body.items.map((i: { dueAt: string }) => i.dueAt)).not.toContain(awaiting.round.confirmationDue);

    // Used: the page says so, and a second press records nothing.
    expect(await (await fetch(link)).text()).toContain('Already done');
    const again = await post(link);
    expect(await again.text()).toContain('Already done');
    expect((await trailOf('CC-1')).filter((e) => e.type === 'ContactConfirmed')).toHaveLength(1);
    // The token is in no log line of the API or the worker: it rides in the query string, and the API logs paths only.
    const logged = [...stack.apis, ...stack.workers].flatMap((p) => p.lines);
    expect(logged.filter((line) => line.includes('request completed')).length).toBeGreaterThan(5);
    expect(logged.filter((line) => line.includes(payload!) || line.includes(token))).toEqual([]);
  });

  it('a resend replaces the link; a new breach contact is asked at once; an expired link records nothing', async () => {
    await handedOver('CC-2', 'privacy@cc2.example');
    const first = linkIn((await stack.mail.waitFor(asks('privacy@cc2.example'))).text);
    await waitFor('the check awaiting', async () => (await checkOf('CC-2')).status === 'awaiting', { timeoutMs: 10_000, intervalMs: 100 });

    expect((await stack.request('POST', '/controllers/CC-2/contact-check/resend', { role: 'billing' })).status).toBe(403);
    const resent = await stack.request('POST', '/controllers/CC-2/contact-check/resend', { role: 'account_manager' });
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    expect(resent.body.round.n).toBe(2);
    const second = linkIn((await stack.mail.waitFor((m) => asks('privacy@cc2.example')(m) && linkIn(m.text) !== first)).text);
    const stale = await post(first);
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('This link was replaced');
    expect((await checkOf('CC-2')).status).toBe('awaiting');

    // The controller names a breach contact: it is asked at once.
    const put = await stack.request('PUT', '/controllers/CC-2', { role: 'account_manager', body: { breachContact: 'cert@cc2.example', locale: 'fr', timeZone: 'Europe/Paris' } });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    expect(put.body).toMatchObject({ key: 'customer:CC-2', customerId: 'CC-2', breachContact: 'cert@cc2.example', locale: 'fr', timeZone: 'Europe/Paris' });
    const certMail = await stack.mail.waitFor(asks('cert@cc2.example'));
    // Asked in the controller's language, its due date in its time zone beside UTC.
    expect(certMail.subject).toMatch(/^Merci de confirmer votre contact pour les violations de données/);
    expect(certMail.text).toContain('Europe/Paris (');
    const cert = linkIn(certMail.text);
    await waitFor('the new contact asked', async () => (await checkOf('CC-2')).round?.contact === 'cert@cc2.example', { timeoutMs: 10_000, intervalMs: 100 });
    expect((await post(second)).status).toBe(409);
    expect((await post(cert)).status).toBe(200);
    expect(await checkOf('CC-2')).toMatchObject({ status: 'confirmed', round: { confirmedBy: 'cert@cc2.example' } });

    // A link past its TTL (signed with the same development key, issued long ago): the page says so.
    const check = await checkOf('CC-2');
    const expired = linkUrl({ type: 'contact-check', command: 'confirm', id: check.id, body: { round: check.round.n }, issuedAt: '2020-01-01T00:00:00.000Z' }, { ...loadConfig({}).links, baseUrl: stack.api.url });
    const gone = await fetch(expired);
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain('This link has expired');
  });

  it('PUT /controllers refuses an unknown controller and bad preferences with a clear 4xx, and lists what it recorded', async () => {
    expect((await stack.request('PUT', '/controllers/nobody-here', { role: 'dpo', body: {} })).body.error.code).toBe('controller.unknown');
    await handedOver('CC-3', 'privacy@cc3.example');
    for (const [body, field] of [
      [{ locale: 'de' }, 'locale'],
      [{ timeZone: 'Mars/Olympus' }, null],
      [{ breachContact: 'not an address' }, null],
      [{ stripeCustomerId: 'acct_1' }, 'stripeCustomerId'],
      [{ termEnd: '2030-01-01T00:00:00Z' }, 'termEnd'],
    ] as [Record<string, unknown>, string | null][]) {
      const answer = await stack.request('PUT', '/controllers/CC-3', { role: 'dpo', body });
      expect([400, 422], JSON.stringify(body)).toContain(answer.status);
      expect(answer.body.error.message).toEqual(expect.any(String));
      if (field && answer.status === 400) expect(JSON.stringify(answer.body.error.details)).toContain(field);
    }
    expect((await stack.request('GET', '/controllers/CC-3', { role: 'dpo' })).status).toBe(404);
    expect((await stack.request('PUT', '/controllers/CC-3', { role: 'billing', body: {} })).status).toBe(403);
    expect((await stack.request('PUT', '/controllers/customer:CC-3', { role: 'dpo', body: { stripeCustomerId: 'cus_Nffr' } })).status).toBe(201);
    expect((await stack.request('PUT', '/controllers/CC-3', { role: 'dpo', body: { stripeCustomerId: 'cus_Nffr' } })).status).toBe(200);
    const list = (await stack.request('GET', '/controllers', { role: 'billing' })).body.items as { key: string }[];
    expect(list.map((c) => c.key)).toContain('customer:CC-3');
    expect((await stack.request('GET', '/controllers/customer:CC-3/events/verify', { role: 'dpo' })).body).toEqual({ valid: true });
  });
});
