import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_LOCATIONS, termEnd } from '#domain';
import { acceptRenewalUpdate, handOverCredentialsUpdate } from '#infra/temporal/messages';
import { BILLING, MANAGER, timeSkippingEngine, type TimeSkippingEngine } from '../../support/engine';

let engine: TimeSkippingEngine;
beforeAll(async () => {
  engine = await timeSkippingEngine();
});
afterAll(async () => engine?.teardown());


describe('contractWorkflow on the time-skipping server', () => {
  it('L2/L3/L5: a monthly contract handed over on Jan 31, renewed 3 times, expires at the exact chained term end; its data is destroyed before end + P2M', async () => {
    await engine.sleepUntil('2027-01-30T09:00:00.000Z');
    const { contractId, handle } = await engine.order({ reference: 'ACME-2027-001' });
    await engine.sleepUntil('2027-01-31T00:00:00.000Z');
    const credentialId = '3f1c9a1e-0000-4000-8000-000000000001';
    await engine.vault.store(contractId, credentialId, 'ssh', 'web-1.acme.example', await engine.vault.seal(contractId, credentialId, { username: 'acme', secret: 'sup3r-s3cret-pass' }));
    const handedOver = await handle.executeUpdate(handOverCredentialsUpdate, {
      args: [{ credentialId, kind: 'ssh', host: 'web-1.acme.example', actor: MANAGER }],
    });
    // The anchor is the hand-over instant (the test server's clock runs on by a few ms).
    const anchor = handedOver.state.status === 'active' ? handedOver.state.processingStartedAt : '';
    expect(anchor.slice(0, 16)).toBe('2027-01-31T00:00');
    const time = anchor.slice(10);
    expect(handedOver.state).toMatchObject({ status: 'active', termStart: anchor, termEnd: `2027-02-28${time}` });

    // Terms chain from the anchor: Feb 28, Mar 31, Apr 30, May 31 — never drifting to the 28th.
    const ends = [`2027-02-28${time}`, `2027-03-31${time}`, `2027-04-30${time}`, `2027-05-31${time}`];
    expect(ends).toEqual([1, 2, 3, 4].map((n) => termEnd(anchor, 'P1M', n)));
    const terms = [0, 1, 2].map((i) => [ends[i]!, ends[i + 1]!] as const);
    for (const [i, [start, end]] of terms.entries()) {
      await engine.sleepUntil(new Date(Date.parse(start) - 5 * 86_400_000).toISOString());
      const renewed = await engine.env.client.workflow.getHandle(handle.workflowId).executeUpdate(acceptRenewalUpdate, {
        args: [{ invoiceId: `inv-${i + 1}`, coveredPeriod: { start, end }, acceptedAt: await engine.now(), actor: BILLING }],
      });
      expect(renewed.state).toMatchObject({ status: 'active', termEnd: end });
    }

    await engine.waitForDestruction(contractId);
    const events = await engine.events(contractId);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 9)).toEqual([
      'ContractOrdered',
      'CredentialsHandedOver',
      'RenewalAccepted',
      'RenewalAccepted',
      'RenewalAccepted',
      'ContractExpired',
      'DestructionScheduled',
      'CredentialsRevoked',
      'DestructionStarted',
    ]);
    expect(events.find((e) => e.type === 'ContractExpired')!.data).toMatchObject({ dueAt: ends[3] });
    expect(events.find((e) => e.type === 'DestructionScheduled')!.data).toMatchObject({ endedAt: ends[3], deadline: `2027-07-31${time}` });
    const destroyed = events.filter((e) => e.type === 'LocationDestroyed');
    expect(destroyed.map((e) => e.data.locationId).sort()).toEqual(STORAGE_LOCATIONS.map((l) => l.id).sort());
    for (const e of destroyed) expect(e.data).toMatchObject({ evidence: { objectCount: 6, method: 'filesystem-unlink' } });
    const completed = events.at(-1)!;
    expect(completed.type).toBe('DestructionCompleted');
    expect(Date.parse(completed.occurredAt)).toBeLessThan(Date.parse('2027-07-31T00:00:00.000Z'));
    for (const l of STORAGE_LOCATIONS) expect(fs.existsSync(`${engine.storageRoot}/${l.id}/${contractId}`)).toBe(false);
    await expect(engine.vault.open(contractId, '3f1c9a1e-0000-4000-8000-000000000001')).rejects.toMatchObject({ code: 'vault.shredded' });
    expect(await engine.store.verify(contractId)).toMatchObject({ valid: true });

    const certificate = await engine.mail.waitFor((m) => m.to.includes('privacy@acme.example') && m.subject.startsWith('Certificate of destruction'));
    expect(certificate.subject).toContain('ACME-2027-001');
    const attached = JSON.parse(certificate.attachments.find((a) => a.filename.startsWith('destruction-certificate-'))!.content);
    expect(attached).toEqual(completed.data.certificate);
    expect(engine.mail.messages.filter((m) => m.subject.includes('ACME-2027-001'))).toHaveLength(1);
  });
});
