import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractWorkflowId, handOverCredentialsUpdate } from '#infra/temporal/messages';
import { MANAGER, timeSkippingEngine, type TimeSkippingEngine } from '../../support/engine';

let engine: TimeSkippingEngine;
beforeAll(async () => {
  engine = await timeSkippingEngine();
});
afterAll(async () => engine?.teardown());

describe('P12: the DPO at hand-over (DESIGN §3.6)', () => {
  it('is recorded in the append of the first hand-over and emailed to the controller once, with its receipt; a second hand-over sends nothing more', async () => {
    const { contractId, handle } = await engine.order({ reference: 'DPO-1', controller: { customerId: null, name: 'Acme SAS', email: 'contact@acme.example', address: null, dpoEmail: 'dpo@acme.example' } });
    const dpo = { name: 'Dana Officer', email: 'dana@processor.example', phone: '+33 1 23 45 67 89', dpoVersion: 3 };
    for (const credentialId of ['3f1c9a1e-0000-4000-8000-00000000d001', '3f1c9a1e-0000-4000-8000-00000000d002']) {
      await engine.vault.store(contractId, credentialId, 'ssh', 'web-1.acme.example', await engine.vault.seal(contractId, credentialId, { username: 'acme', secret: 'sup3r-s3cret-pass' }));
      await handle.executeUpdate(handOverCredentialsUpdate, { args: [{ credentialId, kind: 'ssh', host: 'web-1.acme.example', actor: MANAGER, dpo }] });
    }
    const events = await engine.events(contractId);
    expect(events.map((e) => e.type)).toEqual(['ContractOrdered', 'CredentialsHandedOver', 'DpoCommunicated', 'CredentialsHandedOver']);
    const [handedOver, communicated] = [events[1]!, events[2]!];
    expect(communicated.data).toEqual({ name: 'Dana Officer', email: 'dana@processor.example', phone: '+33 1 23 45 67 89', dpoVersion: 3, communicatedAt: handedOver.data['handedOverAt'] });
    // One append: the same recorded instant, consecutive positions.
    expect(communicated.recordedAt).toBe(handedOver.recordedAt);
    const [receipt] = await engine.receipts(contractId, 1);
    expect(receipt!.data).toMatchObject({ kind: 'dpo-communicated', to: ['contact@acme.example'], cc: ['dpo@acme.example'] });
    const mail = await engine.mail.waitFor((m) => m.to.includes('contact@acme.example') && m.subject.startsWith('Our data protection officer'));
    expect(mail.subject).toContain('DPO-1');
    expect(mail.text).toContain('Dana Officer, dana@processor.example, +33 1 23 45 67 89');
    await engine.settled([contractWorkflowId(contractId)]);
    expect(engine.mail.messages.filter((m) => m.to.includes('contact@acme.example') && m.subject.startsWith('Our data protection officer'))).toHaveLength(1);
  });
});
