import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../libs/infra/src/dev/processes';
import { startStack, type Stack } from '../support/stack';

/**
 * Issue "the processor's registers" (DESIGN §3.4–§3.7) through the API, on a real Temporal,
 * PostgreSQL and SMTP server: DPIA and prior-consultation assistance (P9), audits (C3, C4).
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ ACCOUNT_MANAGEMENT_EMAIL: 'am@processor.example' });
});
afterAll(async () => stack?.stop());

async function contract(name: string): Promise<string> {
  const order = await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller: { name, email: `privacy@${name}.example` }, billingPeriod: 'P1M' } });
  expect(order.status).toBe(201);
  return order.body.id;
}

const iso = (ms: number) => new Date(ms).toISOString();
const typesOf = (events: { type: string }[]) => events.map((e) => e.type);

describe('DPIA and prior-consultation assistance (P9; DESIGN §3.5)', () => {
  it('open until delivered; reminded at once with less than two days left, escalated to the DPO once the due date passes, each once; late when delivered after it', async () => {
    const id = await contract('november');
    const base = `/contracts/${id}/assistance-requests`;
    const t0 = Date.now();
    const dueAt = iso(t0 + 4_000);
    const opened = await stack.request('POST', base, { role: 'account_manager', headers: { 'idempotency-key': `dpia-${id}` }, body: { kind: 'dpia', receivedAt: iso(t0), dueAt, summary: 'DPIA of the new analytics database' } });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ status: 'open', kind: 'dpia', contractId: id, dueAt, deliveredAt: null, late: false, overdue: [] });
    const aid: string = opened.body.id;
    // Its due date is in the inbox, under the contract.
    const inbox = await stack.request('GET', `/deadlines?contract=${id}&kind=assistance-request-due`, { role: 'dpo' });
    expect(inbox.body.items).toEqual([expect.objectContaining({ file: { type: 'assistance-request', id: aid }, contractId: id, dueAt, overdue: false })]);

    const reminder = await stack.mail.waitFor((m) => m.to.includes('am@processor.example') && m.subject.includes('november'));
    expect(reminder.subject).toContain('DPIA');
    for (const part of ['DPIA of the new analytics database', dueAt, aid]) expect(reminder.text).toContain(part);
    const escalation = await stack.mail.waitFor((m) => m.to.includes('dpo@processor.example') && m.subject.includes('not delivered') && m.subject.includes('november'), 30_000);
    expect(escalation.text).toContain(dueAt);
    // Past due: overdue, in the view and in the inbox.
    const overdue = await stack.request('GET', `${base}/${aid}`, { role: 'billing' });
    expect(overdue.body).toMatchObject({ status: 'open', overdue: ['dueAt'], remindedAt: expect.any(String), escalatedAt: expect.any(String) });
    expect(Date.parse(overdue.body.escalatedAt)).toBeGreaterThanOrEqual(Date.parse(dueAt));
    expect((await stack.request('GET', `/deadlines?contract=${id}&overdue=true`, { role: 'dpo' })).body.items.map((d: { kind: string }) => d.kind)).toContain('assistance-request-due');

    const deliveredAt = new Date().toISOString();
    const delivered = await stack.request('POST', `${base}/${aid}/delivery`, { role: 'dpo', body: { deliveredAt, provided: 'security measures, sub-processors, the backup data flow' } });
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({ status: 'delivered', deliveredAt, provided: 'security measures, sub-processors, the backup data flow', late: true, overdue: [] });
    expect((await stack.request('GET', `/deadlines?contract=${id}`, { role: 'dpo' })).body.items.filter((d: { kind: string }) => d.kind === 'assistance-request-due')).toEqual([]);
    await waitFor('both receipts', async () => (await stack.request('GET', `${base}/${aid}/events`, { role: 'dpo' })).body.events.filter((e: { type: string }) => e.type === 'EmailSent').length === 2, { timeoutMs: 20_000, intervalMs: 200 });
    const events = (await stack.request('GET', `${base}/${aid}/events`, { role: 'dpo' })).body.events;
    expect(typesOf(events).filter((t) => t !== 'EmailSent')).toEqual(['AssistanceRequested', 'AssistanceRequestReminded', 'AssistanceRequestEscalated', 'AssistanceDelivered']);
    // The escalation records when it was due and when the engine acted.
    expect(events.find((e: { type: string }) => e.type === 'AssistanceRequestEscalated').data).toMatchObject({ dueAt });
    expect((await stack.request('GET', `${base}/${aid}/events/verify`, { role: 'dpo' })).body).toEqual({ valid: true });
    expect(stack.mail.messages.filter((m) => m.subject.includes('november'))).toHaveLength(2);

    // Its workflow has ended: the same delivery again answers the stored file, another is refused; the same key answers the same request.
    await waitFor('finished', async () => (await stack.request('POST', `${base}/${aid}/delivery`, { role: 'dpo', body: { deliveredAt, provided: 'security measures, sub-processors, the backup data flow' } })).status === 200, { timeoutMs: 10_000, intervalMs: 200 });
    expect((await stack.request('POST', `${base}/${aid}/delivery`, { role: 'dpo', body: { deliveredAt, provided: 'something else' } })).body.error.code).toBe('assistance_request.wrong_status');
    const again = await stack.request('POST', base, { role: 'account_manager', headers: { 'idempotency-key': `dpia-${id}` }, body: { kind: 'dpia', receivedAt: opened.body.receivedAt, dueAt, summary: 'DPIA of the new analytics database' } });
    expect(again.body.id).toBe(aid);
    expect((await stack.request('GET', base, { role: 'billing' })).body.items.map((a: { id: string }) => a.id)).toEqual([aid]);
  });

  it('delivered on time is not late and sends nothing; bad input is a clear 4xx that records nothing', async () => {
    const id = await contract('oscar');
    const base = `/contracts/${id}/assistance-requests`;
    const now = Date.now();
    const ok = { kind: 'prior-consultation', receivedAt: iso(now), dueAt: iso(now + 30 * 86_400_000), summary: 'Prior consultation on the video-surveillance archive' };
    for (const [body, status, code] of [
      [{ ...ok, kind: 'audit' }, 400],
      [{ ...ok, dueAt: ok.receivedAt }, 422, 'assistance_request.due_before_received'],
      [{ ...ok, receivedAt: iso(now + 3_600_000) }, 422, 'assistance_request.received_in_future'],
      [{ ...ok, receivedAt: '2020-01-01T00:00:00Z' }, 422, 'assistance_request.received_before_order'],
      [{ ...ok, summary: '' }, 400],
      [{ ...ok, requester: 'Jane Doe' }, 400],
      [{ ...ok, dueAt: 'tomorrow' }, 400],
    ] as [Record<string, unknown>, number, string?][]) {
      const answer = await stack.request('POST', base, { role: 'dpo', body });
      expect(answer.status, JSON.stringify(body)).toBe(status);
      if (code) expect(answer.body.error.code).toBe(code);
      expect(answer.body.error.message).toEqual(expect.any(String));
    }
    expect((await stack.request('POST', base, { role: 'billing', body: ok })).status).toBe(403);
    expect((await stack.request('POST', `/contracts/00000000-0000-4000-8000-000000000000/assistance-requests`, { role: 'dpo', body: ok })).status).toBe(404);
    expect((await stack.request('GET', base, { role: 'dpo' })).body.items).toEqual([]);

    const opened = await stack.request('POST', base, { role: 'dpo', body: ok });
    expect(opened.status).toBe(201);
    const aid = opened.body.id;
    expect((await stack.request('POST', `${base}/${aid}/delivery`, { role: 'dpo', body: { deliveredAt: iso(now - 3_600_000), provided: 'x' } })).body.error.code).toBe('assistance_request.delivered_before_received');
    expect((await stack.request('POST', `${base}/${aid}/delivery`, { role: 'billing', body: { deliveredAt: iso(now), provided: 'x' } })).status).toBe(403);
    expect((await stack.request('POST', `${base}/not-a-uuid/delivery`, { role: 'dpo', body: { deliveredAt: iso(now), provided: 'x' } })).status).toBe(400);
    expect((await stack.request('GET', `${base}/00000000-0000-4000-8000-000000000000`, { role: 'dpo' })).status).toBe(404);
    const delivered = await stack.request('POST', `${base}/${aid}/delivery`, { role: 'account_manager', body: { deliveredAt: new Date().toISOString(), provided: 'the description of processing and the security measures' } });
    expect(delivered.body).toMatchObject({ status: 'delivered', late: false, remindedAt: null, escalatedAt: null });
    expect(stack.mail.messages.filter((m) => m.subject.includes('oscar'))).toHaveLength(0);
    expect(typesOf((await stack.request('GET', `${base}/${aid}/events`, { role: 'admin' })).body.events)).toEqual(['AssistanceRequested', 'AssistanceDelivered']);
  });
});
