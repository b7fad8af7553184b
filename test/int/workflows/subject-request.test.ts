import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_WORKFLOW, fileCommandUpdate, workflowIdOf, type FileWorkflowInput } from '#infra/temporal/messages';
import { DAY, MANAGER, recordHistory, shift, timeSkippingEngine, type TimeSkippingEngine } from '../../support/engine';

/**
 * P7 (DESIGN §3.2) on the time-skipping server, run by the generic file workflow from the type's
 * declaration: a request's assistance target reminds account management P3D before it and
 * escalates to the processor's DPO when it passes, each once and as facts that say when they were
 * due; one the processor received is passed to the controller at once, once.
 */
let engine: TimeSkippingEngine;
beforeAll(async () => {
  engine = await timeSkippingEngine({ env: { ACCOUNT_MANAGEMENT_EMAIL: 'am@processor.example' } });
});
afterAll(async () => engine?.teardown());

/** Opens a request as the API does: update-with-start of the file workflow, the margin from the engine's settings. */
async function open(receivedAt: string, reference: string, receivedBy: 'controller' | 'processor' = 'controller') {
  const requestId = randomUUID();
  const context = { id: requestId, contractId: randomUUID(), contract: { orderedAt: shift(receivedAt, -DAY) }, settings: { assistanceMargin: 'P7D' } };
  const input: FileWorkflowInput = { type: 'subject-request', id: requestId, parties: { controllerName: 'Client SAS', controllerEmail: 'privacy@client.example', controllerDpoEmail: null, contractReference: null } };
  const workflowId = workflowIdOf('subject-request', requestId);
  const answer = await engine.env.client.workflow.executeUpdateWithStart(fileCommandUpdate, {
    args: [{ command: 'open', body: { type: 'access', receivedAt, receivedBy, reference }, context, actor: MANAGER }],
    startWorkflowOperation: new WithStartWorkflowOperation(FILE_WORKFLOW, { workflowId, taskQueue: engine.taskQueue, args: [input], workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
  });
  return { requestId, answer, handle: engine.env.client.workflow.getHandle(workflowId) };
}

/** The file's own events (the receipts of its emails aside). */
const own = async (id: string) => (await engine.store.readStream(id)).filter((e) => e.type !== 'EmailSent');
const types = async (id: string) => (await own(id)).map((e) => e.type);

describe('a data-subject request\'s clocks (time-skipping)', () => {
  it('reminds P3D before the assistance target and escalates at it, each once, recording when each was due', async () => {
    const receivedAt = await engine.now();
    const { requestId, handle } = await open(receivedAt, 'TS-1');
    // Written out: deadline = receipt + 1 calendar month; target = deadline − P7D; reminder = target − P3D.
    const r = new Date(receivedAt);
    const deadline = new Date(r);
    deadline.setUTCMonth(r.getUTCMonth() + 1);
    if (deadline.getUTCDate() !== r.getUTCDate()) deadline.setUTCDate(0);
    const target = new Date(deadline.getTime() - 7 * DAY).toISOString();
    const reminderAt = new Date(Date.parse(target) - 3 * DAY).toISOString();

    await engine.sleepUntil(shift(reminderAt, -60_000));
    expect(await types(requestId)).toEqual(['SubjectRequestOpened']);
    await engine.sleepUntil(shift(reminderAt, 60_000));
    const reminder = await engine.mail.waitFor((m) => m.to.includes('am@processor.example') && m.subject.includes('TS-1'));
    expect(reminder.text).toContain(target);
    await engine.sleepUntil(shift(target, 60_000));
    await engine.mail.waitFor((m) => m.to.includes('dpo@processor.example') && m.subject.includes('TS-1'));
    const events = await own(requestId);
    expect(events.map((e) => e.type)).toEqual(['SubjectRequestOpened', 'AssistanceReminded', 'AssistanceEscalated']);
    expect(events[1]!.data).toMatchObject({ dueAt: target });
    expect(events[2]!.data).toMatchObject({ dueAt: target });
    expect(Date.parse(events[2]!.data.actedAt as string) - Date.parse(target)).toBeLessThan(60_000);
    // Nothing more until the file is completed: no further emails, however long it stays open.
    await engine.sleepUntil(shift(deadline.toISOString(), 10 * DAY));
    expect(engine.mail.messages.filter((m) => m.subject.includes('TS-1'))).toHaveLength(2);
    expect(await types(requestId)).toHaveLength(3);
    // Each email's receipt is in the request's trail, once.
    await engine.receipts(requestId, 2);
    // Once the request's workflow is quiet, no third (a repeated report) has followed.
    await engine.settled([handle.workflowId]);
    const receipts = (await engine.store.readStream(requestId)).filter((e) => e.type === 'EmailSent');
    expect(receipts.map((e) => e.data.kind).sort()).toEqual(['assistance-escalation', 'assistance-reminder']);
    await recordHistory('subject-request-clocks', handle);
  });

  it('passes a request the processor received to the controller at once, once, the fact before its email', async () => {
    const receivedAt = await engine.now();
    const { requestId, answer, handle } = await open(receivedAt, 'TS-FWD', 'processor');
    expect(answer).toMatchObject({ created: true, state: { status: 'open', receivedBy: 'processor' } });
    const forwarded = await engine.mail.waitFor((m) => m.to.includes('privacy@client.example') && m.subject.includes('TS-FWD'));
    expect(forwarded.subject).toContain('Data-subject request received for you');
    await engine.receipts(requestId, 1);
    const events = await own(requestId);
    expect(events.map((e) => e.type)).toEqual(['SubjectRequestOpened', 'SubjectRequestForwarded']);
    // At once: within the task that opened it, not at a later timer.
    expect(Date.parse(events[1]!.data.forwardedAt as string) - Date.parse(events[0]!.data.openedAt as string)).toBeLessThan(60_000);
    // Completed: no second forward, whatever happens next.
    await handle.executeUpdate(fileCommandUpdate, { args: [{ command: 'complete', body: { outcome: 'fulfilled' }, context: { id: requestId, contractId: events[0]!.data.contractId as string, contract: { orderedAt: shift(receivedAt, -DAY) } }, actor: MANAGER }] });
    await handle.result();
    expect(engine.mail.messages.filter((m) => m.subject.includes('TS-FWD'))).toHaveLength(1);
    await recordHistory('subject-request-forwarded', handle);
  });
});
