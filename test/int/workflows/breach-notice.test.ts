import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  breachNoticeWorkflowId,
  confirmIncidentUpdate,
  incidentWorkflowId,
  recordIncidentUpdate,
  type IncidentWorkflowInput,
} from '#infra/temporal/messages';
import { breachNoticeId } from '#infra/ids';
import { HOUR, recordHistory, shift, timeSkippingEngine, type TimeSkippingEngine } from '../../support/engine';
import { routine } from '../../support/mail';

/**
 * P8 (DESIGN §3.1) on the time-skipping server: a notice's target escalates to the processor's DPO
 * once, at the target, when the relay is down past it, and both emails go out once each when it is
 * back; once sent, no acknowledgement for PT24H reminds account management once, at sentAt + 24 h.
 */
let engine: TimeSkippingEngine;
const DPO = { role: 'dpo' } as const;
beforeAll(async () => {
  engine = await timeSkippingEngine({ env: { ACCOUNT_MANAGEMENT_EMAIL: 'am@processor.example' } });
});
afterAll(async () => engine?.teardown());

/** One handed-over contract, then an incident scoped to it, confirmed now: answers its notice id. */
async function breachOf(controllerEmail: string): Promise<{ incidentId: string; contractId: string; noticeId: string; awareAt: string }> {
  const { contractId } = await engine.order({ controller: { customerId: null, name: 'Acme SAS', email: controllerEmail, address: '1 rue de la Paix, 75002 Paris', dpoEmail: null } });
  await engine.handOver(contractId);
  const incidentId = randomUUID();
  const input: IncidentWorkflowInput = { incidentId, noticeTarget: 'PT24H' };
  const detectedAt = await engine.now();
  await engine.env.client.workflow.executeUpdateWithStart(recordIncidentUpdate, {
    args: [{ record: { incidentId, detectedAt, scope: { contracts: [contractId] }, content: { summary: 'Backup node reached from outside' } }, actor: DPO }],
    startWorkflowOperation: new WithStartWorkflowOperation('incidentWorkflow', { workflowId: incidentWorkflowId(incidentId), taskQueue: engine.taskQueue, args: [input], workflowIdConflictPolicy: 'USE_EXISTING' }),
  });
  const awareAt = await engine.now();
  await engine.env.client.workflow.getHandle(incidentWorkflowId(incidentId)).executeUpdate(confirmIncidentUpdate, { args: [{ awareAt, actor: DPO }] });
  return { incidentId, contractId, noticeId: breachNoticeId(incidentId, contractId), awareAt };
}

const types = async (id: string) => (await engine.store.readStream(id)).map((e) => e.type);

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a breach notice\'s clocks (time-skipping)', () => {
  it('without an acknowledgement, reminds account management once, at sentAt + 24 h', async () => {
    // The receipt's instant is the SMTP server's wall clock: this test runs before any time is skipped.
    expect(Math.abs(Date.parse(await engine.now()) - Date.now())).toBeLessThan(60_000);
    const { noticeId, incidentId } = await breachOf('privacy@first.example');
    const notice = await engine.mail.waitFor((m) => m.to.includes('privacy@first.example') && !routine(m));
    expect(notice.subject).toContain('Personal data breach notification');
    const receipt = await until('the receipt', async () => (await engine.store.readStream(noticeId)).find((e) => e.type === 'EmailSent'));
    const sentAt = receipt.data.acceptedAt as string;
    const reminderAt = new Date(Date.parse(sentAt) + 24 * HOUR).toISOString();

    await engine.sleepUntil(shift(reminderAt, -60_000));
    expect(await types(noticeId)).toEqual(['BreachNoticeOpened', 'EmailSent']);
    await engine.sleepUntil(shift(reminderAt, 60_000));
    const reminder = await engine.mail.waitFor((m) => m.to.includes('am@processor.example') && m.text.includes(noticeId));
    // The controller's own authority deadline, 72 hours after the receipt (GDPR 33(1)), stated to the instant.
    expect(reminder.text).toContain(`must be notified by ${new Date(Date.parse(sentAt) + 72 * HOUR).toISOString()}`);
    const events = await until('the reminder\'s receipt', async () => {
      const all = await engine.store.readStream(noticeId);
      return all.filter((e) => e.type === 'EmailSent').length === 2 && all;
    });
    const reminded = events.find((e) => e.type === 'AcknowledgementReminded')!;
    expect(reminded.data.dueAt).toBe(reminderAt);
    expect(Date.parse(reminded.data.actedAt as string) - Date.parse(reminderAt)).toBeLessThan(60_000);
    // Once: however long the notice stays unacknowledged.
    await engine.sleepUntil(shift(reminderAt, 10 * 24 * HOUR));
    expect(engine.mail.messages.filter((m) => m.text.includes(noticeId) && m.to.includes('am@processor.example'))).toHaveLength(1);
    expect((await types(noticeId)).filter((t) => t === 'AcknowledgementReminded')).toHaveLength(1);
    await recordHistory('breach-notice-reminder', engine.env.client.workflow.getHandle(breachNoticeWorkflowId(noticeId)));
    await recordHistory('incident-confirmed', engine.env.client.workflow.getHandle(incidentWorkflowId(incidentId)));
  });

  it('a notice the relay refuses for good (550) is recorded as failed, never retried, and escalates at its target', async () => {
    engine.mail.rejectRecipient('privacy@third.example');
    const { noticeId, awareAt } = await breachOf('privacy@third.example');
    const [failure] = await until('the failure', async () => {
      const found = (await engine.store.readStream(noticeId)).filter((e) => e.type === 'EmailFailed');
      return found.length > 0 && found;
    });
    expect(failure!.data).toMatchObject({ key: `${noticeId}:notice`, kind: 'breach-notice', to: ['privacy@third.example'], smtpCode: 550 });
    const [row] = (await engine.dataSource.query(`SELECT status, attempts FROM outbox WHERE message_id = $1`, [`${noticeId}:notice`])) as { status: string; attempts: number }[];
    expect(row).toEqual({ status: 'failed', attempts: 1 });
    const targetDue = new Date(Date.parse(awareAt) + 24 * HOUR).toISOString();
    await engine.sleepUntil(shift(targetDue, 60_000));
    const escalated = await until('the escalation', async () => (await engine.store.readStream(noticeId)).find((e) => e.type === 'BreachNoticeEscalated'));
    expect(escalated.data.dueAt).toBe(targetDue);
    const [notice] = (await engine.dataSource.query(`SELECT state FROM breach_notices WHERE id = $1`, [noticeId])) as { state: { status: string; sentAt: string | null } }[];
    expect(notice!.state).toMatchObject({ status: 'pending', sentAt: null });
  });

  it('with the relay down past the target, escalates once at the target; the escalation and the notice each go out once when it is back', async () => {
    engine.mail.refuse(true);
    try {
      const { noticeId, awareAt } = await breachOf('privacy@second.example');
      const targetDue = new Date(Date.parse(awareAt) + 24 * HOUR).toISOString();
      await until('a refused attempt', async () => engine.mail.refused > 0);
      await engine.sleepUntil(shift(targetDue, -60_000));
      expect(await types(noticeId)).toEqual(['BreachNoticeOpened']);
      await engine.sleepUntil(shift(targetDue, 60_000));
      const escalated = await until('the escalation', async () => (await engine.store.readStream(noticeId)).find((e) => e.type === 'BreachNoticeEscalated'));
      expect(escalated.data.dueAt).toBe(targetDue);
      expect(Date.parse(escalated.data.actedAt as string) - Date.parse(targetDue)).toBeLessThan(60_000);
      expect(engine.mail.messages.filter((m) => m.text.includes(noticeId))).toHaveLength(0);

      engine.mail.refuse(false);
      await engine.mail.waitFor((m) => m.to.includes('dpo@processor.example') && m.text.includes(noticeId));
      await engine.mail.waitFor((m) => m.to.includes('privacy@second.example') && !routine(m));
      // (The relay's clock is the wall clock, days behind this server's skipped one: the receipt's
      // acceptedAt lies in the workflow's past, so the acknowledgement reminder follows at once.
      // Only the notice's and the escalation's receipts are this test's.)
      const kinds = (all: Awaited<ReturnType<typeof engine.store.readStream>>) => all.filter((e) => e.type === 'EmailSent').map((e) => e.data.kind as string);
      const events = await until('both receipts', async () => {
        const all = await engine.store.readStream(noticeId);
        return kinds(all).includes('breach-notice') && kinds(all).includes('breach-escalation') && all;
      });
      expect(events.filter((e) => e.type === 'BreachNoticeEscalated')).toHaveLength(1);
      // Once the notice's workflow is quiet, every email sent and reported: each once.
      await engine.settled([breachNoticeWorkflowId(noticeId)]);
      const recorded = kinds(await engine.store.readStream(noticeId));
      expect(recorded.filter((k) => k === 'breach-notice')).toHaveLength(1);
      expect(recorded.filter((k) => k === 'breach-escalation')).toHaveLength(1);
      expect(engine.mail.messages.filter((m) => m.to.includes('privacy@second.example') && !routine(m))).toHaveLength(1);
      expect(engine.mail.messages.filter((m) => m.to.includes('dpo@processor.example') && m.text.includes(noticeId))).toHaveLength(1);
      // Sent once the relay took it (its receipt's instant is the relay's wall clock, behind this server's skipped one).
      const [row] = (await engine.dataSource.query(`SELECT state FROM breach_notices WHERE id = $1`, [noticeId])) as { state: { status: string; sentAt: string | null } }[];
      expect(row!.state).toMatchObject({ sentAt: events.find((e) => e.type === 'EmailSent' && e.data.kind === 'breach-notice')!.data.acceptedAt });
      expect(row!.state.status).toBe('sent');
      await recordHistory('breach-notice-escalation', engine.env.client.workflow.getHandle(breachNoticeWorkflowId(noticeId)));
    } finally {
      engine.mail.refuse(false);
    }
  });
});
