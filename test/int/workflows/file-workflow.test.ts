import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDuration, fileTypeNamed } from '#domain';
import { toNewEvents } from '#infra/event-store/streams';
import { FILE_WORKFLOW, fileCommandUpdate, fileSnapshotQuery, workflowIdOf, type FileCommandInput, type FileWorkflowInput } from '#infra/temporal/messages';
import { DAY, domainRefusal, MANAGER, recordHistory, shift, timeSkippingEngine, type TimeSkippingEngine } from '../../support/engine';

const DPO = { role: 'dpo' } as const;
const ENGINE_ACTOR = { role: 'engine' } as const;

/**
 * DESIGN §5 on the time-skipping server: a type with no orchestration of its own (here the DPIA
 * assistance request, P9) runs in the one generic file workflow from its declaration alone —
 * opened by update-with-start, commanded by name, its clocks fired, the emails it owes sent once
 * each with their receipts in its trail, and closed when its status is final.
 */
let engine: TimeSkippingEngine;
beforeAll(async () => {
  engine = await timeSkippingEngine({ env: { ACCOUNT_MANAGEMENT_EMAIL: 'am@processor.example' } });
});
afterAll(async () => engine?.teardown());

const TYPE = 'assistance-request';
const parties = { controllerName: 'Acme SAS', controllerEmail: 'privacy@acme.example', controllerDpoEmail: null, contractReference: 'ACME-7' };

/** Opens a file of `type` with its creating command, as the API does (update-with-start). */
async function openFile(type: string, command: string, body: Record<string, unknown>, orderedAt: string, actor: FileCommandInput['actor'] = MANAGER) {
  const id = randomUUID();
  const context = { id, contractId: randomUUID(), contract: { orderedAt } };
  const input: FileWorkflowInput = { type, id, parties };
  const answer = await engine.env.client.workflow.executeUpdateWithStart(fileCommandUpdate, {
    args: [{ command, body, context, actor }],
    startWorkflowOperation: new WithStartWorkflowOperation(FILE_WORKFLOW, { workflowId: workflowIdOf(type, id), taskQueue: engine.taskQueue, args: [input], workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
  });
  const handle = engine.env.client.workflow.getHandle(workflowIdOf(type, id));
  const send = (name: string, payload: Record<string, unknown> = {}, by: FileCommandInput['actor'] = MANAGER) => handle.executeUpdate(fileCommandUpdate, { args: [{ command: name, body: payload, context, actor: by }] });
  return { id, context, answer, handle, send };
}

const open = (receivedAt: string, dueAt: string, summary: string) => openFile(TYPE, 'request', { kind: 'dpia', receivedAt, dueAt, summary }, shift(receivedAt, -DAY));

const own = async (id: string) => (await engine.store.readStream(id)).filter((e) => e.type !== 'EmailSent');

describe('the generic file workflow (time-skipping)', () => {
  it("runs a declared type's clocks: reminds account management two days before the due date and escalates to the DPO at it, each once, then closes on delivery", async () => {
    const receivedAt = await engine.now();
    const dueAt = shift(receivedAt, 10 * DAY);
    const { id, context, answer, handle } = await open(receivedAt, dueAt, 'DPIA of the TS-GEN-1 analytics database');
    expect(answer).toMatchObject({ created: true, version: 1, state: { status: 'open', dueAt } });
    // The same command again (a retried request) records nothing and answers the same file.
    const again = await handle.executeUpdate(fileCommandUpdate, { args: [{ command: 'request', body: { kind: 'dpia', receivedAt, dueAt, summary: 'DPIA of the TS-GEN-1 analytics database' }, context, actor: MANAGER }] });
    expect(again).toMatchObject({ created: false, version: 1 });
    // A command the domain refuses never enters the history; one the type does not declare neither.
    expect((await domainRefusal(handle.executeUpdate(fileCommandUpdate, { args: [{ command: 'deliver', body: { deliveredAt: shift(receivedAt, -2 * DAY), provided: 'x' }, context, actor: MANAGER }] }))).code).toBe('assistance_request.delivered_before_received');

    // Written out: the reminder is due two days before dueAt, the escalation at dueAt.
    const reminderAt = shift(dueAt, -2 * DAY);
    await engine.sleepUntil(shift(reminderAt, -60_000));
    expect((await own(id)).map((e) => e.type)).toEqual(['AssistanceRequested']);
    await engine.sleepUntil(shift(reminderAt, 60_000));
    const reminder = await engine.mail.waitFor((m) => m.to.includes('am@processor.example') && m.text.includes('TS-GEN-1'));
    expect(reminder.subject).toContain(dueAt);
    expect(reminder.subject).toContain('ACME-7');
    await engine.sleepUntil(shift(dueAt, 60_000));
    await engine.mail.waitFor((m) => m.to.includes('dpo@processor.example') && m.text.includes('TS-GEN-1'));
    const events = await own(id);
    expect(events.map((e) => e.type)).toEqual(['AssistanceRequested', 'AssistanceRequestReminded', 'AssistanceRequestEscalated']);
    expect(events[1]!.data).toMatchObject({ dueAt });
    expect(Date.parse(events[2]!.data.actedAt as string) - Date.parse(dueAt)).toBeLessThan(60_000);
    const receipts = await engine.receipts(id, 2);
    expect(receipts.map((e) => e.data.kind).sort()).toEqual(['assistance-request-escalation', 'assistance-request-reminder']);

    const deliveredAt = await engine.now();
    const delivered = await handle.executeUpdate(fileCommandUpdate, { args: [{ command: 'deliver', body: { deliveredAt, provided: 'Security measures and the sub-processor list' }, context, actor: MANAGER }] });
    expect(delivered).toMatchObject({ state: { status: 'delivered' } });
    expect((await handle.query(fileSnapshotQuery)).version).toBe(delivered.version);
    // Final: the workflow ends once its emails' receipts are in (both are); nothing more is sent.
    await handle.result();
    expect(engine.mail.messages.filter((m) => m.text.includes('TS-GEN-1'))).toHaveLength(2);
    await recordHistory('assistance-request-file-workflow', handle);
  });

  it("a file closed by a task that was lost after its append still sends what it owes before it ends: its timer's commit finds the close in the store, and the final step puts the owed email in the outbox", async () => {
    const receivedAt = await engine.now();
    const dueAt = shift(receivedAt, 10 * DAY);
    const { id, context, handle } = await open(receivedAt, dueAt, 'DPIA of the TS-GEN-10 ledger');
    // What a lost task had stored at the reminder's instant: the reminder (its email owed) and a delivery that closes the file.
    const type = fileTypeNamed(TYPE)!;
    const stream = type.stream;
    const stored = await engine.store.readStream(id);
    let state = stored.reduce((s, e) => stream.evolve(s, stream.upcast(e)), stream.initialState());
    const reminder = stream.nextTimer(state)!;
    expect(reminder.at).toBe(shift(dueAt, -2 * DAY));
    const reminded = stream.decide(reminder.command(reminder.at), state);
    state = reminded.reduce((s, e) => stream.evolve(s, e), state);
    const deliveredAt = shift(reminder.at, 60_000);
    const delivered = stream.decide(type.commands!.deliver!.toCommand({ deliveredAt, provided: 'The DPIA inputs' }, { ...context, recordedAt: deliveredAt }) as { type: string }, state);
    expect([...reminded, ...delivered].map((e) => e.type)).toEqual(['AssistanceRequestReminded', 'AssistanceDelivered']);
    await engine.store.append(stream.name, id, stored.length, toNewEvents(stream, [...reminded, ...delivered], { actor: 'engine' }));

    // The workflow's own reminder comes due: its commit meets the stream ahead, folds the close in, and the file is final.
    await engine.sleepUntil(shift(reminder.at, 2 * 60_000));
    // The receipt on the wall clock, then the end: the workflow ends once its last email is reported.
    expect((await engine.receipts(id, 1)).map((e) => e.data.kind)).toEqual(['assistance-request-reminder']);
    await handle.result();
    const events = await engine.store.readStream(id);
    expect(events.map((e) => e.type)).toEqual(['AssistanceRequested', 'AssistanceRequestReminded', 'AssistanceDelivered', 'EmailSent']);
    expect(events[3]!.data).toMatchObject({ kind: 'assistance-request-reminder' });
    const sent = engine.mail.messages.filter((m) => m.text.includes('TS-GEN-10'));
    expect(sent.map((m) => m.to)).toEqual([['am@processor.example']]);
  });

  it('refuses a command the declaration does not know, before it enters the history', async () => {
    const receivedAt = await engine.now();
    const { context, handle } = await open(receivedAt, shift(receivedAt, 20 * DAY), 'DPIA of the TS-GEN-2 archive');
    const refused = await handle.executeUpdate(fileCommandUpdate, { args: [{ command: 'shred', body: {}, context, actor: MANAGER }] }).then(
      () => expect.fail('an undeclared command was taken'),
      (e: unknown) => e as WorkflowUpdateFailedError,
    );
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused.cause as ApplicationFailure).type).toBe('file.unknown_command');
    expect((await handle.query(fileSnapshotQuery)).version).toBe(1);
  });

  it('sends a transfer notice to the controller at once; its receipt makes it sent and closes the file; a withheld one sends nothing', async () => {
    const recordedAt = await engine.now();
    const plannedAt = shift(recordedAt, 7 * DAY);
    const notice = await openFile('transfer-notice', 'record', { destination: 'TS-GEN-3: a federal court', legalObligation: 'court order 24-cv-0113', plannedAt }, shift(recordedAt, -DAY), DPO);
    expect(notice.answer).toMatchObject({ created: true, state: { status: 'pending' } });
    const mail = await engine.mail.waitFor((m) => m.to.includes('privacy@acme.example') && m.text.includes('TS-GEN-3'));
    expect(mail.text).toContain('court order 24-cv-0113');
    // The receipt first, on the wall clock: waiting on the result lets the server skip time, and a
    // receipt still on its way would let it skip to the planned date (an escalation) on a busy machine.
    expect((await engine.receipts(notice.id, 1)).map((e) => e.data.kind)).toEqual(['transfer-notice']);
    const final = (await notice.handle.result()) as { state: { status: string; sentAt: string | null } };
    expect(final.state.status).toBe('sent');
    expect((await engine.store.readStream(notice.id)).map((e) => e.type)).toEqual(['TransferNoticeRecorded', 'EmailSent']);
    await recordHistory('transfer-notice-file-workflow', notice.handle);

    const withheld = await openFile('transfer-notice', 'record', { destination: 'TS-GEN-4: a judge', legalObligation: 'article 100', plannedAt: shift(recordedAt, -DAY), withheldReason: 'the judge forbade any disclosure' }, shift(recordedAt, -2 * DAY), DPO);
    expect(withheld.answer).toMatchObject({ state: { status: 'withheld' } });
    await withheld.handle.result();
    expect(engine.mail.messages.filter((m) => m.text.includes('TS-GEN-4'))).toHaveLength(0);
  });

  it("holds an instruction the DPO objects to, emails the controller at once, and lets it be executed only after the controller's confirmation", async () => {
    const receivedAt = await engine.now();
    const file = await openFile('instruction', 'document', { receivedAt, channel: 'email', summary: 'TS-GEN-5: keep backups for 90 days', documentRef: 'T-5' }, shift(receivedAt, -DAY));
    expect(file.answer).toMatchObject({ created: true, state: { status: 'documented' } });
    await file.send('acknowledge');
    await file.send('object', { reason: 'no legal basis named' }, DPO);
    const objection = await engine.mail.waitFor((m) => m.to.includes('privacy@acme.example') && m.text.includes('TS-GEN-5'));
    expect(objection.text).toContain('no legal basis named');
    expect((await domainRefusal(file.send('execute'))).code).toBe('instruction.on_hold');
    await file.send('confirm');
    expect(await file.send('execute')).toMatchObject({ state: { status: 'executed' } });
    await file.handle.result();
    expect((await own(file.id)).map((e) => e.type)).toEqual(['InstructionDocumented', 'InstructionAcknowledged', 'InstructionObjected', 'InstructionConfirmed', 'InstructionExecuted']);
    expect(engine.mail.messages.filter((m) => m.text.includes('TS-GEN-5'))).toHaveLength(1);
    await recordHistory('instruction-file-workflow', file.handle);
  });

  it('stores a command whose email the outbox refuses for good, answers it, and sends the email once the outbox takes it again', async () => {
    // The outbox refuses (check_violation, a refusal for good) every message about TS-GEN-9 while the flag row is there.
    await engine.dataSource.query(`CREATE TABLE outbox_refusal_test (on_ boolean)`);
    await engine.dataSource.query(`INSERT INTO outbox_refusal_test VALUES (true)`);
    await engine.dataSource.query(`CREATE FUNCTION outbox_refusal_test() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.body LIKE '%TS-GEN-9%' AND EXISTS (SELECT 1 FROM outbox_refusal_test) THEN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '23514'; END IF;
        RETURN NEW;
      END $$`);
    await engine.dataSource.query(`CREATE TRIGGER outbox_refusal_test BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_refusal_test()`);
    try {
      const receivedAt = await engine.now();
      const file = await openFile('instruction', 'document', { receivedAt, channel: 'email', summary: 'TS-GEN-9: delete the logs weekly', documentRef: 'T-9' }, shift(receivedAt, -DAY));
      await file.send('acknowledge');
      // The objection owes the controller an email the outbox refuses: the command is stored and answered all the same.
      const objected = await file.send('object', { reason: 'TS-GEN-9 names no legal basis' }, DPO);
      expect(objected).toMatchObject({ state: { status: 'on_hold' }, version: 3 });
      expect((await own(file.id)).map((e) => e.type)).toEqual(['InstructionDocumented', 'InstructionAcknowledged', 'InstructionObjected']);
      expect((await file.handle.query(fileSnapshotQuery)).version).toBe(3);
      expect(await engine.dataSource.query(`SELECT 1 FROM outbox WHERE body LIKE '%TS-GEN-9%'`)).toHaveLength(0);

      // The outbox takes it again: the file, still owing the email, sends it at its next try (a minute on).
      await engine.dataSource.query(`DELETE FROM outbox_refusal_test`);
      await engine.sleepUntil(shift(await engine.now(), 3 * 60_000));
      await engine.mail.waitFor((m) => m.to.includes('privacy@acme.example') && m.text.includes('TS-GEN-9'));
      const receipts = await engine.receipts(file.id, 1);
      expect(receipts.map((e) => e.data.kind)).toEqual(['instruction-objection']);
      expect(engine.mail.messages.filter((m) => m.text.includes('TS-GEN-9'))).toHaveLength(1);
    } finally {
      await engine.dataSource.query(`DROP TRIGGER IF EXISTS outbox_refusal_test ON outbox`);
      await engine.dataSource.query(`DROP FUNCTION IF EXISTS outbox_refusal_test()`);
      await engine.dataSource.query(`DROP TABLE IF EXISTS outbox_refusal_test`);
    }
  });

  it("asks a controller's contact at its first hand-over, reminds account management P14D later and escalates to the DPO P30D later, each once, and asks again a period after", async () => {
    const t0 = await engine.now();
    const identity = 'customer:TS-GEN-6';
    const id = randomUUID();
    const context = { id, contractId: null, contract: null, controller: { id: randomUUID(), identity } };
    const handle = engine.env.client.workflow.getHandle(workflowIdOf('contact-check', id));
    await engine.env.client.workflow.executeUpdateWithStart(fileCommandUpdate, {
      args: [{ command: 'note', body: { contracts: 1, countedAt: t0, contact: 'cert@ts-gen-6.example', period: 'P6M', backfill: false }, context, actor: ENGINE_ACTOR }],
      startWorkflowOperation: new WithStartWorkflowOperation(FILE_WORKFLOW, { workflowId: workflowIdOf('contact-check', id), taskQueue: engine.taskQueue, args: [{ type: 'contact-check', id, parties }], workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
    });
    const ask = await engine.mail.waitFor((m) => m.to.includes('cert@ts-gen-6.example'));
    expect(ask.text).toMatch(/\/links\/contact-check\/confirm\?t=/);
    const openedAt = ((await handle.query(fileSnapshotQuery)).state as { rounds: { openedAt: string }[] }).rounds[0]!.openedAt;
    expect(Date.parse(openedAt) - Date.parse(t0)).toBeLessThan(60_000);

    // Written out: the reminder P14D after the ask, the escalation P30D after it.
    const remindAt = shift(openedAt, 14 * DAY);
    const escalateAt = shift(openedAt, 30 * DAY);
    await engine.sleepUntil(shift(remindAt, -60_000));
    expect(engine.mail.messages.filter((m) => m.text.includes('TS-GEN-6') || m.subject.includes('TS-GEN-6'))).toHaveLength(0);
    await engine.sleepUntil(shift(remindAt, 60_000));
    await engine.mail.waitFor((m) => m.to.includes('am@processor.example') && m.text.includes('customer:TS-GEN-6'));
    await engine.sleepUntil(shift(escalateAt, 60_000));
    await engine.mail.waitFor((m) => m.to.includes('dpo@processor.example') && m.text.includes('customer:TS-GEN-6'));
    const facts = (await own(id)).map((e) => ({ type: e.type, dueAt: e.data['dueAt'] }));
    expect(facts).toEqual([
      { type: 'ContactCheckOpened', dueAt: undefined },
      { type: 'ProcessingCounted', dueAt: undefined },
      { type: 'ContactRoundOpened', dueAt: expect.any(String) },
      { type: 'ContactCheckReminded', dueAt: remindAt },
      { type: 'ContactCheckEscalated', dueAt: escalateAt },
    ]);
    // The link's command, as the page sends it: recorded once, then nothing is owed.
    await handle.executeUpdate(fileCommandUpdate, { args: [{ command: 'confirm', body: { round: 1 }, context, actor: { role: 'controller', keyId: 'link:test' } }] });
    expect(((await handle.query(fileSnapshotQuery)).state as { status: string }).status).toBe('confirmed');
    const sent = engine.mail.messages.length;
    // A period after the ask (clamped to a month's end), the contact is asked again.
    const nextAt = addDuration(openedAt, 'P6M');
    await engine.sleepUntil(shift(nextAt, -60_000));
    expect(engine.mail.messages).toHaveLength(sent);
    await engine.sleepUntil(shift(nextAt, 60_000));
    await engine.mail.waitFor((m) => m.to.includes('cert@ts-gen-6.example') && m !== ask);
    expect(engine.mail.messages.filter((m) => m.to.includes('cert@ts-gen-6.example'))).toHaveLength(2);
    await engine.receipts(id, 4);
    await recordHistory('contact-check-file-workflow', handle);
  });

  it("keeps a controller's record: its preferences set, the same again recording nothing", async () => {
    const identity = 'customer:TS-GEN-7';
    const id = randomUUID();
    const context = { id, contractId: null, contract: null, controller: { id, identity } };
    const set = (body: Record<string, unknown>) => ({ args: [{ command: 'set', body, context, actor: DPO }] as [FileCommandInput] });
    const first = await engine.env.client.workflow.executeUpdateWithStart(fileCommandUpdate, {
      ...set({ locale: 'fr', timeZone: 'Europe/Paris' }),
      startWorkflowOperation: new WithStartWorkflowOperation(FILE_WORKFLOW, { workflowId: workflowIdOf('controller', id), taskQueue: engine.taskQueue, args: [{ type: 'controller', id, parties }], workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
    });
    expect(first).toMatchObject({ created: true, state: { locale: 'fr', timeZone: 'Europe/Paris', breachContact: null } });
    const handle = engine.env.client.workflow.getHandle(workflowIdOf('controller', id));
    expect(await handle.executeUpdate(fileCommandUpdate, set({ locale: 'fr', timeZone: 'Europe/Paris' }))).toMatchObject({ created: false, version: 1 });
    expect(await handle.executeUpdate(fileCommandUpdate, set({ breachContact: 'cert@ts-gen-7.example' }))).toMatchObject({ version: 2, state: { locale: 'en', breachContact: 'cert@ts-gen-7.example' } });
    expect((await domainRefusal(handle.executeUpdate(fileCommandUpdate, set({ timeZone: 'Mars/Olympus' })))).code).toBe('controller.invalid_time_zone');
    await recordHistory('controller-file-workflow', handle);
  });

  it("runs an audit's parts: a finding minted by its command, reminded P7D before its due date and escalated at it, each once; remediated by id, the audit closes", async () => {
    const requestedAt = await engine.now();
    const audit = await openFile('audit', 'request', { kind: 'audit', requestedAt, scope: 'TS-GEN-8 records of processing' }, shift(requestedAt, -DAY), DPO);
    expect(audit.answer).toMatchObject({ created: true, state: { status: 'requested' } });
    const part = (command: string, body: Record<string, unknown>, partId: string) => audit.handle.executeUpdate(fileCommandUpdate, { args: [{ command, body, context: { ...audit.context, partId }, actor: DPO }] });
    await audit.send('schedule', { scheduledFor: shift(requestedAt, 60_000) }, DPO);
    await audit.send('perform', { performedAt: requestedAt }, DPO);
    const findingId = randomUUID();
    const dueAt = shift(requestedAt, 20 * DAY);
    expect(await part('finding', { summary: 'TS-GEN-8 visitor log not kept', remediationDueAt: dueAt }, findingId)).toMatchObject({ state: { findings: [{ findingId, remediationDueAt: dueAt }] } });
    // The same finding again (a retried request, the same id): nothing new.
    expect((await part('finding', { summary: 'TS-GEN-8 visitor log not kept', remediationDueAt: dueAt }, findingId)).state).toMatchObject({ findings: [{ findingId }] });
    // Written out: reminded seven days before the due date, escalated at it.
    await engine.sleepUntil(shift(dueAt, -7 * DAY + 60_000));
    const reminder = await engine.mail.waitFor((m) => m.to.includes('am@processor.example') && m.text.includes('TS-GEN-8'));
    expect(reminder.subject).toContain(dueAt);
    await engine.sleepUntil(shift(dueAt, 60_000));
    await engine.mail.waitFor((m) => m.to.includes('dpo@processor.example') && m.text.includes('TS-GEN-8'));
    expect((await own(audit.id)).map((e) => e.type)).toEqual(['AuditRequested', 'AuditScheduled', 'AuditPerformed', 'FindingRecorded', 'RemediationReminded', 'RemediationEscalated']);
    await engine.receipts(audit.id, 2);
    expect((await domainRefusal(audit.send('close', {}, DPO))).code).toBe('audit.findings_open');
    expect((await domainRefusal(part('remediate', { remediatedAt: await engine.now(), summary: 'x' }, randomUUID()))).code).toBe('audit.finding_not_found');
    await part('remediate', { remediatedAt: await engine.now(), summary: 'A visitor log is kept at the desk' }, findingId);
    expect(await audit.send('close', {}, DPO)).toMatchObject({ state: { status: 'closed' } });
    await audit.handle.result();
    expect(engine.mail.messages.filter((m) => m.text.includes('TS-GEN-8'))).toHaveLength(2);
    await recordHistory('audit-file-workflow', audit.handle);
  });
  it("runs a person on the roster: reminds account management P30D before their training lapses, naming the contracts they are on, and tells the DPO at the lapse of the gap it opens, each once", async () => {
    const now = await engine.now();
    const id = randomUUID();
    const workflowId = workflowIdOf('staff', id);
    // Authorisations are addressed from their contract: it is the command's context.
    const command = (name: string, body: Record<string, unknown>, contractId: string | null = null) => ({ args: [{ command: name, body, context: { id, contractId, contract: null }, actor: DPO }] as [FileCommandInput] });
    const NOBODY = { controllerName: '', controllerEmail: '', controllerDpoEmail: null, contractReference: null };
    const first = await engine.env.client.workflow.executeUpdateWithStart(fileCommandUpdate, {
      ...command('register', { name: 'Robin TS-GEN-9', email: 'robin@processor.example' }),
      startWorkflowOperation: new WithStartWorkflowOperation(FILE_WORKFLOW, { workflowId, taskQueue: engine.taskQueue, args: [{ type: 'staff', id, parties: NOBODY }], workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
    });
    expect(first).toMatchObject({ created: true, state: { status: 'registered', name: 'Robin TS-GEN-9' } });
    const handle = engine.env.client.workflow.getHandle(workflowId);
    const [c1, c2] = [randomUUID(), randomUUID()];
    // Not cleared yet: no undertaking, no training.
    expect((await domainRefusal(handle.executeUpdate(fileCommandUpdate, command('authorise', { staffId: id }, c1)))).code).toBe('roster.not_cleared');
    await handle.executeUpdate(fileCommandUpdate, command('signConfidentiality', { signedAt: now }));
    // Written out: valid 60 days from completion, reminded 30 days before that.
    const validUntil = shift(now, 60 * DAY);
    const reminderAt = shift(now, 30 * DAY);
    expect(await handle.executeUpdate(fileCommandUpdate, command('recordTraining', { completedAt: now, course: 'GDPR for operators', validFor: 'P60D' }))).toMatchObject({ state: { trainingValidUntil: validUntil } });
    await handle.executeUpdate(fileCommandUpdate, command('authorise', { staffId: id }, c1));
    await handle.executeUpdate(fileCommandUpdate, command('authorise', { staffId: id }, c2));

    await engine.sleepUntil(shift(reminderAt, -60_000));
    expect((await own(id)).map((e) => e.type)).toEqual(['StaffRegistered', 'ConfidentialitySigned', 'TrainingRecorded', 'PersonAuthorised', 'PersonAuthorised']);
    await engine.sleepUntil(shift(reminderAt, 60_000));
    const reminder = await engine.mail.waitFor((m) => m.to.includes('am@processor.example') && m.text.includes('Robin TS-GEN-9'));
    expect(reminder.subject).toContain(validUntil);
    expect(reminder.text).toContain(`${c1}, ${c2}`);
    // Off one contract before the lapse: the gap opens on the other only.
    await handle.executeUpdate(fileCommandUpdate, command('revoke', {}, c2));
    await engine.sleepUntil(shift(validUntil, 60_000));
    const lapsed = await engine.mail.waitFor((m) => m.to.includes('dpo@processor.example') && m.text.includes('Robin TS-GEN-9'));
    expect(lapsed.subject).toContain('a gap on 1 contract(s)');
    expect(lapsed.text).toContain(c1);
    expect(lapsed.text).not.toContain(c2);
    const events = await own(id);
    expect(events.map((e) => e.type).slice(-3)).toEqual(['TrainingLapseReminded', 'AuthorisationRevoked', 'TrainingLapsed']);
    expect(events.at(-1)!.data).toMatchObject({ dueAt: validUntil, contracts: [c1] });
    expect((await engine.receipts(id, 2)).map((e) => e.data.kind).sort()).toEqual(['training-lapse-reminder', 'training-lapsed']);
    // Quiet again: each email once.
    await engine.settled([workflowId]);
    expect(engine.mail.messages.filter((m) => m.text.includes('Robin TS-GEN-9'))).toHaveLength(2);
    await recordHistory('staff-file-workflow', handle);
  });
});
