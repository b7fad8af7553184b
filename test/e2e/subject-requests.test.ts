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
    const receivedAt = new Date(Date.now() - 60_000).toISOString();
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
    expect(again.body.id).toBe(opened.body.id);
    await expect.poll(async () => (await stack.request('GET', `/contracts/${id}/subject-requests/${opened.body.id}`, { role: 'dpo' })).body.forwardedAt, { timeout: 20_000 }).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
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
    const done = await stack.request('POST', `/contracts/${id}/subject-requests/${opened.body.id}/completion`, { role: 'account_manager', body: { outcome: 'fulfilled' } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', outcome: 'fulfilled', late: false, overdue: [] });
    await expect.poll(async () => (await stack.request('GET', `/deadlines?contract=${id}`, { role: 'dpo' })).body.items.filter((d: { file: { type: string } }) => d.file.type === 'subject-request'), { timeout: 10_000 }).toEqual([]);
    // After its workflow finished, the file still answers with the domain's rules.
    const late = await stack.request('POST', `/contracts/${id}/subject-requests/${opened.body.id}/extension`, { role: 'dpo', body: { months: 1, reason: 'r' } });
    expect(late.status).toBe(409);
    const list = await stack.request('GET', `/contracts/${id}/subject-requests`, { role: 'billing' });
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([opened.body.id]);
  });

  it('a request whose assistance target has passed reminds account management and escalates to the processor\'s DPO at once, each once, and shows overdue', async () => {
    const id = await contract(null);
    // Received 26 days ago: the target (deadline − P7D) passed about 4 days ago.
    const receivedAt = new Date(Date.now() - 26 * DAY).toISOString();
    const opened = await stack.request('POST', `/contracts/${id}/subject-requests`, { role: 'dpo', body: { type: 'access', receivedAt, receivedBy: 'controller', reference: 'CTRL-7' } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const reminder = await stack.mail.waitFor((m) => m.to.includes('am@processor.example') && m.subject.includes('CTRL-7'));
    const escalation = await stack.mail.waitFor((m) => m.to.includes('dpo@processor.example') && m.subject.includes('CTRL-7'));
    expect(reminder.subject).toContain('Assistance due');
    expect(escalation.subject).toContain('Assistance overdue');
    // Received by the controller: nothing is forwarded to it.
    expect(stack.mail.messages.some((m) => m.to.includes('privacy@client.example') && m.subject.includes('CTRL-7'))).toBe(false);
    const view = (await stack.request('GET', `/contracts/${id}/subject-requests/${opened.body.id}`, { role: 'dpo' })).body;
    expect(view.overdue).toEqual(['assistanceDue']);
    expect(view.remindedAt).not.toBeNull();
    expect(view.escalatedAt).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(stack.mail.messages.filter((m) => m.subject.includes('CTRL-7'))).toHaveLength(2);
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
    expect((await post(ok, 'billing')).status).toBe(403);
    expect((await stack.request('POST', `/contracts/00000000-0000-4000-8000-000000000000/subject-requests`, { role: 'account_manager', body: ok })).status).toBe(404);
    expect((await stack.request('GET', `/contracts/${id}/subject-requests/00000000-0000-4000-8000-000000000000`, { role: 'dpo' })).status).toBe(404);
    expect((await stack.request('POST', `/contracts/${id}/subject-requests/x/extension`, { role: 'dpo', body: { months: 1, reason: 'r' } })).status).toBe(400);
  });
});
