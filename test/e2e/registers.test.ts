import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCESSOR_RECORD_CSV_COLUMNS } from '#domain';
import { createDataSource } from '#infra/database/data-source';
import { waitFor } from '#infra/dev/processes';
import { createEventStore } from '#infra/event-store/streams';
import { RECORD_BATCH } from '../../apps/api/src/processor-dpo/processing-record';
import { startStack, type Stack } from '../support/stack';
import { routine } from '../support/mail';
import { seedActiveContracts } from '../support/workload';

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
    // Ten seconds: long enough that the first reads see it not yet overdue on a busy machine.
    const dueAt = iso(t0 + 10_000);
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

describe('audits and inspections (C3, C4; DESIGN §3.7)', () => {
  it('requested, scheduled with reasonable notice, performed; each finding reminded and escalated once; closed only once every finding is remediated', async () => {
    const id = await contract('papa');
    const base = `/contracts/${id}/audits`;
    const requestedAt = new Date().toISOString();
    const opened = await stack.request('POST', base, { role: 'dpo', body: { kind: 'inspection', requestedAt, scope: 'Physical security of the Paris datacenter', auditor: 'Audit & Co' } });
    expect(opened.status).toBe(201);
    const aid: string = opened.body.id;
    const earliest = iso(Date.parse(requestedAt) + 14 * 86_400_000);
    expect(opened.body).toMatchObject({ status: 'requested', kind: 'inspection', earliestSchedule: earliest, findings: [], overdue: [] });
    // An inspection of premises: P14D notice at least (calendar days, computed here from the request).
    const short = await stack.request('POST', `${base}/${aid}/schedule`, { role: 'account_manager', body: { scheduledFor: iso(Date.parse(earliest) - 1) } });
    expect(short.status).toBe(422);
    expect(short.body.error).toMatchObject({ code: 'audit.short_notice', details: { earliest } });
    expect((await stack.request('POST', `${base}/${aid}/performance`, { role: 'dpo', body: { performedAt: requestedAt } })).body.error.code).toBe('audit.wrong_status');
    const scheduled = await stack.request('POST', `${base}/${aid}/schedule`, { role: 'account_manager', body: { scheduledFor: earliest } });
    expect(scheduled.body).toMatchObject({ status: 'scheduled', scheduledFor: earliest });
    expect((await stack.request('GET', `/deadlines?contract=${id}&kind=audit-scheduled`, { role: 'dpo' })).body.items).toEqual([expect.objectContaining({ file: { type: 'audit', id: aid }, dueAt: earliest })]);

    const performedAt = new Date().toISOString();
    expect((await stack.request('POST', `${base}/${aid}/performance`, { role: 'dpo', body: { performedAt, reportRef: 'AUD-2027-07' } })).body).toMatchObject({ status: 'performed', performedAt, reportRef: 'AUD-2027-07' });
    expect((await stack.request('GET', `/deadlines?contract=${id}&kind=audit-scheduled`, { role: 'dpo' })).body.items).toEqual([]);
    const soon = iso(Date.now() + 4_000);
    const later = iso(Date.now() + 30 * 86_400_000);
    const first = await stack.request('POST', `${base}/${aid}/findings`, { role: 'dpo', headers: { 'idempotency-key': `finding-1-${aid}` }, body: { summary: 'The visitor log is not kept', remediationDueAt: soon } });
    expect(first.status).toBe(200);
    const f1: string = first.body.findings[0].id;
    // A retry with the same key records nothing more.
    expect((await stack.request('POST', `${base}/${aid}/findings`, { role: 'dpo', headers: { 'idempotency-key': `finding-1-${aid}` }, body: { summary: 'The visitor log is not kept', remediationDueAt: soon } })).body.findings).toHaveLength(1);
    const second = await stack.request('POST', `${base}/${aid}/findings`, { role: 'account_manager', body: { summary: 'A badge reader is offline', remediationDueAt: later } });
    const f2: string = second.body.findings[1].id;
    expect((await stack.request('GET', `/deadlines?contract=${id}&kind=audit-remediation`, { role: 'dpo' })).body.items).toEqual([expect.objectContaining({ file: { type: 'audit', id: aid }, dueAt: soon })]);

    // The first finding: reminded at once (less than P7D left), escalated to the DPO once its due date passes.
    await stack.mail.waitFor((m) => m.to.includes('am@processor.example') && m.subject.includes('papa') && m.text.includes('The visitor log is not kept'));
    const escalation = await stack.mail.waitFor((m) => m.to.includes('dpo@processor.example') && m.subject.includes('not remediated') && m.subject.includes('papa'), 30_000);
    expect(escalation.text).toContain(soon);
    const overdue = await stack.request('GET', `${base}/${aid}`, { role: 'billing' });
    expect(overdue.body.overdue).toEqual(['remediationDueAt']);
    expect(overdue.body.findings.map((f: { overdue: boolean }) => f.overdue)).toEqual([true, false]);

    const closing = await stack.request('POST', `${base}/${aid}/closure`, { role: 'dpo', body: {} });
    expect(closing.status).toBe(422);
    expect(closing.body.error).toMatchObject({ code: 'audit.findings_open', details: { open: [f1, f2] } });
    expect((await stack.request('POST', `${base}/${aid}/findings/${f1}/remediation`, { role: 'dpo', body: { remediatedAt: new Date().toISOString(), summary: 'A visitor log is kept at the desk' } })).body.findings[0]).toMatchObject({ late: true, overdue: false });
    expect((await stack.request('POST', `${base}/${aid}/findings/00000000-0000-4000-8000-000000000000/remediation`, { role: 'dpo', body: { remediatedAt: new Date().toISOString(), summary: 'x' } })).status).toBe(404);
    expect((await stack.request('POST', `${base}/${aid}/closure`, { role: 'dpo', body: {} })).body.error.code).toBe('audit.findings_open');
    expect((await stack.request('POST', `${base}/${aid}/findings/${f2}/remediation`, { role: 'account_manager', body: { remediatedAt: new Date().toISOString(), summary: 'Reader replaced' } })).body.findings[1]).toMatchObject({ late: false });
    expect((await stack.request('GET', `/deadlines?contract=${id}`, { role: 'dpo' })).body.items.filter((d: { file: { type: string } }) => d.file.type === 'audit')).toEqual([]);
    const closed = await stack.request('POST', `${base}/${aid}/closure`, { role: 'dpo', body: { summary: 'All findings remediated' } });
    expect(closed.body).toMatchObject({ status: 'closed', closureSummary: 'All findings remediated', overdue: [] });

    await waitFor('both receipts', async () => (await stack.request('GET', `${base}/${aid}/events`, { role: 'dpo' })).body.events.filter((e: { type: string }) => e.type === 'EmailSent').length === 2, { timeoutMs: 20_000, intervalMs: 200 });
    const events = typesOf((await stack.request('GET', `${base}/${aid}/events`, { role: 'dpo' })).body.events).filter((t) => t !== 'EmailSent');
    // The reminder may come before or after the second finding is recorded: the nudges are checked apart.
    const nudges = ['RemediationReminded', 'RemediationEscalated'];
    expect(events.filter((t) => !nudges.includes(t))).toEqual(['AuditRequested', 'AuditScheduled', 'AuditPerformed', 'FindingRecorded', 'FindingRecorded', 'FindingRemediated', 'FindingRemediated', 'AuditClosed']);
    expect(events.filter((t) => nudges.includes(t))).toEqual(nudges);
    expect(events.indexOf('RemediationReminded')).toBeGreaterThan(events.indexOf('FindingRecorded'));
    expect(events.indexOf('RemediationEscalated')).toBeLessThan(events.indexOf('FindingRemediated'));
    expect((await stack.request('GET', `${base}/${aid}/events/verify`, { role: 'dpo' })).body).toEqual({ valid: true });
    expect(stack.mail.messages.filter((m) => m.subject.includes('papa'))).toHaveLength(2);
    // Closed: its workflow ends; the stored audit answers, and refuses what a closed audit cannot take.
    await waitFor('finished', async () => (await stack.request('POST', `${base}/${aid}/closure`, { role: 'dpo', body: {} })).status === 200, { timeoutMs: 10_000, intervalMs: 200 });
    expect((await stack.request('POST', `${base}/${aid}/findings`, { role: 'dpo', body: { summary: 'late one', remediationDueAt: later } })).body.error.code).toBe('audit.wrong_status');
    expect((await stack.request('GET', base, { role: 'billing' })).body.items.map((a: { id: string }) => a.id)).toEqual([aid]);
  });

  it('a review of documents has no notice rule; bad input is a clear 4xx that records nothing', async () => {
    const id = await contract('quebec');
    const base = `/contracts/${id}/audits`;
    const ok = { kind: 'audit', requestedAt: new Date().toISOString(), scope: 'Records of processing and the security policy' };
    for (const [body, status, code] of [
      [{ ...ok, kind: 'visit' }, 400],
      [{ ...ok, requestedAt: iso(Date.now() + 3_600_000) }, 422, 'audit.in_future'],
      [{ ...ok, requestedAt: '2020-01-01T00:00:00Z' }, 422, 'audit.requested_before_order'],
      [{ ...ok, scope: '' }, 400],
      [{ ...ok, auditorEmail: 'jane@audit.example' }, 400],
    ] as [Record<string, unknown>, number, string?][]) {
      const answer = await stack.request('POST', base, { role: 'dpo', body });
      expect(answer.status, JSON.stringify(body)).toBe(status);
      if (code) expect(answer.body.error.code).toBe(code);
    }
    expect((await stack.request('POST', base, { role: 'billing', body: ok })).status).toBe(403);
    expect((await stack.request('GET', base, { role: 'dpo' })).body.items).toEqual([]);
    const aid = (await stack.request('POST', base, { role: 'account_manager', body: ok })).body.id;
    const tomorrow = iso(Date.now() + 86_400_000);
    expect((await stack.request('POST', `${base}/${aid}/schedule`, { role: 'dpo', body: { scheduledFor: tomorrow } })).body).toMatchObject({ status: 'scheduled', scheduledFor: tomorrow, earliestSchedule: null });
    expect((await stack.request('POST', `${base}/${aid}/schedule`, { role: 'dpo', body: { scheduledFor: 'next week' } })).status).toBe(400);
    expect((await stack.request('POST', `${base}/${aid}/findings`, { role: 'dpo', body: { summary: 'x', remediationDueAt: tomorrow } })).body.error.code).toBe('audit.wrong_status');
    expect((await stack.request('POST', `${base}/${aid}/performance`, { role: 'dpo', body: { performedAt: new Date().toISOString() } })).body.status).toBe('performed');
    // No findings: it closes at once.
    expect((await stack.request('POST', `${base}/${aid}/closure`, { role: 'account_manager', body: {} })).body).toMatchObject({ status: 'closed', findings: [] });
  });
});

describe('the roster of authorised persons (P3, P4; DESIGN §3.4)', () => {
  it('authorises only a person with a confidentiality undertaking and a valid training; reminds before the lapse, and after it every contract the person is on shows the gap', async () => {
    const c1 = await contract('romeo');
    const c2 = await contract('sierra');
    const registered = await stack.request('POST', '/staff', { role: 'dpo', headers: { 'idempotency-key': 'staff-alex' }, body: { name: 'Alex Martin', email: 'alex.martin@processor.example' } });
    expect(registered.status).toBe(201);
    const sid: string = registered.body.id;
    expect(registered.body).toMatchObject({ cleared: false, gaps: ['no_confidentiality', 'no_training'], contracts: [] });
    expect((await stack.request('POST', '/staff', { role: 'dpo', headers: { 'idempotency-key': 'staff-alex' }, body: { name: 'Alex Martin', email: 'alex.martin@processor.example' } })).body.id).toBe(sid);

    const refused = await stack.request('POST', `/contracts/${c1}/authorised-persons`, { role: 'account_manager', body: { staffId: sid } });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'roster.not_cleared', details: { gaps: ['no_confidentiality', 'no_training'] } });
    expect((await stack.request('POST', `/staff/${sid}/confidentiality`, { role: 'admin', body: { signedAt: new Date().toISOString() } })).body.gaps).toEqual(['no_training']);
    expect((await stack.request('POST', `/contracts/${c1}/authorised-persons`, { role: 'account_manager', body: { staffId: sid } })).body.error.code).toBe('roster.not_cleared');
    // A training valid for eight seconds: reminded at once (less than P30D left), lapsed eight seconds after its completion.
    const completedAt = new Date().toISOString();
    const validUntil = iso(Date.parse(completedAt) + 8_000);
    const trained = await stack.request('POST', `/staff/${sid}/training`, { role: 'dpo', body: { completedAt, course: 'GDPR for operators', validFor: 'PT8S' } });
    expect(trained.body).toMatchObject({ cleared: true, gaps: [], trainingValidUntil: validUntil, trainings: [{ completedAt, course: 'GDPR for operators', validFor: 'PT8S', validUntil }] });
    const authorised = await stack.request('POST', `/contracts/${c1}/authorised-persons`, { role: 'account_manager', body: { staffId: sid } });
    expect(authorised.status).toBe(200);
    expect(authorised.body).toMatchObject({ staffId: sid, name: 'Alex Martin', authorisedUntil: null, cleared: true, gaps: [] });
    expect((await stack.request('GET', `/contracts/${c1}/authorised-persons`, { role: 'billing' })).body.items).toEqual([expect.objectContaining({ staffId: sid, cleared: true })]);
    expect((await stack.request('GET', `/contracts/${c2}/authorised-persons`, { role: 'billing' })).body.items).toEqual([]);
    expect((await stack.request('GET', `/deadlines?kind=training-lapse`, { role: 'dpo' })).body.items).toEqual([expect.objectContaining({ file: { type: 'staff', id: sid }, contractId: null, dueAt: validUntil })]);

    const reminder = await stack.mail.waitFor((m) => m.to.includes('am@processor.example') && m.subject.includes('Alex Martin'));
    expect(reminder.text).toContain(validUntil);
    const lapse = await stack.mail.waitFor((m) => m.to.includes('dpo@processor.example') && m.subject.includes('Alex Martin'), 30_000);
    expect(lapse.text).toContain(c1);
    expect(lapse.text).not.toContain(c2);
    // The gap: on the contract the person is on, and on the person; no new authorisation.
    expect((await stack.request('GET', `/contracts/${c1}/authorised-persons`, { role: 'account_manager' })).body.items).toEqual([expect.objectContaining({ staffId: sid, cleared: false, gaps: ['training_lapsed'] })]);
    expect((await stack.request('GET', `/staff/${sid}`, { role: 'account_manager' })).body).toMatchObject({ cleared: false, gaps: ['training_lapsed'], overdue: ['trainingValidUntil'], contracts: [c1] });
    expect((await stack.request('GET', `/deadlines?kind=training-lapse&overdue=true`, { role: 'dpo' })).body.items.map((d: { file: { id: string } }) => d.file.id)).toContain(sid);
    expect((await stack.request('POST', `/contracts/${c2}/authorised-persons`, { role: 'dpo', body: { staffId: sid } })).body.error).toMatchObject({ code: 'roster.not_cleared', details: { gaps: ['training_lapsed'] } });

    // A new training closes the gap; a revoked authorisation stays on record with its end.
    await stack.request('POST', `/staff/${sid}/training`, { role: 'dpo', body: { completedAt: new Date().toISOString(), course: 'GDPR for operators (renewal)' } });
    expect((await stack.request('GET', `/contracts/${c1}/authorised-persons`, { role: 'account_manager' })).body.items).toEqual([expect.objectContaining({ cleared: true, gaps: [] })]);
    const revoked = await stack.request('DELETE', `/contracts/${c1}/authorised-persons/${sid}`, { role: 'account_manager' });
    expect(revoked.body).toMatchObject({ staffId: sid, authorisedUntil: expect.any(String) });
    expect((await stack.request('DELETE', `/contracts/${c2}/authorised-persons/${sid}`, { role: 'account_manager' })).status).toBe(404);
    expect((await stack.request('GET', `/staff/${sid}`, { role: 'dpo' })).body.contracts).toEqual([]);

    await waitFor('both receipts', async () => (await stack.request('GET', `/staff/${sid}/events`, { role: 'dpo' })).body.events.filter((e: { type: string }) => e.type === 'EmailSent').length === 2, { timeoutMs: 20_000, intervalMs: 200 });
    const events = (await stack.request('GET', `/staff/${sid}/events`, { role: 'dpo' })).body.events;
    // The reminder goes at once, before or after the authorisation: it is checked apart.
    const types = typesOf(events).filter((t) => t !== 'EmailSent' && t !== 'TrainingLapseReminded');
    expect(types).toEqual(['StaffRegistered', 'ConfidentialitySigned', 'TrainingRecorded', 'PersonAuthorised', 'TrainingLapsed', 'TrainingRecorded', 'AuthorisationRevoked']);
    const order = typesOf(events);
    expect(order.filter((t) => t === 'TrainingLapseReminded')).toHaveLength(1);
    expect(order.indexOf('TrainingLapseReminded')).toBeGreaterThan(order.indexOf('TrainingRecorded'));
    expect(order.indexOf('TrainingLapseReminded')).toBeLessThan(order.indexOf('TrainingLapsed'));
    expect(events.find((e: { type: string }) => e.type === 'TrainingLapsed').data).toMatchObject({ dueAt: validUntil, contracts: [c1] });
    expect((await stack.request('GET', `/staff/${sid}/events/verify`, { role: 'admin' })).body).toEqual({ valid: true });
    expect(stack.mail.messages.filter((m) => m.subject.includes('Alex Martin'))).toHaveLength(2);
  });

  it('bad input is a clear 4xx that records nothing', async () => {
    const c = await contract('tango');
    for (const [body, status] of [
      [{ name: 'Sam', email: 'not-an-email' }, 400],
      [{ name: '', email: 'sam@processor.example' }, 400],
      [{ name: 'Sam', email: 'sam@processor.example', role: 'admin' }, 400],
    ] as [Record<string, unknown>, number][]) {
      expect((await stack.request('POST', '/staff', { role: 'dpo', body })).status, JSON.stringify(body)).toBe(status);
    }
    expect((await stack.request('POST', '/staff', { role: 'account_manager', body: { name: 'Sam', email: 'sam@processor.example' } })).status).toBe(403);
    const sid = (await stack.request('POST', '/staff', { role: 'admin', body: { name: 'Sam Roy', email: 'sam@processor.example' } })).body.id;
    expect((await stack.request('POST', `/staff/${sid}/training`, { role: 'dpo', body: { completedAt: new Date().toISOString(), course: 'x', validFor: 'P6Y' } })).body.error.code).toBe('staff.validity_too_long');
    expect((await stack.request('POST', `/staff/${sid}/training`, { role: 'dpo', body: { completedAt: new Date().toISOString(), course: 'x', validFor: 'a year' } })).status).toBe(400);
    expect((await stack.request('POST', `/staff/${sid}/confidentiality`, { role: 'dpo', body: { signedAt: iso(Date.now() + 3_600_000) } })).body.error.code).toBe('staff.in_future');
    expect((await stack.request('POST', `/contracts/${c}/authorised-persons`, { role: 'dpo', body: { staffId: '00000000-0000-4000-8000-000000000000' } })).status).toBe(404);
    expect((await stack.request('POST', `/contracts/${c}/authorised-persons`, { role: 'dpo', body: { staffId: 'sam' } })).status).toBe(400);
    expect((await stack.request('POST', `/contracts/00000000-0000-4000-8000-000000000000/authorised-persons`, { role: 'dpo', body: { staffId: sid } })).status).toBe(404);
    expect((await stack.request('GET', `/staff/${sid}`, { role: 'billing' })).status).toBe(403);
    expect((await stack.request('GET', `/staff/not-a-uuid`, { role: 'dpo' })).status).toBe(400);
    expect(typesOf((await stack.request('GET', `/staff/${sid}/events`, { role: 'dpo' })).body.events)).toEqual(['StaffRegistered']);
  });
});

describe("the processor's DPO (P12; DESIGN §3.6) and its Art. 30(2) record (DESIGN §3.9)", () => {
  const order = async (name: string, customerId?: string) => {
    const res = await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller: { name, email: `privacy@${name}.example`, dpoEmail: `dpo@${name}.example`, ...(customerId ? { customerId } : {}) }, billingPeriod: 'P1Y' } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const handOver = async (id: string) => {
    const res = await stack.request('POST', `/contracts/${id}/credentials`, { role: 'account_manager', body: { kind: 'sftp', host: 'sftp.client.example', username: 'deploy', secret: 'a-secret-value' } });
    expect(res.body.status).toBe('active');
  };
  const trail = async (id: string) => (await stack.request('GET', `/contracts/${id}/events`, { role: 'dpo' })).body.events as { type: string; data: Record<string, unknown> }[];

  it('communicates the DPO at hand-over; a change goes once to each controller with a contract active or awaiting destruction, not per contract; the record lists every controller', async () => {
    const u1 = await order('uniform', 'U-1');
    const u2 = await order('uniform', 'U-1');
    const v = await order('victor');
    const w = await order('whiskey');
    for (const id of [u1, u2, v]) await handOver(id);

    // At hand-over: one email per contract to its controller (its DPO in copy), and DpoCommunicated in its trail.
    await waitFor('every hand-over communicated', async () => (await Promise.all([u1, u2, v].map(trail))).every((t) => t.some((e) => e.type === 'DpoCommunicated')), { timeoutMs: 20_000, intervalMs: 200 });
    for (const id of [u1, u2, v]) {
      const communicated = (await trail(id)).find((e) => e.type === 'DpoCommunicated')!;
      expect(communicated.data).toMatchObject({ email: 'dpo@processor.example', dpoVersion: 1, communicatedAt: expect.any(String) });
    }
    const atHandOver = await stack.mail.waitFor((m) => m.to.includes('privacy@victor.example') && m.subject.includes('data protection officer'));
    expect(atHandOver.to).toContain('dpo@victor.example');
    expect(atHandOver.text).toContain('dpo@processor.example');
    await waitFor('uniform told twice (two contracts)', async () => stack.mail.messages.filter((m) => m.to.includes('privacy@uniform.example') && m.subject.startsWith('Our data protection officer')).length === 2, { timeoutMs: 20_000, intervalMs: 200 });
    expect(stack.mail.messages.filter((m) => m.to.includes('privacy@whiskey.example') && !routine(m))).toHaveLength(0);
    expect((await stack.request('GET', '/processor/dpo', { role: 'billing' })).body).toMatchObject({ email: 'dpo@processor.example', version: 1, source: 'configuration', since: null });

    // A change: by an admin only, checked first.
    expect((await stack.request('PUT', '/processor/dpo', { role: 'dpo', body: { name: 'Dana Officer', email: 'dana@processor.example' } })).status).toBe(403);
    expect((await stack.request('PUT', '/processor/dpo', { role: 'admin', body: { name: 'Dana Officer', email: 'not-an-email' } })).status).toBe(400);
    expect((await stack.request('PUT', '/processor/dpo', { role: 'admin', body: { name: 'Dana Officer', email: 'dana@processor.example', phone: 'call me' } })).status).toBe(400);
    const changed = await stack.request('PUT', '/processor/dpo', { role: 'admin', body: { name: 'Dana Officer', email: 'dana@processor.example', phone: '+33 1 23 45 67 89' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Dana Officer', version: 2, source: 'admin' });
    await waitFor('the change communicated', async () => (await stack.request('GET', '/processor/dpo', { role: 'dpo' })).body.communicatedAt !== null, { timeoutMs: 30_000, intervalMs: 200 });
    // uniform and victor: the only controllers of this file with a contract past hand-over.
    expect((await stack.request('GET', '/processor/dpo', { role: 'dpo' })).body).toMatchObject({ version: 2, controllersInformed: 2 });
    await waitFor('both change emails', async () => stack.mail.messages.filter((m) => m.subject.includes('has changed')).length >= 2, { timeoutMs: 20_000, intervalMs: 200 });
    const changes = stack.mail.messages.filter((m) => m.subject.includes('has changed'));
    expect(changes.map((m) => m.to.filter((t) => t.startsWith('privacy@'))).sort()).toEqual([['privacy@uniform.example'], ['privacy@victor.example']]);
    expect(changes.every((m) => m.to.some((t) => t.startsWith('dpo@') && t !== 'dpo@processor.example'))).toBe(true);
    for (const m of changes) expect(m.text).toContain('Dana Officer, dana@processor.example, +33 1 23 45 67 89');
    // The same value again changes nothing and sends nothing.
    expect((await stack.request('PUT', '/processor/dpo', { role: 'admin', body: { name: 'Dana Officer', email: 'dana@processor.example', phone: '+33 1 23 45 67 89' } })).body.version).toBe(2);
    const events = (await stack.request('GET', '/processor/dpo/events', { role: 'dpo' })).body.events as { type: string; data: Record<string, unknown> }[];
    expect(typesOf(events)).toEqual(['DpoSet', 'DpoSet', 'DpoChangeCommunicated']);
    expect(events.map((e) => e.data['source'] ?? e.data['controllers'])).toEqual(['configuration', 'admin', 2]);
    expect((await stack.request('GET', '/processor/dpo/events/verify', { role: 'admin' })).body).toEqual({ valid: true });

    // A hand-over after the change communicates the new contact.
    await handOver(w);
    await waitFor('whiskey communicated', async () => (await trail(w)).some((e) => e.type === 'DpoCommunicated'), { timeoutMs: 20_000, intervalMs: 200 });
    expect((await trail(w)).find((e) => e.type === 'DpoCommunicated')!.data).toMatchObject({ name: 'Dana Officer', email: 'dana@processor.example', dpoVersion: 2 });
    await stack.settled();
    expect(stack.mail.messages.filter((m) => m.subject.includes('has changed'))).toHaveLength(2);

    // The record: one row per contract, each with its controller (one entry for both of uniform's) and the DPO now.
    const record = await stack.request('GET', '/processing-record?limit=500', { role: 'dpo' });
    expect(record.status).toBe(200);
    expect(record.body.nextCursor).toBeNull();
    expect(record.body.processor.dpo).toEqual({ name: 'Dana Officer', email: 'dana@processor.example', phone: '+33 1 23 45 67 89' });
    const uniform = (record.body.items as { contractId: string; controller: { name: string; identity: string } }[]).filter((r) => r.controller.name === 'uniform');
    expect(uniform.map((r) => r.contractId).sort()).toEqual([u1, u2].sort());
    for (const r of uniform) expect(r.controller).toMatchObject({ identity: 'customer:U-1', dpoEmail: 'dpo@uniform.example' });
    expect(record.body.securityMeasures.inTransit.keyMinBits).toBe(4096);
    // The register of sub-processors: the hosting datacenters and the backup sites, each with its locations.
    const register = (await stack.request('GET', '/sub-processors', { role: 'billing' })).body.items as { id: string; kind: string; locations: string[]; sites: string[] }[];
    expect(register.map((s) => [s.id, s.kind])).toEqual([['ovh', 'sub-processor'], ['online-net', 'sub-processor'], ['processor-own-backup', 'own-site']]);
    expect(register[0]).toMatchObject({ locations: ['web-platform', 'ovh-sbg-2', 'ovh-gra-1'], sites: expect.arrayContaining(['OVH SBG-2: Strasbourg, France']) });
    expect((await stack.request('GET', '/processing-record', { role: 'account_manager' })).status).toBe(403);
    expect((await stack.request('GET', '/processing-record?format=xml', { role: 'dpo' })).status).toBe(400);
    const csv = await stack.request('GET', '/processing-record?format=csv', { role: 'admin' });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (csv.body as string).trimEnd().split('\r\n');
    expect(lines[0]!.split(',').slice(0, 3)).toEqual(['controller_name', 'controller_email', 'controller_address']);
    expect(lines.filter((l) => l.startsWith('uniform,privacy@uniform.example,'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes(w))).toHaveLength(1);
  });
});

describe('the Art. 30(2) record, paged like every list and streamed as CSV (DESIGN §3.9, §6)', () => {
  interface Row {
    contractId: string;
    orderedAt: string;
    status: string;
    controller: { identity: string; name: string; email: string; dataCategories: { id: string }[] };
    thirdCountryTransfers: { contractId: string; destination: string; safeguards: string }[];
  }
  interface Page {
    generatedAt: string;
    processor: { dpo: { email: string } };
    securityMeasures: unknown;
    items: Row[];
    nextCursor: string | null;
  }
  const page = async (query: string) => {
    const res = await stack.request<Page>('GET', `/processing-record?${query}`, { role: 'dpo' });
    expect(res.status, query).toBe(200);
    return res.body;
  };
  /** Every row, `limit` a page, from the first page on; `between` runs after the first page. */
  const walk = async (limit: number, between: () => Promise<void> = async () => undefined) => {
    const rows: Row[] = [];
    for (let cursor: string | null = null, pages = 0; ; pages++) {
      expect(pages).toBeLessThan(2_000);
      const body: Page = await page(`limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(body.items.length).toBeLessThanOrEqual(limit);
      // What the record says once is on every page, beside the rows.
      expect(body).toMatchObject({ generatedAt: expect.any(String), processor: { dpo: { email: expect.any(String) } }, securityMeasures: expect.any(Object) });
      rows.push(...body.items);
      if (pages === 0) await between();
      if (!body.nextCursor) return rows;
      cursor = body.nextCursor;
    }
  };
  const byOrder = (a: Row, b: Row) => (a.orderedAt < b.orderedAt ? -1 : a.orderedAt > b.orderedAt ? 1 : a.contractId < b.contractId ? -1 : a.contractId > b.contractId ? 1 : 0);
  // RFC 4180 cells of one line (no cell here holds a line break).
  const cells = (line: string) => [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!));
  const CONTRACT_ID = PROCESSOR_RECORD_CSV_COLUMNS.indexOf('contract_id');

  const created: string[] = [];
  let cancelled = '';

  it('limit=2 walks every contract once, oldest order first, even while contracts are ordered; a forged cursor or a bad limit is 400', async () => {
    const order = async (name: string, controller: Record<string, unknown> = {}) => {
      const res = await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller: { name, email: `privacy@${name.replace(/\W/g, '')}.example`, ...controller }, billingPeriod: 'P1Y' } });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    // Three controllers: papa under two contracts, known by its customer id under two emails and names; a name a spreadsheet would run.
    created.push(await order('papa', { customerId: 'P-1' }));
    created.push(await order('quebec'));
    created.push(await order('papa-renamed', { customerId: 'P-1', email: 'legal@papa.example' }));
    created.push(await order('=SUM(A1)'));
    created.push(await order('romeo'));
    // A cancelled contract is not in the record: the processor no longer acts for it.
    cancelled = await order('sierra');
    expect((await stack.request('POST', `/contracts/${cancelled}/cancellation`, { role: 'account_manager', body: { reason: 'ordered by mistake' } })).status).toBe(200);
    // A transfer the law required, on one contract (withheld: nothing is emailed).
    const transfer = await stack.request('POST', `/contracts/${created[1]}/transfer-notices`, { role: 'dpo', body: { destination: 'Switzerland: a court', legalObligation: 'order 42', plannedAt: new Date(Date.now() - 60_000).toISOString(), withheldReason: 'the court forbade it' } });
    expect(transfer.status).toBe(201);

    // A contract ordered while the walk is under way comes after the others: none is skipped or repeated.
    let late = '';
    const rows = await walk(2, async () => {
      late = await order('tango');
    });
    created.push(late);
    const ids = rows.map((r) => r.contractId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...rows].sort(byOrder).map((r) => r.contractId)).toEqual(ids);
    expect(ids.filter((id) => created.includes(id))).toEqual(created);
    expect(ids).not.toContain(cancelled);
    // The same rows as one page of them all.
    const all = await page('limit=500');
    expect(all.nextCursor).toBeNull();
    expect(all.items.map((r) => r.contractId)).toEqual(ids);

    const row = (id: string) => rows.find((r) => r.contractId === id)!;
    // One controller entry for both of papa's contracts, as its latest order names it.
    expect(row(created[0]!).controller).toEqual(row(created[2]!).controller);
    expect(row(created[0]!).controller).toMatchObject({ identity: 'customer:P-1', name: 'papa-renamed', email: 'legal@papa.example' });
    expect(row(created[0]!).status).toBe('ordered');
    // The transfer on its own contract's row only, with its legal basis.
    expect(row(created[1]!).thirdCountryTransfers).toEqual([expect.objectContaining({ contractId: created[1], destination: 'Switzerland: a court', safeguards: expect.stringContaining('28(3)(a)') })]);
    expect(rows.filter((r) => r.thirdCountryTransfers.length > 0).map((r) => r.contractId)).toEqual([created[1]]);

    // A cursor this list did not write, or one naming an instant PostgreSQL would reject: 400, never a 500.
    const forged = (fields: unknown[]) => Buffer.from(JSON.stringify(fields)).toString('base64url');
    const contractsCursor = (await stack.request('GET', '/contracts?limit=1', { role: 'dpo' })).body.nextCursor as string;
    for (const cursor of ['bm9wZQ', contractsCursor, forged(['2027-02-30T00:00:00.000000Z', late]), forged(['0000-01-01T00:00:00.000000Z', late]), forged(['2027-01-01 00:00:00+99', late]), forged(['2027-01-01T00:00:00.000000Z', 'x']), forged(['2027-01-01T00:00:00.000000Z', late, 1])]) {
      const res = await stack.request('GET', `/processing-record?cursor=${cursor}`, { role: 'dpo' });
      expect(res.status, cursor).toBe(400);
      expect(res.body.error.code, cursor).toBe('invalid_cursor');
    }
    for (const limit of ['0', '1001', '501', '-1', 'x', '']) {
      const res = await stack.request('GET', `/processing-record?limit=${limit}`, { role: 'dpo' });
      expect(res.status, limit).toBe(400);
      expect(res.body.error.code, limit).toBe('validation_failed');
    }
    // The CSV is the whole record: limit and cursor are refused with it.
    const paged = await stack.request('GET', '/processing-record?format=csv&limit=2', { role: 'dpo' });
    expect(paged.status).toBe(400);
    expect(paged.body.error).toMatchObject({ code: 'validation_failed', details: { fields: [expect.objectContaining({ field: 'limit' })] } });
  });

  it('the CSV streams every row, more than one batch of them: the header once, one line per contract, in the pages\' order', async () => {
    // More contracts than a batch, written straight to the store (no workflow): the cheap way to many rows.
    const dataSource = createDataSource({ url: stack.db.url, poolSize: 4, applicationName: 'dpa-test-record' });
    await dataSource.initialize();
    let seeded: string[];
    try {
      // One instant for them all: the pages and the batches part them by id. Forty controllers, each in every batch.
      const orderedAt = new Date(Date.now() - 86_400_000).toISOString();
      seeded = await seedActiveContracts(createEventStore(dataSource), RECORD_BATCH + 100, { orderedAt, controllerEmail: (i) => `privacy-${i % 40}@batches.example` });
    } finally {
      await dataSource.destroy();
    }

    const csv = await stack.request('GET', '/processing-record?format=csv', { role: 'admin' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="processing-record-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (csv.body as string).split('\r\n');
    expect(lines[0]).toBe(PROCESSOR_RECORD_CSV_COLUMNS.join(','));
    expect(lines.at(-1)).toBe('');
    const body = lines.slice(1, -1);
    expect(body.filter((l) => l === lines[0])).toEqual([]);
    const ids = body.map((l) => cells(l)[CONTRACT_ID]!);
    // Every contract this file made and the processor acts for, once; more lines than one batch holds.
    expect(body.length).toBeGreaterThan(RECORD_BATCH);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [...seeded, ...created]) expect(ids.filter((x) => x === id), id).toHaveLength(1);
    expect(ids).not.toContain(cancelled);
    for (const l of body) expect(cells(l)).toHaveLength(PROCESSOR_RECORD_CSV_COLUMNS.length);
    // The same rows, in the same order, as the pages (a page boundary inside the seeded contracts' shared instant).
    expect(ids).toEqual((await walk(RECORD_BATCH)).map((r) => r.contractId));
    // A controller's columns are its entry, the same on each of its rows, across batches.
    const of = (email: string) => body.map(cells).filter((c) => c[1] === email);
    const zero = of('privacy-0@batches.example');
    expect(zero.length).toBe(Math.ceil((RECORD_BATCH + 100) / 40));
    expect(new Set(zero.map((c) => c.slice(0, 5).join('|'))).size).toBe(1);
    // A formula in a name is made inert; the transfer on its own contract's line.
    expect(body.filter((l) => l.startsWith("'=SUM(A1),"))).toHaveLength(1);
    expect(cells(body.find((l) => l.includes(created[1]!))!)[PROCESSOR_RECORD_CSV_COLUMNS.indexOf('third_country_transfers')]).toMatch(/^Switzerland: a court on .*: order 42$/);
  });
});
