import { continueAsNew, setHandler } from '@temporalio/workflow';
import { auditStream, type AuditCommand, type AuditEvent, type AuditState, type EmailSent } from '../../../../libs/domain/src';
import {
  auditSnapshotQuery,
  closeAuditUpdate,
  recordAuditPerformanceUpdate,
  recordFindingUpdate,
  remediateFindingUpdate,
  requestAuditUpdate,
  scheduleAuditUpdate,
  type AuditSnapshot,
  type AuditWorkflowInput,
} from '../../../../libs/infra/src/temporal/messages';
import { openLedger, runEntity, type FileLedger } from '../kit/entity';
import { now } from '../kit/ledger';

type AuditLedger = FileLedger<AuditCommand, AuditEvent | EmailSent, AuditState>;

/**
 * One audit or inspection (C3, C4; DESIGN §3.7), from the controller's request to its closure once
 * every finding is remediated: the only writer of its stream. Each open finding's remediation is
 * reminded to account management before its due date and escalated to the DPO once it passes.
 */
export async function auditWorkflow(input: AuditWorkflowInput): Promise<AuditSnapshot> {
  const { auditId, parties } = input;
  const ledger: AuditLedger = openLedger(auditStream, auditId, input.carried);
  setHandler(auditSnapshotQuery, () => ledger.snapshot());
  setHandler(
    requestAuditUpdate,
    ({ request, actor }) =>
      ledger.serially(async () => {
        const events = await ledger.commit({ type: 'RequestAudit', data: { ...request, recordedAt: now() } }, actor);
        return { ...ledger.snapshot(), created: events.length > 0 };
      }),
    { validator: ({ request }) => ledger.admit({ type: 'RequestAudit', data: { ...request, recordedAt: now() } }) },
  );
  ledger.onCommand(scheduleAuditUpdate, ({ scheduledFor }, at) => ({ type: 'ScheduleAudit', data: { scheduledFor, recordedAt: at } }));
  ledger.onCommand(recordAuditPerformanceUpdate, ({ performedAt, reportRef }, at) => ({ type: 'RecordAuditPerformance', data: { performedAt, reportRef, recordedAt: at } }));
  ledger.onCommand(recordFindingUpdate, ({ findingId, summary, remediationDueAt }, at) => ({ type: 'RecordFinding', data: { findingId, summary, remediationDueAt, recordedAt: at } }));
  ledger.onCommand(remediateFindingUpdate, ({ findingId, remediatedAt, summary }, at) => ({ type: 'RemediateFinding', data: { findingId, remediatedAt, summary, recordedAt: at } }));
  ledger.onCommand(closeAuditUpdate, ({ summary }, at) => ({ type: 'CloseAudit', data: { summary, recordedAt: at } }));

  await runEntity(auditStream, ledger, {
    async afterTimer(_timer, events) {
      const s = ledger.state as Exclude<AuditState, { status: 'none' }>;
      for (const e of events) {
        if (e.type !== 'RemediationReminded' && e.type !== 'RemediationEscalated') continue;
        const finding = s.findings.find((f) => f.findingId === e.data.findingId)!;
        await ledger.mail.send({
          kind: e.type === 'RemediationReminded' ? 'remediation-reminder' : 'remediation-escalation',
          auditId,
          contractId: s.contractId,
          auditKind: s.kind,
          performedAt: s.performedAt!,
          findingId: finding.findingId,
          finding: finding.summary,
          remediationDueAt: finding.remediationDueAt,
          controllerName: parties.controllerName,
          contractReference: parties.contractReference,
        });
      }
    },
    continueAsNew: (carried) => continueAsNew<typeof auditWorkflow>({ auditId, parties, carried }),
  });
  return ledger.snapshot();
}
