import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '#infra/dev/processes';
import { untilPast } from '../support/settled';
import { startStack, type Stack } from '../support/stack';
import { routine } from '../support/mail';

/**
 * Issue "breach notices and data-subject requests", P8 (DESIGN §3.1): an incident through the API,
 * its affected contracts resolved from the contracts as they stand, one notice per contract emailed
 * once through the outbox to a real SMTP server, supplements, acknowledgement, closure.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ ACCOUNT_MANAGEMENT_EMAIL: 'am@processor.example' });
});
afterAll(async () => stack?.stop());

const A = 'ovh-sbg-2';
const B = 'ovh-gra-1';
const HOUR = 3_600_000;

async function activeContract(name: string, locations: string[], options: { returnWindow?: string; dpoEmail?: string } = {}): Promise<string> {
  const order = await stack.request('POST', '/contracts', {
    role: 'account_manager',
    body: {
      controller: { name, email: `privacy@${name}.example`, ...(options.dpoEmail ? { dpoEmail: options.dpoEmail } : {}) },
      billingPeriod: 'P1M',
      catalog: { storageLocations: locations },
      ...(options.returnWindow ? { returnWindow: options.returnWindow } : {}),
    },
  });
  expect(order.status).toBe(201);
  const handedOver = await stack.request('POST', `/contracts/${order.body.id}/credentials`, { role: 'account_manager', body: { kind: 'ssh', host: `web.${name}.example`, username: 'deploy', secret: 's3cret-value' } });
  expect(handedOver.status).toBe(200);
  return order.body.id;
}

const sha256 = (raw: string) => createHash('sha256').update(raw).digest('hex');

describe('incidents and breach notices (P8)', () => {
  it('an incident at A over a window notifies exactly the contracts whose data was there; each notice is emailed once, supplemented, acknowledged and closed', async () => {
    // Three at A, one only at B, one ended with its data still at A, one whose data at A was destroyed before the window.
    const atA = [await activeContract('alpha', [A, 'web-platform'], { dpoEmail: 'dpo@alpha.example' }), await activeContract('bravo', [A]), await activeContract('charlie', [A, B])];
    const onlyB = await activeContract('delta', [B]);
    const endedAtA = await activeContract('echo', [A], { returnWindow: 'P30D' });
    const destroyedBefore = await activeContract('foxtrot', [A]);
    expect((await stack.request('POST', `/contracts/${destroyedBefore}/termination`, { role: 'account_manager', body: { reason: 'leaving' } })).status).toBe(200);
    await waitFor('destroyed', async () => (await stack.request('GET', `/contracts/${destroyedBefore}`, { role: 'dpo' })).body.status === 'destroyed', { timeoutMs: 60_000, intervalMs: 250 });
    // Ended before the window too, but its data waits out a 30-day return window: still there.
    expect((await stack.request('POST', `/contracts/${endedAtA}/termination`, { role: 'account_manager', body: { reason: 'leaving' } })).body.status).toBe('terminated');
    // bravo's record names a breach contact (DESIGN §3.10): its notice goes there, its own email in copy.
    expect((await stack.request('PUT', '/controllers/privacy@bravo.example', { role: 'account_manager', body: { breachContact: 'security@bravo.example' } })).status).toBe(201);
    const from = new Date().toISOString();
    await untilPast(from);
    const to = new Date().toISOString();

    const recorded = await stack.request('POST', '/incidents', {
      role: 'dpo',
      headers: { 'idempotency-key': `incident-${from}` },
      body: { detectedAt: to, summary: 'Unauthorised access to the SBG-2 backup node', scope: { locations: [A], from, to }, nature: 'credential stuffing on the backup console', dataCategories: ['email-address'] },
    });
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ status: 'investigating', affectedContracts: null, notices: {}, affected: [] });
    const id: string = recorded.body.id;
    // The same key again: the first answer again, the same incident.
    const again = await stack.request('POST', '/incidents', { role: 'dpo', headers: { 'idempotency-key': `incident-${from}` }, body: { detectedAt: to, summary: 'Unauthorised access to the SBG-2 backup node', scope: { locations: [A], from, to }, nature: 'credential stuffing on the backup console', dataCategories: ['email-address'] } });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(id);

    const awareAt = new Date().toISOString();
    const confirmed = await stack.request('POST', `/incidents/${id}/confirmation`, { role: 'dpo', body: { awareAt } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('confirmed');

    const expected = [...atA, endedAtA].sort();
    await waitFor('four notices sent', async () => (await stack.request('GET', `/incidents/${id}`, { role: 'dpo' })).body.notices?.sent === 4, { timeoutMs: 60_000, intervalMs: 250 });
    const incident = (await stack.request('GET', `/incidents/${id}`, { role: 'admin' })).body;
    expect(incident).toMatchObject({ affectedContracts: 4, awareAt, notices: { sent: 4 } });
    expect(incident.affected.map((a: { contractId: string }) => a.contractId)).toEqual(expected);
    expect(incident.affectedDigest).toBe(sha256(expected.map((c) => `${c}\n`).join('')));
    for (const other of [onlyB, destroyedBefore]) expect((await stack.request('GET', `/contracts/${other}/breach-notices`, { role: 'account_manager' })).body.items).toEqual([]);

    // Each controller's notice, once, with GDPR 33(3)'s parts (unknown ones "to follow") and its DPO in copy.
    for (const name of ['alpha', 'bravo', 'charlie', 'echo']) {
      // The DPO's contact, emailed at each hand-over (P12), aside.
      const mails = stack.mail.messages.filter((m) => m.to.includes(`privacy@${name}.example`) && !routine(m));
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toContain('Personal data breach notification');
      for (const part of ['Nature of the breach: credential stuffing on the backup console', 'Categories of personal data concerned: email-address', 'Approximate number of data subjects concerned: to follow', 'Likely consequences: to follow', 'dpo@processor.example', '72 hours']) {
        expect(mails[0]!.text).toContain(part);
      }
      expect(mails[0]!.raw).toContain('Content-Type: text/html');
    }
    expect(stack.mail.messages.find((m) => m.to.includes('privacy@alpha.example') && !routine(m))!.to).toContain('dpo@alpha.example');

    const [notice] = (await stack.request('GET', `/contracts/${atA[0]}/breach-notices`, { role: 'account_manager' })).body.items;
    expect(notice).toMatchObject({ incidentId: id, contractId: atA[0], status: 'sent', awareAt, targetDue: new Date(Date.parse(awareAt) + 24 * HOUR).toISOString(), late: false, overdue: [] });
    expect(notice.controllerAuthorityDue).toBe(new Date(Date.parse(notice.sentAt) + 72 * HOUR).toISOString());
    expect(notice.toFollow).toEqual(['subjectCategories', 'approxSubjects', 'approxRecords', 'likelyConsequences', 'measures']);
    // The inbox lists each controller's authority deadline.
    const inbox = await stack.request('GET', `/deadlines?kind=breach-notice-authority&contract=${atA[0]}`, { role: 'dpo' });
    expect(inbox.body.items).toEqual([expect.objectContaining({ file: { type: 'breach-notice', id: notice.id }, dueAt: notice.controllerAuthorityDue, overdue: false, whose: 'controller' })]);

    const [bravoNotice] = (await stack.request('GET', `/contracts/${atA[1]}/breach-notices`, { role: 'account_manager' })).body.items;
    const bravoTrail = (await stack.request('GET', `/contracts/${atA[1]}/breach-notices/${bravoNotice.id}/events`, { role: 'dpo' })).body.events;
    expect(bravoTrail.find((e: { type: string }) => e.type === 'EmailSent').data).toMatchObject({ to: ['security@bravo.example'], cc: ['privacy@bravo.example'] });

    // The trail proves what was sent: Message-ID, recipients, accepted instant, sha256 of the exact message.
    const trail = (await stack.request('GET', `/contracts/${atA[0]}/breach-notices/${notice.id}/events`, { role: 'dpo' })).body.events;
    const caught = stack.mail.messages.find((m) => m.to.includes('privacy@alpha.example') && m.subject.includes('Personal data breach notification'))!;
    expect(trail.map((e: { type: string }) => e.type)).toEqual(['BreachNoticeOpened', 'EmailSent']);
    expect(trail[1].data).toMatchObject({ messageId: caught.messageId, key: `${notice.id}:notice`, to: ['privacy@alpha.example'], cc: ['dpo@alpha.example'], acceptedAt: notice.sentAt, sha256: sha256(caught.raw) });
    expect(caught.messageId).toBe(`<${notice.id}.notice@dpa-engine>`);
    // sentAt is the instant the relay took it: by the relay's own clock, within the SMTP exchange.
    expect(Math.abs(Date.parse(notice.sentAt) - caught.receivedAt)).toBeLessThan(2_000);

    // An update reaches every affected controller as a supplement, recorded on each notice.
    const updated = await stack.request('POST', `/incidents/${id}/updates`, { role: 'dpo', body: { approxSubjects: 1200, measures: 'console closed to the internet, passwords reset' } });
    expect(updated.status).toBe(200);
    expect(updated.body.updates).toEqual([expect.objectContaining({ number: 1, changes: { approxSubjects: 1200, measures: 'console closed to the internet, passwords reset' } })]);
    // An update with nothing in it is refused, naming the fields one of which it needs (not as `fields`, which is the field problems' list).
    const empty = await stack.request('POST', `/incidents/${id}/updates`, { role: 'dpo', body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'incident.empty_update', details: { oneOf: expect.arrayContaining(['summary', 'measures']) } });
    expect(empty.body.error.details.fields).toBeUndefined();
    await waitFor('four supplements', async () => stack.mail.messages.filter((m) => m.subject.includes('supplement 1')).length >= 4, { timeoutMs: 30_000, intervalMs: 250 });
    for (const contractId of expected) {
      await waitFor('the supplement recorded', async () => Boolean((await stack.request('GET', `/contracts/${contractId}/breach-notices`, { role: 'dpo' })).body.items[0].supplements[0]?.sentAt), { timeoutMs: 30_000, intervalMs: 250 });
      const [n] = (await stack.request('GET', `/contracts/${contractId}/breach-notices`, { role: 'dpo' })).body.items;
      expect(n.supplements).toEqual([expect.objectContaining({ number: 1, changes: { approxSubjects: 1200, measures: 'console closed to the internet, passwords reset' } })]);
      expect(n.content.approxSubjects).toBe(1200);
    }
    expect(stack.mail.messages.filter((m) => m.subject.includes('supplement 1'))).toHaveLength(4);
    expect(stack.mail.messages.find((m) => m.subject.includes('supplement 1') && m.to.includes('privacy@bravo.example'))!.text).toContain('Approximate number of data subjects concerned: 1200');

    // The controller's acknowledgement; a second, different one is a conflict; bad input changes nothing.
    const ackAt = new Date().toISOString();
    const ack = await stack.request('POST', `/contracts/${atA[0]}/breach-notices/${notice.id}/acknowledgement`, { role: 'account_manager', body: { acknowledgedAt: ackAt } });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedAt: ackAt });
    expect((await stack.request('POST', `/contracts/${atA[0]}/breach-notices/${notice.id}/acknowledgement`, { role: 'account_manager', body: { acknowledgedAt: ackAt } })).status).toBe(200);
    expect((await stack.request('POST', `/contracts/${atA[0]}/breach-notices/${notice.id}/acknowledgement`, { role: 'account_manager', body: { acknowledgedAt: new Date().toISOString() } })).body.error.code).toBe('breach_notice.acknowledged');
    expect((await stack.request('POST', `/contracts/${atA[0]}/breach-notices/${notice.id}/acknowledgement`, { role: 'dpo', body: { acknowledgedAt: ackAt } })).status).toBe(403);
    expect((await stack.request('POST', `/contracts/${onlyB}/breach-notices/${notice.id}/acknowledgement`, { role: 'account_manager', body: { acknowledgedAt: ackAt } })).status).toBe(404);

    // Closure closes every notice; the incident's own trail verifies.
    const closed = await stack.request('POST', `/incidents/${id}/closure`, { role: 'dpo', body: { summary: 'Node rebuilt, keys rotated' } });
    expect(closed.body.status).toBe('closed');
    await waitFor('notices closed', async () => (await stack.request('GET', `/incidents/${id}`, { role: 'dpo' })).body.notices?.closed === 4, { timeoutMs: 30_000, intervalMs: 250 });
    const events = (await stack.request('GET', `/incidents/${id}/events`, { role: 'dpo' })).body.events.map((e: { type: string }) => e.type);
    await waitFor('the closure recorded', async () => (await stack.request('GET', `/incidents/${id}/events`, { role: 'dpo' })).body.events.at(-1).type === 'BreachNoticesClosed', { timeoutMs: 30_000, intervalMs: 250 });
    expect(events.slice(0, 6)).toEqual(['IncidentRecorded', 'IncidentConfirmed', 'AffectedContractsResolved', 'BreachNoticesOpened', 'IncidentUpdated', 'IncidentClosed']);
    expect((await stack.request('GET', `/incidents/${id}/events/verify`, { role: 'dpo' })).body).toEqual({ valid: true });
    expect((await stack.request('GET', `/contracts/${atA[1]}/breach-notices/${(await stack.request('GET', `/contracts/${atA[1]}/breach-notices`, { role: 'dpo' })).body.items[0].id}/events/verify`, { role: 'dpo' })).body).toEqual({ valid: true });
    // A closed incident takes no more updates; the list shows it.
    expect((await stack.request('POST', `/incidents/${id}/updates`, { role: 'dpo', body: { approxRecords: 5 } })).body.error.code).toBe('incident.wrong_status');
    expect((await stack.request('GET', '/incidents', { role: 'dpo' })).body.items.map((i: { id: string }) => i.id)).toContain(id);
  });

  it('a contract whose data at the location was destroyed during the window is notified; one ordered after the window is not', async () => {
    const before = await activeContract('hotel', [B]);
    const from = new Date().toISOString();
    const destroyedDuring = await activeContract('india', [B]);
    expect((await stack.request('POST', `/contracts/${destroyedDuring}/termination`, { role: 'account_manager', body: { reason: 'leaving' } })).status).toBe(200);
    await waitFor('destroyed', async () => (await stack.request('GET', `/contracts/${destroyedDuring}`, { role: 'dpo' })).body.status === 'destroyed', { timeoutMs: 60_000, intervalMs: 250 });
    const to = new Date().toISOString();
    await untilPast(to);
    const after = await activeContract('juliet', [B]);
    const recorded = await stack.request('POST', '/incidents', { role: 'dpo', body: { detectedAt: new Date().toISOString(), summary: 'GRA-1 node compromised', scope: { locations: [B], from, to } } });
    expect((await stack.request('POST', `/incidents/${recorded.body.id}/confirmation`, { role: 'dpo', body: { awareAt: new Date().toISOString() } })).status).toBe(200);
    await waitFor('resolved', async () => (await stack.request('GET', `/incidents/${recorded.body.id}`, { role: 'dpo' })).body.affectedContracts !== null, { timeoutMs: 30_000, intervalMs: 250 });
    const incident = (await stack.request('GET', `/incidents/${recorded.body.id}`, { role: 'dpo' })).body;
    const affected = incident.affected.map((a: { contractId: string }) => a.contractId);
    // Every contract at B whose data was there in the window: earlier ones of the first test too, but never juliet.
    expect(affected).toEqual(expect.arrayContaining([before, destroyedDuring]));
    expect(affected).not.toContain(after);
    await waitFor('india told', async () => stack.mail.messages.some((m) => m.to.includes('privacy@india.example') && !routine(m)), { timeoutMs: 30_000, intervalMs: 250 });
  });

  it('a dismissed incident notifies nobody; bad input is a clear 4xx that records nothing', async () => {
    const contract = await activeContract('golf', [A]);
    const now = new Date().toISOString();
    const post = (body: unknown, role: 'dpo' | 'account_manager' = 'dpo') => stack.request('POST', '/incidents', { role, body });
    const ok = { detectedAt: now, summary: 'Suspicious login', scope: { contracts: [contract] } };
    const orderedOnly = (await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller: { name: 'kilo', email: 'privacy@kilo.example' }, billingPeriod: 'P1M' } })).body.id;
    for (const [body, status, code] of [
      [{ ...ok, scope: { contracts: [contract], locations: [A] } }, 400, 'incident.invalid_scope'],
      [{ ...ok, scope: { contracts: [contract, orderedOnly] } }, 422, 'incident.contracts_not_processing'],
      [{ ...ok, summary: 'reported by jane.doe@example.com' }, 400, 'input.personal_data'],
      [{ ...ok, scope: { locations: [A], from: now, to: new Date(Date.now() + 86_400_000).toISOString() } }, 422, 'incident.window_in_future'],
      [{ ...ok, scope: { locations: ['mars-1'], from: now, to: now } }, 400, undefined],
      [{ ...ok, scope: { locations: [A], from: now } }, 400, undefined],
      [{ ...ok, scope: { contracts: ['00000000-0000-4000-8000-000000000000'] } }, 422, 'incident.unknown_contracts'],
      [{ ...ok, victimName: 'Jane Doe' }, 400, undefined],
      [{ ...ok, approxSubjects: -3 }, 400, undefined],
      [{ ...ok, detectedAt: '2027-02-30T00:00:00Z' }, 400, undefined],
      [{ ...ok, summary: '' }, 400, undefined],
    ] as [unknown, number, string | undefined][]) {
      const answer = await post(body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(answer.body.error.code).toEqual(code ?? expect.any(String));
      expect(answer.body.error.message).toEqual(expect.any(String));
    }
    expect((await post(ok, 'account_manager')).status).toBe(403);
    expect((await stack.request('GET', '/incidents', { role: 'dpo' })).body.items.every((i: { scope: { contracts?: string[] } }) => !i.scope.contracts?.includes(contract))).toBe(true);

    const recorded = await post(ok);
    expect(recorded.status).toBe(201);
    const id = recorded.body.id;
    expect((await stack.request('POST', `/incidents/${id}/confirmation`, { role: 'dpo', body: { awareAt: '2020-01-01T00:00:00Z' } })).body.error.code).toBe('incident.aware_before_detection');
    expect((await stack.request('POST', `/incidents/${id}/updates`, { role: 'dpo', body: { approxRecords: 3 } })).body.error.code).toBe('incident.wrong_status');
    const dismissed = await stack.request('POST', `/incidents/${id}/dismissal`, { role: 'dpo', body: { reason: 'the login was the client itself' } });
    expect(dismissed.body).toMatchObject({ status: 'dismissed', dismissalReason: 'the login was the client itself' });
    // Its workflow has ended: a retry answers the stored file, anything else the domain's refusal.
    await waitFor('the incident workflow done', async () => (await stack.request('POST', `/incidents/${id}/dismissal`, { role: 'dpo', body: { reason: 'the login was the client itself' } })).status === 200, { timeoutMs: 10_000, intervalMs: 200 });
    expect((await stack.request('POST', `/incidents/${id}/confirmation`, { role: 'dpo', body: { awareAt: now } })).body.error.code).toBe('incident.wrong_status');
    expect((await stack.request('GET', `/incidents/${id}`, { role: 'account_manager' })).status).toBe(403);
    expect((await stack.request('GET', `/incidents/not-a-uuid`, { role: 'dpo' })).status).toBe(400);
    expect((await stack.request('GET', `/incidents/00000000-0000-4000-8000-000000000000`, { role: 'dpo' })).status).toBe(404);
    await stack.settled();
    expect(stack.mail.messages.filter((m) => m.to.includes('privacy@golf.example') && !routine(m))).toHaveLength(0);
    expect((await stack.request('GET', `/contracts/${contract}/breach-notices`, { role: 'dpo' })).body.items).toEqual([]);
  });
});
