import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '#infra/dev/processes';
import { startStack, type Stack } from '../support/stack';
import { routine } from '../support/mail';

/**
 * Issue "the processor's registers", P2 and C2 (DESIGN §3.3): documented instructions through the
 * API — documented, acknowledged, executed in that order; an objection emails the controller once
 * and holds the instruction until the controller confirms or withdraws it — and transfer notices.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

async function contract(name: string): Promise<string> {
  const order = await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller: { name, email: `privacy@${name}.example`, dpoEmail: `dpo@${name}.example` }, billingPeriod: 'P1M' } });
  expect(order.status).toBe(201);
  return order.body.id;
}

const instruction = { channel: 'email', summary: 'Keep the shop database backups for 90 days instead of 30', documentRef: 'TICKET-2027-0311' };

describe('documented instructions (P2, C2)', () => {
  it('documented, acknowledged, executed; an objection emails the controller once and holds it until confirmed', async () => {
    const id = await contract('lima');
    const base = `/contracts/${id}/instructions`;
    const documented = await stack.request('POST', base, { role: 'account_manager', headers: { 'idempotency-key': `instr-${id}` }, body: { ...instruction, receivedAt: new Date().toISOString() } });
    expect(documented.status).toBe(201);
    expect(documented.body).toMatchObject({ status: 'documented', contractId: id, channel: 'email', documentRef: 'TICKET-2027-0311', acknowledgedAt: null });
    const iid: string = documented.body.id;
    // Not executed before it is acknowledged.
    expect((await stack.request('POST', `${base}/${iid}/execution`, { role: 'account_manager' })).body.error.code).toBe('instruction.wrong_status');
    expect((await stack.request('POST', `${base}/${iid}/acknowledgement`, { role: 'account_manager' })).body.status).toBe('acknowledged');

    // The DPO objects: on hold, the controller emailed at once (its DPO in copy), once.
    expect((await stack.request('POST', `${base}/${iid}/objection`, { role: 'account_manager', body: { reason: 'x' } })).status).toBe(403);
    const objected = await stack.request('POST', `${base}/${iid}/objection`, { role: 'dpo', body: { reason: 'keeping backups longer needs a legal basis the controller has not named' } });
    expect(objected.body).toMatchObject({ status: 'on_hold', objectionReason: 'keeping backups longer needs a legal basis the controller has not named' });
    expect((await stack.request('POST', `${base}/${iid}/execution`, { role: 'account_manager' })).body.error.code).toBe('instruction.on_hold');
    const mail = await stack.mail.waitFor((m) => m.to.includes('privacy@lima.example') && !routine(m));
    expect(mail.to).toContain('dpo@lima.example');
    expect(mail.subject).toContain('TICKET-2027-0311');
    for (const part of ['Dear lima', instruction.summary, 'keeping backups longer needs a legal basis', 'confirm the instruction', 'withdraw it']) expect(mail.text).toContain(part);
    // A repeated objection (the same reason) sends nothing more.
    expect((await stack.request('POST', `${base}/${iid}/objection`, { role: 'dpo', body: { reason: 'keeping backups longer needs a legal basis the controller has not named' } })).status).toBe(200);

    // The controller confirms: the hold is released, and the instruction is carried out.
    expect((await stack.request('POST', `${base}/${iid}/confirmation`, { role: 'account_manager' })).body).toMatchObject({ status: 'acknowledged', confirmedAt: expect.any(String) });
    const executed = await stack.request('POST', `${base}/${iid}/execution`, { role: 'account_manager' });
    expect(executed.body).toMatchObject({ status: 'executed', executedAt: expect.any(String) });
    await waitFor('the objection receipt', async () => (await stack.request('GET', `${base}/${iid}/events`, { role: 'dpo' })).body.events.some((e: { type: string }) => e.type === 'EmailSent'), { timeoutMs: 20_000, intervalMs: 200 });
    expect(stack.mail.messages.filter((m) => m.to.includes('privacy@lima.example') && !routine(m))).toHaveLength(1);
    const events = (await stack.request('GET', `${base}/${iid}/events`, { role: 'dpo' })).body.events.map((e: { type: string }) => e.type);
    expect(events.filter((t: string) => t !== 'EmailSent')).toEqual(['InstructionDocumented', 'InstructionAcknowledged', 'InstructionObjected', 'InstructionConfirmed', 'InstructionExecuted']);
    expect(events.filter((t: string) => t === 'EmailSent')).toHaveLength(1);
    expect((await stack.request('GET', `${base}/${iid}/events/verify`, { role: 'dpo' })).body).toEqual({ valid: true });
    // Its workflow has ended: a retried execution answers the stored file; the list shows it.
    await waitFor('finished', async () => (await stack.request('POST', `${base}/${iid}/execution`, { role: 'account_manager' })).status === 200, { timeoutMs: 10_000, intervalMs: 200 });
    expect((await stack.request('POST', `${base}/${iid}/objection`, { role: 'dpo', body: { reason: 'too late' } })).body.error.code).toBe('instruction.wrong_status');
    expect((await stack.request('GET', base, { role: 'billing' })).body.items.map((i: { id: string }) => i.id)).toEqual([iid]);
    // The same key again: the same instruction.
    const again = await stack.request('POST', base, { role: 'account_manager', headers: { 'idempotency-key': `instr-${id}` }, body: { ...instruction, receivedAt: documented.body.receivedAt } });
    expect(again.body.id).toBe(iid);
  });

  it('a withdrawn instruction is final; bad input is a clear 4xx', async () => {
    const id = await contract('mike');
    const base = `/contracts/${id}/instructions`;
    const iid = (await stack.request('POST', base, { role: 'account_manager', body: { ...instruction, receivedAt: new Date().toISOString() } })).body.id;
    expect((await stack.request('POST', `${base}/${iid}/withdrawal`, { role: 'account_manager' })).body.error.code).toBe('instruction.wrong_status');
    expect((await stack.request('POST', `${base}/${iid}/objection`, { role: 'dpo', body: { reason: 'unlawful transfer' } })).body.status).toBe('on_hold');
    expect((await stack.request('POST', `${base}/${iid}/withdrawal`, { role: 'account_manager' })).body).toMatchObject({ status: 'withdrawn', withdrawnAt: expect.any(String) });
    expect((await stack.request('POST', `${base}/${iid}/confirmation`, { role: 'account_manager' })).body.error.code).toBe('instruction.wrong_status');
    for (const body of [
      { ...instruction, receivedAt: new Date().toISOString(), channel: 'pigeon' },
      { ...instruction, receivedAt: '2027-02-30T00:00:00Z' },
      { ...instruction, receivedAt: new Date().toISOString(), summary: '' },
      { ...instruction, receivedAt: new Date().toISOString(), extra: 'no' },
      { ...instruction },
    ]) {
      const answer = await stack.request('POST', base, { role: 'account_manager', body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.message).toEqual(expect.any(String));
    }
    expect((await stack.request('POST', base, { role: 'account_manager', body: { ...instruction, receivedAt: new Date(Date.now() + 3_600_000).toISOString() } })).body.error.code).toBe('instruction.received_in_future');
    expect((await stack.request('POST', base, { role: 'dpo', body: { ...instruction, receivedAt: new Date().toISOString() } })).status).toBe(403);
    expect((await stack.request('GET', `${base}/00000000-0000-4000-8000-000000000000`, { role: 'dpo' })).status).toBe(404);
    expect((await stack.request('GET', `/contracts/${id}/instructions/${iid}`, { role: 'dpo' })).body.status).toBe('withdrawn');
  });

  it('a transfer notice is emailed to the controller before its planned transfer; a withheld one records its reason and sends nothing', async () => {
    const id = await contract('november');
    const base = `/contracts/${id}/transfer-notices`;
    const plannedAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const recorded = await stack.request('POST', base, { role: 'dpo', body: { destination: 'United States: a federal court', legalObligation: 'court order 24-cv-0113', plannedAt } });
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ status: 'pending', plannedAt, withheldReason: null });
    const mail = await stack.mail.waitFor((m) => m.to.includes('privacy@november.example') && !routine(m));
    expect(mail.text).toContain('United States: a federal court');
    expect(mail.text).toContain('court order 24-cv-0113');
    await waitFor('sent', async () => (await stack.request('GET', `${base}/${recorded.body.id}`, { role: 'billing' })).body.status === 'sent', { timeoutMs: 20_000, intervalMs: 200 });
    const sent = (await stack.request('GET', `${base}/${recorded.body.id}`, { role: 'billing' })).body;
    // Sent before the planned transfer, by the relay's own clock.
    expect(Date.parse(sent.sentAt)).toBeLessThan(Date.parse(plannedAt));
    expect(Math.abs(Date.parse(sent.sentAt) - mail.receivedAt)).toBeLessThan(2_000);
    expect(sent.late).toBe(false);

    // The law forbids telling: the reason is recorded and no email goes out — even after the date.
    const withheld = await stack.request('POST', base, { role: 'dpo', body: { destination: 'France: an investigating judge', legalObligation: 'article 100 of the code of criminal procedure', plannedAt: new Date(Date.now() - 86_400_000).toISOString(), withheldReason: 'the judge forbade any disclosure' } });
    expect(withheld.body).toMatchObject({ status: 'withheld', withheldReason: 'the judge forbade any disclosure', sentAt: null });
    // A notice whose transfer date has passed is refused unless it is withheld.
    expect((await stack.request('POST', base, { role: 'dpo', body: { destination: 'Nowhere', legalObligation: 'none', plannedAt: new Date(Date.now() - 60_000).toISOString() } })).body.error.code).toBe('transfer_notice.planned_in_past');
    expect((await stack.request('POST', base, { role: 'account_manager', body: { destination: 'X', legalObligation: 'Y', plannedAt } })).status).toBe(403);
    await stack.settled();
    expect(stack.mail.messages.filter((m) => m.to.includes('privacy@november.example') && !routine(m))).toHaveLength(1);
    expect((await stack.request('GET', base, { role: 'dpo' })).body.items.map((n: { status: string }) => n.status).sort()).toEqual(['sent', 'withheld']);
    expect((await stack.request('GET', `${base}/${withheld.body.id}/events`, { role: 'dpo' })).body.events.map((e: { type: string }) => e.type)).toEqual(['TransferNoticeRecorded']);
    expect((await stack.request('GET', `${base}/${recorded.body.id}/events/verify`, { role: 'dpo' })).body).toEqual({ valid: true });
  });
});
