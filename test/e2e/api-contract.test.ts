import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type RoleName, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

const controller = { name: 'Acme SAS', email: 'privacy@acme.example' };
const order = (extra: Record<string, unknown> = {}) =>
  stack.request('POST', '/contracts', { role: 'account_manager', body: { controller, billingPeriod: 'P1M', ...extra } });
const orderedId = async (extra: Record<string, unknown> = {}) => {
  const res = await order(extra);
  expect(res.status).toBe(201);
  return res.body.id as string;
};
const handOver = (id: string, role: RoleName = 'account_manager') =>
  stack.request('POST', `/contracts/${id}/credentials`, { role, body: { kind: 'ssh', host: 'web-1.acme.example', username: 'root', secret: 'hunter2-hunter2' } });
const activeContract = async (extra: Record<string, unknown> = {}) => {
  const id = await orderedId(extra);
  const res = await handOver(id);
  expect(res.status).toBe(200);
  return { id, termEnd: res.body.termEnd as string };
};
const renewal = (termEnd: string, invoiceId = `inv-${randomUUID()}`, months = 1) => {
  const end = new Date(termEnd);
  end.setUTCMonth(end.getUTCMonth() + months);
  return { invoiceId, coveredPeriod: { start: termEnd, end: end.toISOString() }, acceptedAt: new Date().toISOString() };
};

function expectError(res: { status: number; body: { error?: { code: string; message: string } } }, status: number, code?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error?.message).toEqual(expect.any(String));
  if (code) expect(res.body.error?.code).toBe(code);
}

describe('authentication and roles', () => {
  it('401 without a key or with an unknown one, 403 for a role the route does not allow', async () => {
    expectError(await stack.request('GET', '/contracts', { role: null }), 401, 'unauthenticated');
    expectError(await stack.request('GET', '/contracts', { key: 'dpa_AAAAAAAA_not-a-real-key-not-a-real-key-not-a-real' }), 401, 'unauthenticated');
    expectError(await stack.request('GET', '/contracts', { role: null, headers: { authorization: 'Basic abc' } }), 401);
    expectError(await stack.request('POST', '/contracts', { role: 'billing', body: { controller, billingPeriod: 'P1M' } }), 403, 'forbidden');
    const { id } = await activeContract();
    expectError(await stack.request('GET', `/contracts/${id}/events`, { role: 'account_manager' }), 403);
    expectError(await stack.request('GET', `/contracts/${id}/events`, { role: 'billing' }), 403);
    expectError(await stack.request('POST', `/contracts/${id}/renewals`, { role: 'account_manager', body: renewal(new Date().toISOString()) }), 403);
    expectError(await stack.request('POST', `/contracts/${id}/non-renewal`, { role: 'dpo', body: {} }), 403);
    expectError(await stack.request('POST', '/admin/api-keys', { role: 'dpo', body: { name: 'x', role: 'billing' } }), 403);
  });

  it('API keys are created and revoked by an admin, stored hashed, and take effect at once', async () => {
    const created = await stack.request('POST', '/admin/api-keys', { role: 'admin', body: { name: 'billing system', role: 'billing' } });
    expect(created.status).toBe(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^dpa_/);
    const db = new Client({ connectionString: stack.db.url });
    await db.connect();
    const stored = JSON.stringify((await db.query('SELECT * FROM api_keys')).rows);
    await db.end();
    expect(stored).not.toContain(key);
    expect(stored).toContain(createHash('sha256').update(key).digest('hex'));
    const { id, termEnd } = await activeContract();
    const renewed = await stack.request('POST', `/contracts/${id}/renewals`, { key, body: renewal(termEnd) });
    expect(renewed.status, stack.api.lines.slice(-5).join('\n')).toBe(200);
    expectError(await stack.request('POST', '/contracts', { key, body: { controller, billingPeriod: 'P1M' } }), 403);
    const listed = await stack.request('GET', '/admin/api-keys', { role: 'admin' });
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(listed.body.items.find((k: { id: string }) => k.id === created.body.apiKey.id)).toMatchObject({ role: 'billing', revokedAt: null });
    // Paged like every list: limit and cursor walk every key once, oldest first.
    for (let i = 0; i < 3; i++) expect((await stack.request('POST', '/admin/api-keys', { role: 'admin', body: { name: `paged ${i}`, role: 'billing' } })).status).toBe(201);
    const all = (await stack.request('GET', '/admin/api-keys?limit=500', { role: 'admin' })).body as { items: { id: string }[]; nextCursor: string | null };
    expect(all.nextCursor).toBeNull();
    const walked: string[] = [];
    for (let cursor: string | null = null, pages = 0; ; pages++) {
      expect(pages).toBeLessThan(all.items.length);
      const page = (await stack.request('GET', `/admin/api-keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { role: 'admin' })).body as typeof all;
      expect(page.items.length).toBeLessThanOrEqual(2);
      walked.push(...page.items.map((k) => k.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(walked).toEqual(all.items.map((k) => k.id));
    expect(all.items.length).toBeGreaterThanOrEqual(4);
    // A cursor it did not write, or one that names an instant PostgreSQL would reject: 400, never a 500.
    const forged = (fields: unknown[]) => Buffer.from(JSON.stringify(fields)).toString('base64url');
    const someId = all.items[0]!.id;
    for (const cursor of ['bm9wZQ', forged(['2027-02-30T00:00:00.000000Z', someId]), forged(['0000-01-01T00:00:00.000000Z', someId]), forged(['2027-01-01 00:00:00+99', someId]), forged(['2027-01-01T00:00:00.000000Z', 'x'])]) {
      expectError(await stack.request('GET', `/admin/api-keys?cursor=${cursor}`, { role: 'admin' }), 400, 'invalid_cursor');
    }
    expect((await stack.request('DELETE', `/admin/api-keys/${created.body.apiKey.id}`, { role: 'admin' })).status).toBe(200);
    expectError(await stack.request('GET', '/contracts', { key }), 401);
    expectError(await stack.request('DELETE', `/admin/api-keys/${randomUUID()}`, { role: 'admin' }), 404);
    expectError(await stack.request('DELETE', '/admin/api-keys/nope', { role: 'admin' }), 400, 'invalid_id');
  });
});

describe('POST /contracts', () => {
  it('400 for malformed JSON, unknown fields, wrong types and formats — listing every field problem', async () => {
    expectError(await stack.request('POST', '/contracts', { role: 'account_manager', raw: '{"controller": ' }), 400, 'malformed_json');
    // A lone surrogate escape is valid JSON but no text (found by the fuzz test: a 500 from PUT /processor/dpo).
    expectError(await stack.request('POST', '/contracts', { role: 'account_manager', raw: '{"controller": {"name": "\\ud800", "email": "a@b.example"}, "billingPeriod": "P1M"}' }), 400, 'malformed_text');
    expectError(await stack.request('PUT', '/processor/dpo', { role: 'admin', raw: '{"name": 0, "email": "\\ud800"}' }), 400, 'malformed_text');
    expectError(await stack.request('PUT', '/processor/dpo', { role: 'admin', raw: '{"\\udc00": "x"}' }), 400, 'malformed_text');
    const unknownField = await order({ discount: 10 });
    expectError(unknownField, 400, 'validation_failed');
    expect(unknownField.body.error.details.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'discount' })]));
    const bad = await stack.request('POST', '/contracts', {
      role: 'account_manager',
      body: { controller: { name: '', email: 'not-an-email', extra: true }, billingPeriod: 'one month', reference: 'x'.repeat(101), returnWindow: 14 },
    });
    expectError(bad, 400, 'validation_failed');
    const fields = bad.body.error.details.fields.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['controller.name', 'controller.email', 'controller.extra', 'billingPeriod', 'reference', 'returnWindow']));
    expectError(await stack.request('POST', '/contracts', { role: 'account_manager', body: [] }), 400);
    expectError(await order({ controller: { ...controller, name: 'Acme\u0000SAS' } }), 400, 'validation_failed');
    expectError(await stack.request('POST', '/contracts', { role: 'account_manager', body: { billingPeriod: 'P1M' } }), 400);
  });

  it('422 when a rule refuses a well-formed order: catalog widening (DESIGN §4), a return window reaching the deadline (L9)', async () => {
    expectError(await order({ catalog: { storageLocations: ['mars-base-1'] } }), 422, 'catalog.widening');
    expectError(await order({ returnWindow: 'P2M' }), 422, 'contract.return_window_too_long');
  });

  it('a reference repeated by its controller with the same terms returns the first contract (201, then 200); with other terms it is a 409', async () => {
    const reference = `REF-${randomUUID()}`;
    const first = await order({ reference });
    expect(first.status).toBe(201);
    // Trimmed and case-folded, the same reference: the same contract.
    const again = await order({ reference: `${reference.toLowerCase()}  ` });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const otherTerms = await order({ reference, billingPeriod: 'P1Y' });
    expectError(otherTerms, 409, 'contract.reference_conflict');
    expect(otherTerms.body.error.details).toEqual({ differs: ['billingPeriod'] });
    const stored = await stack.request('GET', `/contracts/${first.body.id}`, { role: 'dpo' });
    expect(stored.body.billingPeriod).toBe('P1M');
  });

  it('two controllers using the same reference get two contracts, neither seeing the other', async () => {
    const reference = `ACME-${randomUUID().slice(0, 8)}`;
    const mine = await order({ reference });
    const theirs = await stack.request('POST', '/contracts', { role: 'account_manager', body: { reference, controller: { name: 'Other Co', email: 'dpo@other.example' }, billingPeriod: 'P1M' } });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(JSON.stringify(theirs.body)).not.toContain('privacy@acme.example');
    // A customer id is the controller's identity: the same email under another customer id is another controller,
    // and an order without a customer id is identified by its email, not by any customer id.
    const byCustomer = (customerId?: string) =>
      stack.request('POST', '/contracts', { role: 'account_manager', body: { reference, controller: { ...(customerId ? { customerId } : {}), name: 'Acme SAS', email: 'privacy@acme.example' }, billingPeriod: 'P1M' } });
    const c1 = await byCustomer('C-1');
    const c2 = await byCustomer('C-2');
    expect([c1.status, c2.status]).toEqual([201, 201]);
    expect(new Set([mine.body.id, c1.body.id, c2.body.id]).size).toBe(3);
    expect((await byCustomer('C-1')).body.id).toBe(c1.body.id);
  });

  it('narrows the catalog, and serves the contract’s record of processing', async () => {
    const id = await orderedId({ catalog: { storageLocations: ['web-platform', 'ovh-gra-1'], dataCategories: ['email-address'] } });
    const record = await stack.request('GET', `/contracts/${id}/processing-record`, { role: 'dpo' });
    expect(record.status).toBe(200);
    expect(record.body.storageLocations.map((l: { id: string }) => l.id)).toEqual(['web-platform', 'ovh-gra-1']);
    expect(record.body.dataCategories.map((c: { id: string }) => c.id)).toEqual(['email-address']);
    expect(record.body.natureOfOperations).toBe('IT services');
  });
});

describe('reads', () => {
  it('GET /contracts/{id}: 400 for a malformed id, 404 for an unknown one', async () => {
    expectError(await stack.request('GET', '/contracts/not-a-uuid', { role: 'dpo' }), 400, 'invalid_id');
    expectError(await stack.request('GET', `/contracts/${randomUUID()}`, { role: 'dpo' }), 404, 'not_found');
    expectError(await stack.request('GET', `/contracts/${randomUUID()}/events`, { role: 'dpo' }), 404);
    expectError(await stack.request('GET', `/contracts/${randomUUID()}/destruction`, { role: 'dpo' }), 404);
    // A command to a contract no workflow owns is answered from the stored state: none, so 404.
    expectError(await stack.request('POST', `/contracts/${randomUUID()}/termination`, { role: 'account_manager', body: { reason: 'none' } }), 404, 'not_found');
  });

  it('GET /contracts filters by status, controller, term end and pages with a cursor', async () => {
    const name = `Filter Co ${randomUUID().slice(0, 8)}`;
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const res = await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller: { name, email: `p${i}@filter.example` }, billingPeriod: 'P1M' } });
      ids.push(res.body.id as string);
    }
    await handOver(ids[0]!);
    await handOver(ids[1]!);
    const byName = await stack.request('GET', `/contracts?controller=${encodeURIComponent(name.toUpperCase())}&limit=2`, { role: 'dpo' });
    expect(byName.status).toBe(200);
    expect(byName.body.items).toHaveLength(2);
    const seen = [...byName.body.items.map((c: { id: string }) => c.id)];
    let cursor = byName.body.nextCursor;
    while (cursor) {
      const page = await stack.request('GET', `/contracts?controller=${encodeURIComponent(name)}&limit=2&cursor=${cursor}`, { role: 'dpo' });
      seen.push(...page.body.items.map((c: { id: string }) => c.id));
      cursor = page.body.nextCursor;
    }
    expect(seen).toEqual(ids);
    const active = await stack.request('GET', `/contracts?status=active&controller=${encodeURIComponent(name)}`, { role: 'dpo' });
    expect(active.body.items.map((c: { id: string }) => c.id)).toEqual(ids.slice(0, 2));
    const byEmail = await stack.request('GET', `/contracts?controller=p3@filter.example`, { role: 'billing' });
    expect(byEmail.body.items.map((c: { id: string }) => c.id)).toEqual([ids[3]]);
    const soon = new Date(Date.now() + 40 * 86_400_000).toISOString();
    const ending = await stack.request('GET', `/contracts?termEndsBefore=${soon}&controller=${encodeURIComponent(name)}`, { role: 'dpo' });
    expect(ending.body.items.map((c: { id: string }) => c.id)).toEqual(ids.slice(0, 2));
    const wildcard = await stack.request('GET', `/contracts?controller=${encodeURIComponent('%')}`, { role: 'dpo' });
    expect(wildcard.body.items).toEqual([]);
    expectError(await stack.request('GET', '/contracts?cursor=garbage', { role: 'dpo' }), 400, 'invalid_cursor');
    expectError(await stack.request('GET', '/contracts?limit=501', { role: 'dpo' }), 400);
    expectError(await stack.request('GET', '/contracts?status=paused', { role: 'dpo' }), 400);
    expectError(await stack.request('GET', '/contracts?termEndsBefore=tomorrow', { role: 'dpo' }), 400);
    expectError(await stack.request('GET', '/contracts?sort=name', { role: 'dpo' }), 400);
  });
});

describe('commands', () => {
  it('hand-over: 400 without a secret, 409 on a cancelled contract; the secret is never returned', async () => {
    const id = await orderedId();
    expectError(await stack.request('POST', `/contracts/${id}/credentials`, { role: 'account_manager', body: { kind: 'ssh', host: 'h', username: 'u' } }), 400);
    expectError(await stack.request('POST', `/contracts/${randomUUID()}/credentials`, { role: 'account_manager', body: { kind: 'ssh', host: 'h', username: 'u', secret: 's' } }), 404);
    expect((await stack.request('POST', `/contracts/${id}/cancellation`, { role: 'account_manager', body: { reason: 'client withdrew' } })).status).toBe(200);
    expectError(await handOver(id), 409);
  });

  it('renewals: 409 before hand-over, 422 for a gap (L4), idempotent per invoice (L3)', async () => {
    const ordered = await orderedId();
    expectError(await stack.request('POST', `/contracts/${ordered}/renewals`, { role: 'billing', body: renewal(new Date().toISOString()) }), 409);
    const { id, termEnd } = await activeContract();
    const gapStart = new Date(Date.parse(termEnd) + 86_400_000).toISOString();
    const gap = await stack.request('POST', `/contracts/${id}/renewals`, { role: 'billing', body: { ...renewal(gapStart), invoiceId: 'gap' } });
    expectError(gap, 422, 'renewal.gap');
    expect(gap.body.error.message).toContain('gap');
    expectError(await stack.request('POST', `/contracts/${id}/renewals`, { role: 'billing', body: { ...renewal(termEnd), acceptedAt: 'yesterday' } }), 400);
    const body = renewal(termEnd, 'inv-once');
    const first = await stack.request('POST', `/contracts/${id}/renewals`, { role: 'billing', body });
    const again = await stack.request('POST', `/contracts/${id}/renewals`, { role: 'billing', body });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.termEnd).toBe(first.body.termEnd);
    expect(again.body.renewals).toHaveLength(1);
    expectError(await stack.request('POST', `/contracts/${id}/renewals`, { role: 'billing', body: renewal(first.body.termEnd, 'inv-once') }), 409, 'renewal.invoice_conflict');
  });

  it('50 concurrent acceptances of one invoice extend the term once', async () => {
    const { id, termEnd } = await activeContract();
    const body = renewal(termEnd, 'inv-concurrent');
    const answers = await Promise.all(Array.from({ length: 50 }, () => stack.request('POST', `/contracts/${id}/renewals`, { role: 'billing', body })));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((a) => a.body.termEnd))).toEqual(new Set([body.coveredPeriod.end]));
    const events = await stack.request('GET', `/contracts/${id}/events`, { role: 'dpo' });
    expect(events.body.events.filter((e: { type: string }) => e.type === 'RenewalAccepted')).toHaveLength(1);
  });

  it('rejection and withdrawal of renewal invoices are recorded without changing the term', async () => {
    const email = `history-${randomUUID().slice(0, 8)}@acme.example`;
    const { id, termEnd } = await activeContract({ controller: { ...controller, email } });
    const rejected = await stack.request('POST', `/contracts/${id}/renewals/inv-r/rejection`, { role: 'billing', body: { reason: 'price' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body.rejectedRenewals).toEqual([expect.objectContaining({ invoiceId: 'inv-r', reason: 'price' })]);
    expect(rejected.body.termEnd).toBe(termEnd);
    expect((await stack.request('POST', `/contracts/${id}/renewals/inv-w/withdrawal`, { role: 'billing', body: {} })).body.withdrawnRenewals).toHaveLength(1);
    expectError(await stack.request('POST', `/contracts/${id}/renewals`, { role: 'billing', body: renewal(termEnd, 'inv-r') }), 409);
    const renewed = await stack.request('POST', `/contracts/${id}/renewals`, { role: 'billing', body: renewal(termEnd, 'inv-a') });
    expect(renewed.status).toBe(200);
    // The read model (its history kept as rows of its own) answers with every list, on one contract and in a list.
    const history = (c: { renewals: { invoiceId: string }[]; rejectedRenewals: { invoiceId: string }[]; withdrawnRenewals: { invoiceId: string }[] }) =>
      [c.renewals, c.rejectedRenewals, c.withdrawnRenewals].map((list) => list.map((r) => r.invoiceId));
    expect(history((await stack.request('GET', `/contracts/${id}`, { role: 'dpo' })).body)).toEqual([['inv-a'], ['inv-r'], ['inv-w']]);
    const listed = await stack.request('GET', `/contracts?controller=${encodeURIComponent(email)}`, { role: 'dpo' });
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    expect(listed.body.items.map(history)).toEqual([[['inv-a'], ['inv-r'], ['inv-w']]]);
  });

  it('termination: 400 without a reason, 409 before hand-over; cancellation: 409 once active; data export: 409 while processing', async () => {
    const ordered = await orderedId();
    expectError(await stack.request('POST', `/contracts/${ordered}/termination`, { role: 'account_manager', body: {} }), 400);
    expectError(await stack.request('POST', `/contracts/${ordered}/termination`, { role: 'account_manager', body: { reason: 'r' } }), 409);
    const { id } = await activeContract();
    expectError(await stack.request('POST', `/contracts/${id}/cancellation`, { role: 'account_manager', body: { reason: 'r' } }), 409);
    expectError(await stack.request('POST', `/contracts/${id}/data-export`, { role: 'account_manager' }), 409);
    const terminated = await stack.request('POST', `/contracts/${id}/termination`, { role: 'account_manager', body: { reason: 'client left' } });
    expect(terminated.status).toBe(200);
    expect(terminated.body).toMatchObject({ status: 'terminated', endKind: 'terminated', endReason: 'client left' });
    expectError(await stack.request('POST', `/contracts/${id}/termination`, { role: 'account_manager', body: { reason: 'again' } }), 409);
  });

  it('data export inside the return window is served before destruction starts (L9)', async () => {
    const { id } = await activeContract({ returnWindow: 'P7D' });
    await stack.request('POST', `/contracts/${id}/termination`, { role: 'account_manager', body: { reason: 'client left' } });
    let answer = await stack.request('POST', `/contracts/${id}/data-export`, { role: 'account_manager' });
    // The destruction workflow starts right after the contract workflow ends.
    for (let i = 0; i < 40 && answer.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      answer = await stack.request('POST', `/contracts/${id}/data-export`, { role: 'account_manager' });
    }
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.destruction.exportRequests).toHaveLength(1);
    expect(answer.body.destruction.status).toBe('scheduled');
  });

  it('Idempotency-Key replays the first answer, refuses the same key with another body', async () => {
    const key = `idem-${randomUUID()}`;
    const body = { controller, billingPeriod: 'P1M' };
    const first = await stack.request('POST', '/contracts', { role: 'account_manager', body, headers: { 'idempotency-key': key } });
    const retry = await stack.request('POST', '/contracts', { role: 'account_manager', body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expectError(await stack.request('POST', '/contracts', { role: 'account_manager', body: { ...body, billingPeriod: 'P1Y' }, headers: { 'idempotency-key': key } }), 422, 'idempotency_key_reused');
    const failed = await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller }, headers: { 'idempotency-key': `${key}-2` } });
    const failedAgain = await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller }, headers: { 'idempotency-key': `${key}-2` } });
    expect(failedAgain).toMatchObject({ status: failed.status, body: failed.body });
    expectError(await stack.request('POST', '/contracts', { role: 'account_manager', body, headers: { 'idempotency-key': 'has space' } }), 400, 'invalid_idempotency_key');
  });
});

describe('GET /deadlines (the inbox, DESIGN §3.9)', () => {
  type Item = { file: { type: string; id: string }; contractId: string | null; kind: string; dueAt: string; overdue: boolean; whose: 'processor' | 'controller' };
  const inbox = async (query: string, role: RoleName = 'billing') => {
    const res = await stack.request('GET', `/deadlines${query}`, { role });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { items: Item[]; nextCursor: string | null };
  };
  const addMonths = (instant: string, months: number) => {
    const d = new Date(instant);
    const day = d.getUTCDate();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + months);
    const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    d.setUTCDate(Math.min(day, last));
    return d.toISOString();
  };

  it("lists an active contract's term end, and from the instant of the end its destruction deadline (end + P2M), for every role", async () => {
    const { id, termEnd } = await activeContract();
    expect((await inbox(`?contract=${id}`)).items).toEqual([{ file: { type: 'contract', id }, contractId: id, kind: 'term-end', dueAt: termEnd, overdue: false, whose: 'processor' }]);

    const ended = await stack.request('POST', `/contracts/${id}/termination`, { role: 'account_manager', body: { reason: 'client left' } });
    expect(ended.status).toBe(200);
    // The very next read shows the deadline: the end and the deadline are one append.
    const after = (await inbox(`?contract=${id}`, 'dpo')).items;
    expect(after).toEqual([{ file: { type: 'contract', id }, contractId: id, kind: 'destruction-deadline', dueAt: addMonths(ended.body.endedAt, 2), overdue: false, whose: 'processor' }]);
    expect(after[0]!.dueAt).toBe(ended.body.destruction.deadline);
  });

  it('filters by kind, by due instant and by overdue, earliest first, and walks every page with the cursor', async () => {
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await activeContract());
    const ids = new Set(made.map((c) => c.id));
    const all = (await inbox('?kind=term-end&limit=500')).items.filter((i) => ids.has(i.file.id));
    expect(all.map((i) => i.file.id).sort()).toEqual([...ids].sort());
    const due = all.map((i) => Date.parse(i.dueAt));
    expect(due).toEqual([...due].sort((a, b) => a - b));

    // Page by page, two at a time: the same items, in the same order, none twice.
    const paged: Item[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Item[]; nextCursor: string | null } = await inbox(`?kind=term-end&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged.filter((i) => ids.has(i.file.id))).toEqual(all);
    expect(new Set(paged.map((i) => `${i.file.id}/${i.kind}`)).size).toBe(paged.length);

    const latest = made.map((c) => c.termEnd).sort().at(-1)!;
    expect((await inbox(`?before=${encodeURIComponent(latest)}&limit=500`)).items.every((i) => Date.parse(i.dueAt) < Date.parse(latest))).toBe(true);
    expect((await inbox('?overdue=false&limit=500')).items.every((i) => !i.overdue && Date.parse(i.dueAt) >= Date.now() - 60_000)).toBe(true);
    expect((await inbox('?overdue=true&limit=500')).items.every((i) => i.overdue)).toBe(true);
    expect((await inbox('?kind=destruction-deadline&limit=500')).items.every((i) => i.kind === 'destruction-deadline')).toBe(true);
  });

  it('refuses a bad filter or a cursor it did not write with a 400, never a 500', async () => {
    expectError(await stack.request('GET', '/deadlines?kind=whenever', { role: 'billing' }), 400);
    expectError(await stack.request('GET', '/deadlines?contract=not-a-uuid', { role: 'billing' }), 400);
    expectError(await stack.request('GET', '/deadlines?overdue=maybe', { role: 'billing' }), 400);
    expectError(await stack.request('GET', '/deadlines?before=yesterday', { role: 'billing' }), 400);
    expectError(await stack.request('GET', '/deadlines?limit=0', { role: 'billing' }), 400);
    const forged = (fields: unknown[]) => Buffer.from(JSON.stringify(fields)).toString('base64url');
    for (const cursor of [
      'not-base64-json',
      forged(['2027-01-01T00:00:00.000Z', 'contract', "x' OR 1=1 --", 'term-end']),
      forged(['2027-02-30T00:00:00.000Z', 'contract', randomUUID(), 'term-end']),
      forged(['2027-01-01T00:00:00.000Z', 'no-such-file', randomUUID(), 'term-end']),
      forged(['2027-01-01T00:00:00.000Z', 'contract', randomUUID(), 'whenever']),
      forged(['2027-01-01T00:00:00.000Z', 'contract', randomUUID(), 'term-end', 'extra']),
    ]) {
      expectError(await stack.request('GET', `/deadlines?cursor=${cursor}`, { role: 'billing' }), 400, 'invalid_cursor');
    }
    expectError(await stack.request('GET', '/deadlines', { role: null }), 401);
  });
});

describe('strict edges: every bad input is a 4xx in the documented shape', () => {
  const bad = (res: { status: number; body: { error?: { code: string; message: string } } | null }, status: number, code?: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body?.error?.message).toEqual(expect.any(String));
    if (code) expect(res.body?.error?.code).toBe(code);
  };
  const activeId = async () => (await activeContract()).id;

  it('an instant must exist on the calendar, in bodies and in query strings: no February 30, month 13, year 0, hour 24, offset past ±14:00', async () => {
    const id = await activeId();
    const { termEnd } = (await stack.request('GET', `/contracts/${id}`, { role: 'billing' })).body as { termEnd: string };
    for (const at of ['2027-02-30T00:00:00Z', '2027-13-01T00:00:00Z', '0000-06-01T00:00:00Z', '2027-01-31T24:00:00Z', '2027-01-31T00:00:00+15:00', '2027-01-31T00:00:00-14:01', '2027-01-31T00:60:00Z']) {
      bad(await stack.request('POST', `/contracts/${id}/renewals`, { role: 'billing', body: { ...renewal(termEnd), acceptedAt: at } }), 400, 'validation_failed');
      bad(await stack.request('GET', `/contracts?termEndsBefore=${encodeURIComponent(at)}`, { role: 'billing' }), 400, 'validation_failed');
      bad(await stack.request('GET', `/deadlines?before=${encodeURIComponent(at)}`, { role: 'billing' }), 400, 'validation_failed');
    }
    // The contract took none of them.
    expect((await stack.request('GET', `/contracts/${id}`, { role: 'billing' })).body.renewals).toEqual([]);
  });

  it('NUL and every other control character is refused in every text field, admin ones included; a line feed only where text runs over lines', async () => {
    const controls = ['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\t', '\r'];
    for (const c of controls) {
      bad(await order({ controller: { ...controller, name: `Acme${c}SAS` } }), 400, 'validation_failed');
      bad(await order({ reference: `REF${c}1` }), 400, 'validation_failed');
      bad(await stack.request('POST', '/admin/api-keys', { role: 'admin', body: { name: `billing${c}`, role: 'billing' } }), 400, 'validation_failed');
      const id = await orderedId();
      // Reasons and secrets run over lines: a carriage return is a line break there.
      if (c !== '\r') {
        bad(await stack.request('POST', `/contracts/${id}/cancellation`, { role: 'account_manager', body: { reason: `gone${c}` } }), 400, 'validation_failed');
        bad(await stack.request('POST', `/contracts/${id}/credentials`, { role: 'account_manager', body: { kind: 'ssh', host: 'h.example', username: 'u', secret: `s${c}` } }), 400, 'validation_failed');
      }
      bad(await stack.request('POST', `/contracts/${id}/credentials`, { role: 'account_manager', body: { kind: 'ssh', host: 'h.example', username: `u${c}`, secret: 's' } }), 400, 'validation_failed');
      // A path segment is text too: an invoice id follows FIELDS.invoiceId there as in a body.
      bad(await stack.request('POST', `/contracts/${id}/renewals/${encodeURIComponent(`inv${c}1`)}/rejection`, { role: 'billing', body: {} }), 400, 'invalid_invoice_id');
    }
    expect((await order({ controller: { ...controller, address: '1 rue de la Paix\r\n75002 Paris' } })).status).toBe(201);
    // A private key runs over lines.
    const keyed = await orderedId();
    const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
    expect((await stack.request('POST', `/contracts/${keyed}/credentials`, { role: 'account_manager', body: { kind: 'ssh', host: 'h.example', username: 'u', secret: pem } })).status).toBe(200);
  });

  it('bidirectional controls are refused in names and reasons (we refuse rather than strip them: nothing is stored that displays as something else)', async () => {
    for (const c of ['\u202e', '\u202a', '\u2066', '\u2069']) {
      bad(await order({ controller: { ...controller, name: `Acme ${c}SAS` } }), 400, 'validation_failed');
      const id = await orderedId();
      bad(await stack.request('POST', `/contracts/${id}/cancellation`, { role: 'account_manager', body: { reason: `client ${c}left` } }), 400, 'validation_failed');
    }
  });

  it('lengths are counted in code points, as the OpenAPI document and PostgreSQL count them', async () => {
    expect((await order({ controller: { ...controller, name: '😀'.repeat(200) } })).status).toBe(201);
    bad(await order({ controller: { ...controller, name: '😀'.repeat(201) } }), 400, 'validation_failed');
  });

  it('JSON nested deeper than 32 levels is refused cheaply, even 40,000 levels deep (80 KB)', async () => {
    for (const depth of [33, 2_000, 40_000]) {
      const started = Date.now();
      bad(await stack.request('POST', '/contracts', { role: 'account_manager', raw: '['.repeat(depth) + ']'.repeat(depth) }), 400, 'json_too_deep');
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    expect((await order({ catalog: { purposes: ['website-hosting'] } })).status).toBe(201);
  });

  it('an oversized header or request target gets the JSON error shape', async () => {
    bad(await stack.request('GET', '/contracts', { role: 'billing', headers: { 'x-padding': 'x'.repeat(20_000) } }), 431, 'headers_too_large');
    bad(await stack.request('GET', `/contracts?controller=${'a'.repeat(9_000)}`, { role: 'billing' }), 414, 'uri_too_long');
  });

  it('a body that is not JSON gets 415; a command that takes no body accepts an empty one of any type', async () => {
    bad(await stack.request('POST', '/contracts', { role: 'account_manager', raw: 'controller=acme', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
    bad(await stack.request('POST', '/contracts', { role: 'account_manager', raw: JSON.stringify({ controller, billingPeriod: 'P1M' }), headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
    const { id } = await activeContract();
    const res = await stack.request('POST', `/contracts/${id}/non-renewal`, { role: 'account_manager', raw: '', headers: { 'content-type': 'text/plain' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('a command that takes no body refuses one with fields in it: 400 validation_failed, and nothing is recorded', async () => {
    // The data export of an ended contract inside its return window: the one command that would run.
    const { id } = await activeContract({ returnWindow: 'P7D' });
    expect((await stack.request('POST', `/contracts/${id}/termination`, { role: 'account_manager', body: { reason: 'client left' } })).status).toBe(200);
    for (const body of [{ format: 'zip' }, ['x']]) expectError(await stack.request('POST', `/contracts/${id}/data-export`, { role: 'account_manager', body }), 400, 'validation_failed');
    // (A bare JSON string is no JSON body at all to the API: malformed.)
    expectError(await stack.request('POST', `/contracts/${id}/data-export`, { role: 'account_manager', body: 'x' }), 400, 'malformed_json');
    // (The engine goes on ending the contract meanwhile; no export was asked.)
    const types = (await stack.request('GET', `/contracts/${id}/events`, { role: 'dpo' })).body.events.map((e: { type: string }) => e.type);
    expect(types).toContain('ContractTerminated');
    expect(types).not.toContain('DataExportRequested');
    expect((await stack.request('GET', `/contracts/${id}/destruction`, { role: 'dpo' })).body.exportRequests).toEqual([]);
    // An API key's revocation takes no body either: refused, the key still works.
    const created = await stack.request('POST', '/admin/api-keys', { role: 'admin', body: { name: 'no body', role: 'billing' } });
    expectError(await stack.request('DELETE', `/admin/api-keys/${created.body.apiKey.id}`, { role: 'admin', body: { force: true } }), 400, 'validation_failed');
    expect((await stack.request('GET', '/contracts', { key: created.body.key })).status).toBe(200);
    // Nor does the end of an authorisation: refused, the person still on the contract.
    const person = await stack.request('POST', '/staff', { role: 'dpo', body: { name: 'No Body', email: 'no.body@processor.example' } });
    const sid = person.body.id as string;
    await stack.request('POST', `/staff/${sid}/confidentiality`, { role: 'dpo', body: { signedAt: new Date(Date.now() - 60_000).toISOString() } });
    await stack.request('POST', `/staff/${sid}/training`, { role: 'dpo', body: { completedAt: new Date(Date.now() - 60_000).toISOString(), course: 'GDPR for operators' } });
    const { id: other } = await activeContract();
    expect((await stack.request('POST', `/contracts/${other}/authorised-persons`, { role: 'dpo', body: { staffId: sid } })).status).toBe(200);
    expectError(await stack.request('DELETE', `/contracts/${other}/authorised-persons/${sid}`, { role: 'dpo', body: { reason: 'left' } }), 400, 'validation_failed');
    expect((await stack.request('GET', `/staff/${sid}`, { role: 'dpo' })).body.contracts).toEqual([other]);
    // Without a body, each runs.
    const ended = await stack.request('DELETE', `/contracts/${other}/authorised-persons/${sid}`, { role: 'dpo' });
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    const revoked = await stack.request('DELETE', `/admin/api-keys/${created.body.apiKey.id}`, { role: 'admin' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
  });

  it('a cursor decodes to nothing PostgreSQL could reject: every field is checked', async () => {
    const forged = (fields: unknown[]) => Buffer.from(JSON.stringify(fields)).toString('base64url');
    for (const cursor of [
      forged(['2027-02-30T00:00:00.000Z', randomUUID()]),
      forged(['0000-01-01T00:00:00Z', randomUUID()]),
      forged(['2027-01-01T00:00:00Z', 'not-a-uuid']),
      forged(['2027-01-01T00:00:00Z', randomUUID(), 'extra']),
      forged({ orderedAt: '2027-01-01T00:00:00Z' } as unknown as unknown[]),
      'a'.repeat(401),
      'not base64!',
    ]) {
      bad(await stack.request('GET', `/contracts?cursor=${encodeURIComponent(cursor)}`, { role: 'billing' }), 400);
    }
  });

  it('integer query parameters are plain decimal digits', async () => {
    for (const limit of ['1e2', '0x10', '+5', ' 5', '5.0', '-1', '', '1_0', '١٠']) {
      bad(await stack.request('GET', `/contracts?limit=${encodeURIComponent(limit)}`, { role: 'billing' }), 400, 'validation_failed');
      bad(await stack.request('GET', `/deadlines?limit=${encodeURIComponent(limit)}`, { role: 'billing' }), 400, 'validation_failed');
    }
    expect((await stack.request('GET', '/contracts?limit=7', { role: 'billing' })).status).toBe(200);
  });

  it('a known path called with the wrong method is 405 with the methods it takes', async () => {
    const id = await activeId();
    for (const [method, url, allow] of [
      ['DELETE', `/contracts/${id}`, 'GET'],
      ['PUT', '/contracts', 'GET'],
      ['GET', `/contracts/${id}/termination`, 'POST'],
      ['PATCH', '/deadlines', 'GET'],
    ] as const) {
      const res = await stack.request(method, url, { role: 'admin' });
      bad(res, 405, 'method_not_allowed');
      expect(res.headers.get('allow')).toContain(allow);
    }
    bad(await stack.request('GET', '/no-such-path', { role: 'admin' }), 404);
  });

  it('without an Authorization header the answer is 401 whatever else is wrong with the headers', async () => {
    bad(await stack.request('POST', '/contracts', { role: null, raw: 'x=1', headers: { 'content-type': 'text/plain' } }), 401, 'unauthenticated');
    bad(await stack.request('POST', '/contracts', { role: null, body: { controller, billingPeriod: 'P1M' }, headers: { 'idempotency-key': 'bad key with spaces' } }), 401, 'unauthenticated');
    bad(await stack.request('POST', '/contracts', { role: null, raw: '['.repeat(50) + ']'.repeat(50) }), 401, 'unauthenticated');
    expect((await stack.request('GET', '/health', { role: null })).status).toBe(200);
  });

  it('a request refused with 400 does not use up its Idempotency-Key: the corrected request may reuse it', async () => {
    const key = `fix-${randomUUID()}`;
    bad(await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller: { ...controller, name: 'Acme\u0000' }, billingPeriod: 'P1M' }, headers: { 'idempotency-key': key } }), 400);
    const fixed = await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller, billingPeriod: 'P1M' }, headers: { 'idempotency-key': key } });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(201);
    const again = await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller, billingPeriod: 'P1M' }, headers: { 'idempotency-key': key } });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(fixed.body.id);
  });
});

describe('sane renewals (L3)', () => {
  it('acceptedAt may not precede the order nor lie more than PT5M ahead; a covered period is bounded like a billing period; each refusal a 422 with the domain code', async () => {
    const { id, termEnd } = await activeContract();
    const post = (body: unknown) => stack.request('POST', `/contracts/${id}/renewals`, { role: 'billing', body });
    expectError(await post({ ...renewal(termEnd), acceptedAt: '2020-01-01T00:00:00Z' }), 422, 'renewal.accepted_before_order');
    expectError(await post({ ...renewal(termEnd), acceptedAt: new Date(Date.now() + 10 * 60_000).toISOString() }), 422, 'renewal.accepted_in_future');
    expectError(await post(renewal(termEnd, `inv-${randomUUID()}`, 12 * 1000)), 422, 'renewal.period_too_long');
    expect((await stack.request('GET', `/contracts/${id}`, { role: 'billing' })).body).toMatchObject({ termEnd, renewals: [] });
    // Within the skew it is accepted.
    const ok = await post({ ...renewal(termEnd), acceptedAt: new Date(Date.now() + 60_000).toISOString() });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('an early acceptance never moves the start of the current term', async () => {
    const { id, termEnd } = await activeContract();
    const before = (await stack.request('GET', `/contracts/${id}`, { role: 'billing' })).body as { termStart: string };
    const early = renewal(termEnd);
    const start = new Date(Date.parse(termEnd) - 5 * 86_400_000).toISOString();
    const res = await stack.request('POST', `/contracts/${id}/renewals`, { role: 'billing', body: { ...early, coveredPeriod: { start, end: early.coveredPeriod.end } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // The new term starts where the last one ends, never at the invoice's earlier start.
    expect(res.body.termStart).toBe(termEnd);
    expect(Date.parse(res.body.termStart)).toBeGreaterThan(Date.parse(before.termStart));
  });

  it('an invoice accepted for one contract cannot be accepted for another', async () => {
    const a = await activeContract();
    const b = await activeContract();
    const invoiceId = `inv-${randomUUID()}`;
    expect((await stack.request('POST', `/contracts/${a.id}/renewals`, { role: 'billing', body: renewal(a.termEnd, invoiceId) })).status).toBe(200);
    expectError(await stack.request('POST', `/contracts/${b.id}/renewals`, { role: 'billing', body: renewal(b.termEnd, invoiceId) }), 422, 'renewal.invoice_of_another_contract');
    expect((await stack.request('GET', `/contracts/${b.id}`, { role: 'billing' })).body.renewals).toEqual([]);
    // The same acceptance again for its own contract is still the idempotent 200.
    expect((await stack.request('POST', `/contracts/${a.id}/renewals`, { role: 'billing', body: renewal(a.termEnd, invoiceId) })).status).toBe(200);
  });
});

describe('the codec endpoint (histories readable by operators)', () => {
  it('decodes a payload from the workflow history for the DPO or an admin, nothing without a key or for other roles; encode and decode round-trip', async () => {
    const { id } = await activeContract({ reference: `CODEC-${randomUUID().slice(0, 8)}` });
    // The raw history, as the Temporal server holds it: encrypted payloads only.
    const { Connection, Client: TemporalClient } = await import('@temporalio/client');
    const raw = new TemporalClient({ connection: await Connection.connect({ address: stack.env.TEMPORAL_ADDRESS! }) });
    const { events } = await raw.workflow.getHandle(`contract-${id}`).fetchHistory();
    await raw.connection.close();
    const input = events!.find((e) => e.workflowExecutionStartedEventAttributes)!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const asJson = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    });
    const body = { payloads: [asJson(input)] };
    expect(Buffer.from(body.payloads[0]!.data, 'base64').toString()).not.toContain(id);

    for (const role of ['dpo', 'admin'] as const) {
      const decoded = await stack.request('POST', '/codec/decode', { role, body });
      expect(decoded.status, JSON.stringify(decoded.body)).toBe(200);
      const [plain] = decoded.body.payloads as { metadata: Record<string, string>; data: string }[];
      expect(Buffer.from(plain!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
      expect(JSON.parse(Buffer.from(plain!.data, 'base64').toString())).toMatchObject({ contractId: id });
    }
    expectError(await stack.request('POST', '/codec/decode', { role: null, body }), 401, 'unauthenticated');
    expectError(await stack.request('POST', '/codec/decode', { role: 'billing', body }), 403);
    expectError(await stack.request('POST', '/codec/decode', { role: 'account_manager', body }), 403);
    expectError(await stack.request('POST', '/codec/decode', { role: 'dpo', body: { payloads: [{ metadata: { encoding: Buffer.from('binary/encrypted').toString('base64') }, data: 'AAAA' }] } }), 400, 'codec.undecodable');

    const plain = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"hello"').toString('base64') }] };
    const encoded = await stack.request('POST', '/codec/encode', { role: 'dpo', body: plain });
    expect(encoded.status).toBe(200);
    expect(encoded.body.payloads[0].data).not.toBe(plain.payloads[0]!.data);
    expect((await stack.request('POST', '/codec/decode', { role: 'dpo', body: encoded.body })).body).toEqual(plain);

    // The Temporal UI's origin may call it from a browser: its preflight (no key) is answered, others are not.
    const preflight = await fetch(`${stack.api.url}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:8233', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const foreign = await fetch(`${stack.api.url}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
