import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '#infra/dev/processes';
import { startStack, type Stack } from '../support/stack';

/**
 * DESIGN §3.8 (GDPR 28(2), 28(4)) through the API, on a real Temporal, PostgreSQL and SMTP server:
 * the register, an announced change, the notices it opens, an objection. Its effective date is
 * run on the time-skipping server (test/int/workflows/sub-processor-change.test.ts).
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ ACCOUNT_MANAGEMENT_EMAIL: 'am@processor.example' });
});
afterAll(async () => stack?.stop());

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function activeContract(name: string, storageLocations?: string[]): Promise<string> {
  const order = await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller: { name, email: `privacy@${name}.example` }, billingPeriod: 'P1M', ...(storageLocations ? { catalog: { storageLocations } } : {}) } });
  expect(order.status).toBe(201);
  const handOver = await stack.request('POST', `/contracts/${order.body.id}/credentials`, { role: 'account_manager', body: { kind: 'ssh', host: 'web.client.example', username: 'deploy', secret: 'a-secret-value' } });
  expect(handOver.body.status).toBe('active');
  return order.body.id as string;
}

describe('sub-processor changes (DESIGN §3.8)', () => {
  it('bad input is a clear 4xx that records nothing', async () => {
    const location = { id: `rbx-${randomUUID().slice(0, 8)}`, name: 'OVH RBX', kind: 'backup', site: 'Roubaix, France' };
    const change = { kind: 'addition', subProcessor: { name: 'OVH (OVHcloud)', role: 'Backup datacenter', country: 'France' }, location };
    const later = iso(Date.now() + 31 * DAY);
    for (const [body, status, code] of [
      [{ change, effectiveAt: iso(Date.now() + 10 * DAY) }, 422, 'sub_processor_change.objection_period_too_short'],
      [{ change: { ...change, kind: 'replacement', replaces: 'nowhere' }, effectiveAt: later }, 422, 'sub_processor_change.unknown_location'],
      [{ change: { ...change, location: { ...location, id: 'ovh-sbg-2' } }, effectiveAt: later }, 409, 'sub_processor_change.location_exists'],
      [{ change: { ...change, kind: 'addition', replaces: 'ovh-gra-1' }, effectiveAt: later }, 400, 'validation.invalid'],
      [{ change: { ...change, kind: 'merger' }, effectiveAt: later }, 400, null],
      [{ change: { ...change, location: { ...location, id: '../etc' } }, effectiveAt: later }, 400, null],
      [{ change: { ...change, location: { ...location, kind: 'moon' } }, effectiveAt: later }, 400, null],
      [{ change: 'ovh', effectiveAt: later }, 400, null],
      [{ change, effectiveAt: 'next month' }, 400, null],
      [{ effectiveAt: later }, 400, null],
    ] as [Record<string, unknown>, number, string | null][]) {
      const res = await stack.request('POST', '/sub-processor-changes', { role: 'dpo', body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.message, JSON.stringify(body)).toEqual(expect.any(String));
      if (code) expect(res.body.error.code, JSON.stringify(body)).toBe(code);
    }
    expect((await stack.request('POST', '/sub-processor-changes', { role: 'account_manager', body: { change, effectiveAt: later } })).status).toBe(403);
    expect((await stack.request('GET', '/sub-processor-changes', { role: 'dpo' })).body.items).toEqual([]);
    expect((await stack.request('GET', '/sub-processor-changes/not-a-uuid', { role: 'dpo' })).status).toBe(400);
    expect((await stack.request('GET', `/sub-processor-changes/${randomUUID()}`, { role: 'dpo' })).status).toBe(404);
  });

  it('announces a replacement to exactly the controllers whose data is at the replaced location; an objection is recorded once and flags the contract for account management', async () => {
    const [alpha, bravo, charlie] = await Promise.all([activeContract('alpha'), activeContract('bravo'), activeContract('charlie', ['web-platform', 'ovh-sbg-2'])]);
    const location = { id: `rbx-${randomUUID().slice(0, 8)}`, name: 'OVH RBX-8', kind: 'backup', site: 'Roubaix, France' };
    const body = { change: { kind: 'replacement', subProcessor: { name: 'OVH (OVHcloud)', role: 'Backup datacenter RBX-8', country: 'France' }, location, replaces: 'ovh-gra-1' }, effectiveAt: iso(Date.now() + 31 * DAY) };
    const announced = await stack.request('POST', '/sub-processor-changes', { role: 'dpo', body });
    expect(announced.status).toBe(201);
    const cid = announced.body.id as string;
    expect(announced.body).toMatchObject({ kind: 'replacement', status: 'announced', location, replaces: 'ovh-gra-1', objectionPeriod: 'P30D', effectiveAt: body.effectiveAt });
    expect(Date.parse(announced.body.objectionDeadline) - Date.parse(announced.body.announcedAt)).toBe(30 * DAY);
    // The same announcement again is the same change; another one for that location conflicts.
    const again = await stack.request('POST', '/sub-processor-changes', { role: 'dpo', body });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.id).toBe(cid);
    expect((await stack.request('POST', '/sub-processor-changes', { role: 'dpo', body: { ...body, effectiveAt: iso(Date.now() + 40 * DAY) } })).body.error.code).toBe('sub_processor_change.exists');
    // Another replacement of the same location waits until this one is in force.
    const second = { ...body, change: { ...body.change, location: { ...location, id: `${location.id}-b` } } };
    expect((await stack.request('POST', '/sub-processor-changes', { role: 'dpo', body: second })).body.error.code).toBe('sub_processor_change.location_pending');

    await waitFor('the notices opened', async () => (await stack.request('GET', `/sub-processor-changes/${cid}`, { role: 'dpo' })).body.status === 'notified', { timeoutMs: 30_000, intervalMs: 200 });
    expect((await stack.request('GET', `/sub-processor-changes/${cid}`, { role: 'billing' })).body).toMatchObject({ contractsNotified: 2, controllersNotified: 2 });
    for (const name of ['alpha', 'bravo']) {
      const mail = await stack.mail.waitFor((m) => m.to.includes(`privacy@${name}.example`) && m.subject.startsWith('A change of sub-processor'), 30_000);
      expect(mail.text).toContain(cid);
      expect(mail.text).toContain(announced.body.objectionDeadline);
    }
    const register = (await stack.request('GET', '/sub-processors', { role: 'billing' })).body;
    expect(register.items.map((s: { id: string }) => s.id)).toEqual(['ovh', 'online-net', 'processor-own-backup']);
    expect(register.changes).toEqual([expect.objectContaining({ id: cid, status: 'notified', location })]);

    // Under each contract: the affected ones list it, the other does not.
    const listed = (await stack.request('GET', `/contracts/${alpha}/sub-processor-changes`, { role: 'billing' })).body.items;
    expect(listed).toEqual([expect.objectContaining({ changeId: cid, contractId: alpha, status: 'announced', needsAccountManagement: false })]);
    expect((await stack.request('GET', `/contracts/${charlie}/sub-processor-changes`, { role: 'billing' })).body.items).toEqual([]);
    expect((await stack.request('GET', `/contracts/${charlie}/sub-processor-changes/${cid}`, { role: 'billing' })).status).toBe(404);
    await waitFor('alpha told', async () => (await stack.request('GET', `/contracts/${alpha}/sub-processor-changes/${cid}`, { role: 'billing' })).body.sentAt !== null, { timeoutMs: 30_000, intervalMs: 200 });

    // The objection: account managers only, recorded once, with account management told once.
    const objection = { reason: 'our policy keeps backups at sites we audited' };
    expect((await stack.request('POST', `/contracts/${alpha}/sub-processor-changes/${cid}/objection`, { role: 'dpo', body: objection })).status).toBe(403);
    expect((await stack.request('POST', `/contracts/${alpha}/sub-processor-changes/${cid}/objection`, { role: 'account_manager', body: { reason: '' } })).status).toBe(400);
    expect((await stack.request('POST', `/contracts/${charlie}/sub-processor-changes/${cid}/objection`, { role: 'account_manager', body: objection })).status).toBe(404);
    const objected = await stack.request('POST', `/contracts/${alpha}/sub-processor-changes/${cid}/objection`, { role: 'account_manager', body: objection });
    expect(objected.status).toBe(200);
    expect(objected.body).toMatchObject({ status: 'objected', objectionReason: objection.reason, needsAccountManagement: true });
    const repeat = await stack.request('POST', `/contracts/${alpha}/sub-processor-changes/${cid}/objection`, { role: 'account_manager', body: objection });
    expect(repeat.body.objectedAt).toBe(objected.body.objectedAt);
    const flagged = await stack.mail.waitFor((m) => m.to.includes('am@processor.example') && m.subject.includes('Objection to a sub-processor change'), 30_000);
    expect(flagged.subject).toContain('alpha');
    const trail = (await stack.request('GET', `/contracts/${alpha}/sub-processor-changes/${cid}/events`, { role: 'dpo' })).body.events.map((e: { type: string }) => e.type);
    expect(trail.filter((t: string) => t !== 'EmailSent')).toEqual(['SubProcessorNoticeOpened', 'SubProcessorChangeObjected']);
    expect((await stack.request('GET', `/contracts/${alpha}/sub-processor-changes/${cid}/events/verify`, { role: 'dpo' })).body).toMatchObject({ valid: true });
    expect((await stack.request('GET', `/sub-processor-changes/${cid}/events/verify`, { role: 'dpo' })).body).toMatchObject({ valid: true });
    // Bravo did not object; its locations change only on the effective date.
    expect((await stack.request('GET', `/contracts/${bravo}/sub-processor-changes/${cid}`, { role: 'billing' })).body.status).toBe('announced');
    expect((await stack.request('GET', `/contracts/${bravo}/processing-record`, { role: 'dpo' })).body).toMatchObject({ formerStorageLocations: [] });
    await stack.settled();
    expect(stack.mail.messages.filter((m) => m.subject.includes('Objection to a sub-processor change'))).toHaveLength(1);
    expect(stack.mail.messages.filter((m) => m.subject.startsWith('A change of sub-processor')).map((m) => m.to.join(',')).sort()).toEqual(['privacy@alpha.example', 'privacy@bravo.example']);
  });
});
