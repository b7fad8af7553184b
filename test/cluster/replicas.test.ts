import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, ensureChromium } from '#infra/dev/debian-packages';
import { freePort, waitFor } from '#infra/dev/processes';
import { startOidcProvider } from '../support/oidc';
import { scrape, type Scrape } from '../support/prometheus';
import { KEYS, startStack, type Stack } from '../support/stack';

/**
 * DESIGN §5 under replicas (npm run test:cluster: a Temporal cluster on PostgreSQL, two APIs and
 * two workers sharing one database and task queue).
 */
let stack: Stack;
let oidc: Awaited<ReturnType<typeof startOidcProvider>>;
let first: string;

beforeAll(async () => {
  const port = await freePort();
  first = `http://127.0.0.1:${port}`;
  oidc = await startOidcProvider(`${first}/ui/callback`);
  stack = await startStack({ PORT: String(port), OIDC_ISSUER: oidc.issuer, UI_BASE_URL: first });
  if (stack.apis.length < 2 || stack.workers.length < 2) throw new Error('the replica tests need DPA_TEST_REPLICAS=2 (npm run test:cluster sets it)');
});
afterAll(async () => {
  await stack?.stop();
  await oidc?.stop();
});

const controller = (n: number | string) => ({ name: `Replica ${n} SAS`, email: `privacy-${n}@replica.example` });
const order = (reference: string, n: number | string) => ({ reference, controller: controller(n), billingPeriod: 'P1M' });

/** One request to one API, by its URL; a connection cut short is `status: 0`. */
async function call(api: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}, role: keyof typeof KEYS = 'account_manager') {
  try {
    const res = await fetch(`${api}${url}`, {
      method,
      headers: { authorization: `Bearer ${KEYS[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
  } catch {
    return { status: 0, body: null };
  }
}

/** Every contract in the store, through the API's cursor paging. */
async function allContracts(api: string): Promise<{ id: string; reference: string | null; status: string }[]> {
  const out: { id: string; reference: string | null; status: string }[] = [];
  let cursor: string | null = null;
  do {
    const page = await call(api, 'GET', `/contracts?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, {}, 'dpo');
    expect(page.status).toBe(200);
    out.push(...page.body.items);
    cursor = page.body.nextCursor ?? null;
  } while (cursor);
  return out;
}

/** A counter's total over all its label sets. */
function sumOf(scraped: Scrape, name: string): number {
  const lines = scraped.text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return lines.reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

describe('two APIs and two workers on one Temporal cluster', () => {
  it('an Idempotency-Key retried against the other API answers the first answer, and orders once', async () => {
    const key = randomUUID();
    const body = order(`IDEM-${key.slice(0, 8)}`, 'idem');
    const [a, b] = stack.apis.map((x) => x.url) as [string, string];
    const answered = await call(a, 'POST', '/contracts', body, { 'idempotency-key': key });
    expect(answered.status).toBe(201);
    const retried = await call(b, 'POST', '/contracts', body, { 'idempotency-key': key });
    expect(retried).toEqual(answered);
    // The same key with another body is refused by either API.
    expect((await call(b, 'POST', '/contracts', { ...body, billingPeriod: 'P1Y' }, { 'idempotency-key': key })).body.error.code).toBe('idempotency_key_reused');
    expect((await allContracts(b)).filter((c) => c.reference === body.reference)).toHaveLength(1);
  });

  it('with two workers dispatching the outbox, every email is sent once', async () => {
    const N = 12;
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const api = stack.apis[i % 2]!.url;
      const ordered = await call(api, 'POST', '/contracts', order(`MAIL-${i}`, `mail-${i}`));
      expect(ordered.status).toBe(201);
      ids.push(ordered.body.id);
      expect((await call(api, 'POST', `/contracts/${ordered.body.id}/credentials`, { kind: 'sftp', host: 'h.example', username: 'u', secret: 'replica-secret' })).status).toBe(200);
      expect((await call(stack.apis[(i + 1) % 2]!.url, 'POST', `/contracts/${ordered.body.id}/termination`, { reason: 'replica test' })).status).toBe(200);
    }
    await waitFor('every certificate', async () => ids.every((id) => stack.mail.messages.some((m) => m.messageId === `<${id}.certificate@dpa-engine>`)), { timeoutMs: 180_000, intervalMs: 500 });
    // Drained: every row of the outbox sent, and each worker's own count of what it sent.
    const db = new PgClient({ connectionString: stack.db.url });
    await db.connect();
    let rows = 0;
    try {
      await waitFor('the outbox drained', async () => Number((await db.query("SELECT count(*) FILTER (WHERE status <> 'sent') AS open FROM outbox")).rows[0].open) === 0, { timeoutMs: 60_000, intervalMs: 250 });
      rows = Number((await db.query('SELECT count(*) AS n FROM outbox')).rows[0].n);
    } finally {
      await db.end();
    }
    const sentBy = await Promise.all(stack.workers.map(async (w) => sumOf(await scrape(`${w.url}/metrics`), 'dpa_emails_sent_total')));
    console.log(`emails sent by each worker: ${sentBy.join(', ')} (of ${rows} outbox rows)`);
    // Once each: as many deliveries (counted by the senders) as rows, as many messages caught as rows, no Message-ID twice.
    expect(sentBy.reduce((a, b) => a + b, 0)).toBe(rows);
    expect(stack.mail.messages).toHaveLength(rows);
    expect(new Set(stack.mail.messages.map((m) => m.messageId)).size).toBe(rows);
    expect(stack.mail.messages.filter((m) => ids.some((id) => m.messageId === `<${id}.certificate@dpa-engine>`))).toHaveLength(N);
  });

  it('a browser session made on one API is honoured by the other (sessions live in PostgreSQL), and a sign-out on the other ends it', async () => {
    ensureChromium((line) => console.log(line));
    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${first}/ui/contracts`);
      await page.waitForURL((u) => u.href.startsWith(oidc.issuer));
      await page.fill('input[name=login]', 'dpo');
      await page.fill('input[name=password]', 'any password');
      await Promise.all([page.waitForURL((u) => u.href.startsWith(first)), page.click('button[type=submit]')]);
      expect(await page.locator('h1').textContent()).toBe('Contracts');
      // Cookies are per host, not per port: the other API on 127.0.0.1 gets the same session cookie.
      const other = stack.apis[1]!.url;
      const seen = await page.goto(`${other}/ui/inbox`);
      expect(seen!.status()).toBe(200);
      expect(page.url()).toBe(`${other}/ui/inbox`);
      expect(await page.locator('header').textContent()).toContain('dpo');
      await Promise.all([page.waitForLoadState(), page.click('header form[action="/ui/logout"] button')]);
      const after = await page.request.get(`${first}/ui/contracts`, { maxRedirects: 0 });
      expect(after.status()).toBe(303);
    } finally {
      await browser.close();
    }
  });

  it('a SIGKILL of one worker and one API during a burst loses no accepted command and duplicates none', async () => {
    const N = 40;
    const keys = Array.from({ length: N }, () => randomUUID());
    const accepted = new Map<string, string>();
    const [survivor, doomed] = stack.apis.map((a) => a.url) as [string, string];
    let sent = 0;
    const send = async (i: number) => {
      const body = order(`BURST-${i}`, `burst-${i}`);
      // Alternate APIs; a request the dead API never answered is retried, with its key, on the other.
      let answer = await call(i % 2 ? doomed : survivor, 'POST', '/contracts', body, { 'idempotency-key': keys[i]! });
      sent++;
      // A retry of an order that reached the engine before its API died finds the contract: 200, the same one.
      while (answer.status !== 201 && !(answer.status === 200 && answer.body?.reference === body.reference)) {
        // Cut short (0), or the key still held by the request the dead API was answering (409, until it counts as abandoned).
        const retryable = answer.status === 0 || answer.status === 503 || (answer.status === 409 && answer.body?.error?.code === 'idempotency_key_in_progress');
        if (!retryable) throw new Error(`BURST-${i}: ${answer.status} ${JSON.stringify(answer.body)}`);
        await new Promise((r) => setTimeout(r, 500));
        answer = await call(survivor, 'POST', '/contracts', body, { 'idempotency-key': keys[i]! });
      }
      accepted.set(keys[i]!, answer.body.id);
    };
    const burst = Promise.all(Array.from({ length: N }, (_, i) => new Promise((r) => setTimeout(r, i * 50)).then(() => send(i))));
    await waitFor('a quarter of the burst', async () => sent >= N / 4, { timeoutMs: 60_000, intervalMs: 20 });
    stack.workers[0]!.child.kill('SIGKILL');
    stack.apis[1]!.child.kill('SIGKILL');
    await burst;
    expect(await stack.workers[0]!.exited).toBeNull();

    expect(accepted.size).toBe(N);
    expect(new Set(accepted.values()).size).toBe(N);
    const stored = (await allContracts(survivor)).filter((c) => c.reference?.startsWith('BURST-'));
    expect(stored.map((c) => c.reference).sort()).toEqual(Array.from({ length: N }, (_, i) => `BURST-${i}`).sort());
    expect(stored.map((c) => c.id).sort()).toEqual([...accepted.values()].sort());
    // Each stream holds its order once, and its hash chain verifies.
    for (const id of accepted.values()) {
      const events = await call(survivor, 'GET', `/contracts/${id}/events`, undefined, {}, 'dpo');
      expect(events.body.events.filter((e: { type: string }) => e.type === 'ContractOrdered')).toHaveLength(1);
      expect((await call(survivor, 'GET', `/contracts/${id}/events/verify`, undefined, {}, 'dpo')).body).toMatchObject({ valid: true });
    }
  });
});
