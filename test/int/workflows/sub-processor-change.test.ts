import { WithStartWorkflowOperation } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDuration, TIMER_TOLERANCE_MS, type ContractState, type SubProcessorNoticeState } from '#domain';
import { subProcessorNoticeId } from '#infra/ids';
import {
  announceSubProcessorChangeUpdate,
  contractWorkflowId,
  objectToSubProcessorChangeUpdate,
  snapshotQuery,
  subProcessorChangeWorkflowId,
  subProcessorNoticeSnapshotQuery,
  subProcessorNoticeWorkflowId,
  terminateUpdate,
} from '#infra/temporal/messages';
import { DAY, MANAGER, recordHistory, timeSkippingEngine, type TimeSkippingEngine } from '../../support/engine';

let engine: TimeSkippingEngine;
beforeAll(async () => {
  engine = await timeSkippingEngine();
});
afterAll(async () => engine?.teardown());

const DPO = { role: 'dpo' } as const;
const controller = (name: string) => ({ customerId: null, name: `${name} SAS`, email: `${name}@client.example`, address: null, dpoEmail: null });
const RBX = { id: 'ovh-rbx-8', name: 'OVH RBX-8', kind: 'backup', site: 'Roubaix, France' };
const ALL = ['web-platform', 'ovh-sbg-2', 'ovh-gra-1', 'company-backup-le-tholonet'];

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a sub-processor change (GDPR 28(2), 28(4); DESIGN §3.8), on the time-skipping server', () => {
  it('reaches exactly the affected controllers; an objection keeps that contract where it is; the others switch on the effective date, and their destruction covers every location that held their data', async () => {
    // Affected (hold ovh-gra-1, processing): alpha (it objects), bravo, echo (ends before the date),
    // foxtrot (its mailbox refuses the announcement for good). Not affected: charlie (never at
    // ovh-gra-1), delta (processing ended before the announcement).
    engine.mail.rejectRecipient('foxtrot@client.example');
    const [alpha, bravo, charlie, delta, echo, foxtrot] = await Promise.all(
      [
        { reference: 'SP-ALPHA', controller: controller('alpha') },
        { reference: 'SP-BRAVO', controller: controller('bravo') },
        { reference: 'SP-CHARLIE', controller: controller('charlie'), catalog: { storageLocations: ['web-platform', 'ovh-sbg-2'] } },
        { reference: 'SP-DELTA', controller: controller('delta') },
        { reference: 'SP-ECHO', controller: controller('echo'), returnWindow: 'P40D' },
        { reference: 'SP-FOXTROT', controller: controller('foxtrot') },
      ].map(async (order) => {
        const { contractId } = await engine.order(order);
        await engine.handOver(contractId);
        return contractId;
      }),
    );
    const contract = (id: string) => engine.env.client.workflow.getHandle(contractWorkflowId(id));
    await contract(delta!).executeUpdate(terminateUpdate, { args: [{ reason: 'left before the change', actor: MANAGER }] });

    const changeId = '5b000000-0000-4000-8000-0000000000c1';
    const before = await engine.now();
    const effectiveAt = addDuration(addDuration(before, 'P30D'), 'PT1H');
    const announced = await engine.env.client.workflow.executeUpdateWithStart(announceSubProcessorChangeUpdate, {
      args: [
        {
          announcement: {
            kind: 'replacement',
            subProcessor: { name: 'OVH (OVHcloud)', role: 'Backup datacenter RBX-8', country: 'France' },
            location: RBX,
            replaces: 'ovh-gra-1',
            effectiveAt,
            objectionPeriod: 'P30D',
            knownLocations: ALL,
            pendingLocations: [],
          },
          actor: DPO,
        },
      ],
      startWorkflowOperation: new WithStartWorkflowOperation('subProcessorChangeWorkflow', {
        workflowId: subProcessorChangeWorkflowId(changeId, engine.taskQueue),
        taskQueue: engine.taskQueue,
        args: [{ changeId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
    expect(announced).toMatchObject({ created: true, state: { status: 'announced' } });
    const { announcedAt, objectionDeadline } = announced.state as Extract<typeof announced.state, { announcedAt: string }>;
    expect(Date.parse(announcedAt)).toBeGreaterThanOrEqual(Date.parse(before));
    expect(objectionDeadline).toBe(addDuration(announcedAt, 'P30D'));

    // Every affected contract gets a notice, and its controller one email; nobody else does.
    const changeStream = () => engine.store.readStream(changeId);
    const opened = await until('the notices opened', changeStream, (events) => events.some((e) => e.type === 'SubProcessorNoticesOpened'));
    expect(opened.find((e) => e.type === 'SubProcessorNoticesOpened')!.data).toMatchObject({ contracts: 4, controllers: 4 });
    const notice = (id: string) => engine.env.client.workflow.getHandle(subProcessorNoticeWorkflowId(subProcessorNoticeId(changeId, id)));
    for (const id of [alpha!, bravo!, echo!]) {
      const mail = await engine.mail.waitFor((m) => m.subject.includes('sub-processor') && m.text.includes(changeId) && m.to.some((t) => t.startsWith(`${id === alpha ? 'alpha' : id === bravo ? 'bravo' : 'echo'}@`)));
      expect(mail.text).toContain('OVH RBX-8 (Roubaix, France)');
      expect(mail.text).toContain(`You may object until ${objectionDeadline}`);
    }
    for (const id of [charlie!, delta!]) {
      const stored = await engine.store.readStream(subProcessorNoticeId(changeId, id));
      expect(stored, `no notice for ${id}`).toEqual([]);
    }
    // The first receipt makes the notice 'told'.
    await until('alpha told', async () => (await notice(alpha!).query(subProcessorNoticeSnapshotQuery)).state as SubProcessorNoticeState, (s) => s.status !== 'none' && s.sentAt !== null);

    // Alpha objects within the period: account management hears of it; echo's processing ends first.
    const objected = await notice(alpha!).executeUpdate(objectToSubProcessorChangeUpdate, { args: [{ reason: 'we audited GRA-1 only', actor: MANAGER }] });
    expect(objected.state).toMatchObject({ status: 'objected', objection: { reason: 'we audited GRA-1 only' } });
    const flagged = await engine.mail.waitFor((m) => m.subject.includes('Objection to a sub-processor change') && m.subject.includes('alpha SAS'));
    expect(flagged.to).toEqual([engine.config.processor.accountManagementEmail]);
    await contract(echo!).executeUpdate(terminateUpdate, { args: [{ reason: 'left before the date', actor: MANAGER }] });
    // One announcement per affected controller, none to the others.
    const announcements = engine.mail.messages.filter((m) => m.subject.startsWith('A change of sub-processor')).map((m) => m.to.join(','));
    expect(announcements.sort()).toEqual(['alpha@client.example', 'bravo@client.example', 'echo@client.example']);

    await engine.sleepUntil(new Date(Date.parse(effectiveAt) + 1_000).toISOString());
    const settled = async (id: string) => until(`${id} settled`, async () => (await engine.store.readStream(subProcessorNoticeId(changeId, id))).map((e) => e.type), (t) => t.some((x) => ['SubProcessorChangeDeclined', 'SubProcessorChangeApplied'].includes(x)));
    await Promise.all([alpha!, bravo!, echo!, foxtrot!].map(settled));

    const stateOf = async (id: string) => (await contract(id).query(snapshotQuery)).state as Exclude<ContractState, { status: 'none' }>;
    // Bravo switched on the effective date (acted on time), with the replaced location still owed a destruction.
    const bravoState = await stateOf(bravo!);
    expect(bravoState.catalog.storageLocations).toEqual(['web-platform', 'ovh-sbg-2', 'company-backup-le-tholonet', 'ovh-rbx-8']);
    expect(bravoState.formerLocations).toEqual(['ovh-gra-1']);
    const change = (await engine.events(bravo!)).find((e) => e.type === 'StorageLocationsChanged')!;
    expect(change.data).toMatchObject({ changeId, removed: 'ovh-gra-1', added: RBX, dueAt: effectiveAt });
    const lag = Date.parse(change.data['actedAt'] as string) - Date.parse(effectiveAt);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(TIMER_TOLERANCE_MS);
    expect(((await notice(bravo!).query(subProcessorNoticeSnapshotQuery)).state as SubProcessorNoticeState).status).toBe('applied');
    // Alpha objected: its locations did not change. Charlie was never concerned.
    expect((await stateOf(alpha!)).catalog.storageLocations).toEqual(ALL);
    expect((await engine.events(alpha!)).some((e) => e.type === 'StorageLocationsChanged')).toBe(false);
    expect(((await notice(alpha!).query(subProcessorNoticeSnapshotQuery)).state as SubProcessorNoticeState).status).toBe('kept');
    expect((await stateOf(charlie!)).catalog.storageLocations).toEqual(['web-platform', 'ovh-sbg-2']);
    // Echo had ended (its data awaits destruction after a P40D return window): it stays where it was until destroyed there; the notice says why.
    expect((await engine.store.readStream(subProcessorNoticeId(changeId, echo!))).at(-1)!.data).toMatchObject({ applied: false, why: 'contract.ended' });
    expect((await engine.events(echo!)).some((e) => e.type === 'StorageLocationsChanged')).toBe(false);
    // Foxtrot's controller was never told: it had no chance to object, so nothing changes, and account management hears of it.
    expect(((await notice(foxtrot!).query(subProcessorNoticeSnapshotQuery)).state as SubProcessorNoticeState)).toMatchObject({ status: 'kept', keptBecause: 'controller_not_told', sentAt: null });
    expect((await stateOf(foxtrot!)).catalog.storageLocations).toEqual(ALL);
    const untold = await engine.mail.waitFor((m) => m.subject.includes('did not reach the controller in time') && m.subject.includes('foxtrot SAS'));
    expect(untold.to).toEqual([engine.config.processor.accountManagementEmail]);
    // The change itself is in force.
    const changeEvents = await until('the change effective', changeStream, (events) => events.some((e) => e.type === 'SubProcessorChangeEffective'));
    expect(changeEvents.find((e) => e.type === 'SubProcessorChangeEffective')!.data).toMatchObject({ dueAt: effectiveAt });
    await recordHistory('sub-processor-change-effective', engine.env.client.workflow.getHandle(subProcessorChangeWorkflowId(changeId, engine.taskQueue)));
    await recordHistory('sub-processor-notice-applied', notice(bravo!));

    // Bravo ends: destruction covers the new set and the location that held its data before.
    await contract(bravo!).executeUpdate(terminateUpdate, { args: [{ reason: 'end of the test', actor: MANAGER }] });
    await engine.sleepUntil(new Date(Date.parse(await engine.now()) + 70 * DAY).toISOString());
    await engine.waitForDestruction(bravo!);
    const destroyed = await stateOf(bravo!);
    expect(destroyed.status).toBe('destroyed');
    expect(destroyed.destruction.certificate!.locations.map((l) => l.id)).toEqual(['web-platform', 'ovh-sbg-2', 'company-backup-le-tholonet', 'ovh-rbx-8', 'ovh-gra-1']);
    const gra = destroyed.destruction.certificate!.locations.find((l) => l.id === 'ovh-gra-1')!;
    // The seeded data at the replaced location was there, and was destroyed.
    expect(gra.evidence.objectCount).toBeGreaterThan(0);
  }, 300_000);
});
