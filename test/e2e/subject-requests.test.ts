import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack';

/**
 * Issue "breach notices and data-subject requests", P7 (DESIGN §3.2): a data-subject request file
 * through the API, its own workflow and stream, its read model and its clocks in the inbox, with
 * real emails through the outbox and a real SMTP server.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ ACCOUNT_MANAGEMENT_EMAIL: 'am@processor.example' });
});
afterAll(async () => stack?.stop());

const DAY = 86_400_000;

/** Once every outbox row of a request is sent: how many there are (one per message id, so one send each). */
async function sentOnce(requestId: string): Promise<number> {
  const db = new Client({ connectionString: stack.db.url });
  await db.connect();
  try {
    const count = async () => (await db.query<{ total: number; sent: number }>(`SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'sent')::int AS sent FROM outbox WHERE message_id LIKE $1 || ':%'`, [requestId])).rows[0]!;
    await expect.poll(async () => { const c = await count(); return c.total > 0 && c.sent === c.total; }, { timeout: 20_000 }).toBe(true);
    return (await count()).total;
  } finally {
    await db.end();
  }
}

async function contract(dpoEmail: string | null = 'dpo@client.example'): Promise<string> {
  const order = await stack.request('POST', '/contracts', {
    role: 'account_manager',
    body: { controller: { name: 'Client SA', email: 'privacy@client.example', ...(dpoEmail ? { dpoEmail } : {}) }, billingPeriod: 'P1M' },
  });
  expect(order.status).toBe(201);
  return order.body.id;
}

describe('data-subject request files (P7)', () => {
  it('one the processor received is passed to the controller at once, with its DPO in copy, once; its clocks follow 12(3)', async () => {
    const id = await contract();
    const receivedAt = new Date().toISOString();
    const headers = { 'idempotency-key': `dsr-${id}` };
    const body = { type: 'erasure', receivedAt, receivedBy: 'processor', reference: 'DSR-0042' };
    const opened = await stack.request('POST', `/contracts/${id}/subject-requests`, { role: 'account_manager', body, headers });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    // The deadline a calendar month after receipt, the target P7D before it, written out independently.
    const r = new Date(receivedAt);
    const deadline = new Date(Date.UTC(r.getUTCFullYear(), r.getUTCMonth() + 1, 1, r.getUTCHours(), r.getUTCMinutes(), r.getUTCSeconds(), r.getUTCMilliseconds()));
    const lastDay = new Date(Date.UTC(deadline.getUTCFullYear(), deadline.getUTCMonth() + 1, 0)).getUTCDate();
    deadline.setUTCDate(Math.min(r.getUTCDate(), lastDay));
    expect(opened.body).toMatchObject({ status: 'open', type: 'erasure', receivedBy: 'processor', reference: 'DSR-0042', deadline: deadline.toISOString(), extendedTo: null, overdue: [] });
    expect(opened.body.assistanceDue).toBe(new Date(deadline.getTime() - 7 * DAY).toISOString());

    const mail = await stack.mail.waitFor((m) => m.to.includes('privacy@client.example') && m.subject.includes('DSR-0042'));
    expect(mail.raw).toMatch(/^Cc: dpo@client\.example/m);
    expect(mail.text).toContain(deadline.toISOString());
    // Nothing about the person: the file holds references only.
    expect(mail.text).not.toMatch(/@(?!client\.example)/);

    // A retry under the same key is the same request; the email is not sent again.
    const again = await stack.request('POST', `/contracts/${id}/subject-requests`, { role: 'account_manager', body, headers });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(opened.body.id);
    await expect.poll(async () => (await stack.request('GET', `/contracts/${id}/subject-requests/${opened.body.id}`, { role: 'dpo' })).body.forwardedAt, { timeout: 20_000 }).not.toBeNull();
    expect(await sentOnce(opened.body.id)).toBe(1);
    expect(stack.mail.messages.filter((m) => m.subject.includes('DSR-0042'))).toHaveLength(1);

    // The inbox lists both clocks under the contract.
    const inbox = await stack.request('GET', `/deadlines?contract=${id}`, { role: 'dpo' });
    expect(inbox.body.items.filter((d: { file: { type: string } }) => d.file.type === 'subject-request').map((d: { kind: string; dueAt: string }) => [d.kind, d.dueAt])).toEqual([
      ['subject-request-assistance', opened.body.assistanceDue],
      ['subject-request-deadline', deadline.toISOString()],
    ]);

    // 12(3): one extension, counted from receipt.
    const extended = await stack.request('POST', `/contracts/${id}/subject-requests/${opened.body.id}/extension`, { role: 'dpo', body: { months: 2, reason: 'several systems to search' } });
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);
    expect(Date.parse(extended.body.extendedTo)).toBeGreaterThan(Date.parse(deadline.toISOString()) + 55 * DAY);
    const twice = await stack.request('POST', `/contracts/${id}/subject-requests/${opened.body.id}/extension`, { role: 'dpo', body: { months: 1, reason: 'again' } });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('subject_request.already_extended');

    // 12(4): a refusal needs a reason; completion ends the file and its clocks.
    const bare = await stack.request('POST', `/contracts/${id}/subject-requests/${opened.body.id}/completion`, { role: 'account_manager', body: { outcome: 'refused' } });
    expect(bare.status).toBe(400);
    expect(bare.body.error.code).toBe('subject_request.reason_required');
    // An optional reason may be left out or sent as null, as before the body was declared.
    const done = await stack.request('POST', `/contracts/${id}/subject-requests/${opened.body.id}/completion`, { role: 'account_manager', body: { outcome: 'fulfilled', reason: null } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', outcome: 'fulfilled', late: false, overdue: [] });
    await expect.poll(async () => (await stack.request('GET', `/deadlines?contract=${id}`, { role: 'dpo' })).body.items.filter((d: { file: { type: string } }) => d.file.type === 'subject-request'), { timeout: 10_000 }).toEqual([]);
    // After its workflow finished, the file still answers with the domain's rules.
    const late = await stack.request('POST', `/contracts/${id}/subject-requests/${opened.body.id}/extension`, { role: 'dpo', body: { months: 1, reason: 'r' } });
    expect(late.status).toBe(409);
    // A retried completion (its answer lost) gets the file again; another outcome is refused.
    const retried = await stack.request('POST', `/contracts/${id}/subject-requests/${opened.body.id}/completion`, { role: 'account_manager', body: { outcome: 'fulfilled' } });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body).toMatchObject({ id: opened.body.id, status: 'completed', outcome: 'fulfilled' });
    const other = await stack.request('POST', `/contracts/${id}/subject-requests/${opened.body.id}/completion`, { role: 'account_manager', body: { outcome: 'refused', reason: 'no data' } });
    expect(other.status).toBe(409);
    const list = await stack.request('GET', `/contracts/${id}/subject-requests`, { role: 'billing' });
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([opened.body.id]);
  });

  it('one the controller received is not sent back to it; its reminder and escalation are the engine\'s own (test/int/workflows/subject-request.test.ts)', async () => {
    const id = await contract(null);
    const opened = await stack.request('POST', `/contracts/${id}/subject-requests`, { role: 'dpo', body: { type: 'access', receivedAt: new Date().toISOString(), receivedBy: 'controller', reference: 'CTRL-7' } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    expect(opened.body).toMatchObject({ receivedBy: 'controller', forwardedAt: null, remindedAt: null, escalatedAt: null, overdue: [] });
    // Its trail is its own stream, hash-chained, readable by the DPO only.
    const trail = await stack.request('GET', `/contracts/${id}/subject-requests/${opened.body.id}/events`, { role: 'dpo' });
    expect(trail.body.events.map((e: { type: string }) => e.type)).toEqual(['SubjectRequestOpened']);
    expect((await stack.request('GET', `/contracts/${id}/subject-requests/${opened.body.id}/events/verify`, { role: 'dpo' })).body).toEqual({ valid: true });
    expect((await stack.request('GET', `/contracts/${id}/subject-requests/${opened.body.id}/events`, { role: 'account_manager' })).status).toBe(403);
    // Nothing goes to the controller: it has the request already.
    await stack.settled();
    expect(stack.mail.messages.some((m) => m.subject.includes('CTRL-7'))).toBe(false);
  });

  it('refuses bad input with the domain\'s codes, and an email address as a reference; unknown ids are 404', async () => {
    const id = await contract();
    const post = (body: unknown, role: 'account_manager' | 'billing' = 'account_manager') => stack.request('POST', `/contracts/${id}/subject-requests`, { role, body });
    const ok = { type: 'access', receivedAt: new Date().toISOString(), receivedBy: 'controller', reference: 'R-1' };
    expect((await post({ ...ok, reference: 'jane.doe@example.com' })).status).toBe(400);
    expect((await post({ ...ok, type: 'curiosity' })).status).toBe(400);
    expect((await post({ ...ok, receivedAt: '2027-02-30T00:00:00Z' })).status).toBe(400);
    const future = await post({ ...ok, receivedAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.status).toBe(422);
    expect(future.body.error.code).toBe('subject_request.received_in_future');
    const before = await post({ ...ok, receivedAt: '2020-01-01T00:00:00Z' });
    expect(before.status).toBe(422);
    expect(before.body.error.code).toBe('subject_request.received_before_order');
    expect((await post(ok, 'billing')).status).toBe(403);
    expect((await stack.request('POST', `/contracts/00000000-0000-4000-8000-000000000000/subject-requests`, { role: 'account_manager', body: ok })).status).toBe(404);
    expect((await stack.request('GET', `/contracts/${id}/subject-requests/00000000-0000-4000-8000-000000000000`, { role: 'dpo' })).status).toBe(404);
    expect((await stack.request('POST', `/contracts/${id}/subject-requests/x/extension`, { role: 'dpo', body: { months: 1, reason: 'r' } })).status).toBe(400);
  });
});
