import { z } from 'zod';
import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { at, body, instant, oneOf, text } from '../kit/schema';
import { AUDIT_CLOCK_EVENTS, AUDIT_CLOCK_KINDS, AUDIT_KINDS, auditClocks, auditStream, toAuditView, type AuditCommand, type AuditState } from './audit.decider';

type Opened = Exclude<AuditState, { status: 'none' }>;

/** The nudges an open finding owes (DESIGN §3.7): account management before its due date, the DPO once it passed. */
export type AuditMail = {
  readonly kind: 'remediation-reminder' | 'remediation-escalation';
  readonly auditId: string;
  readonly contractId: string;
  readonly auditKind: string;
  readonly performedAt: string;
  readonly findingId: string;
  readonly finding: string;
  readonly remediationDueAt: string;
  readonly controllerName: string;
  readonly contractReference: string | null;
};

/** An audit or inspection the controller asks for, with its findings and their remediation (C3, C4; DESIGN §3.7). */
export const auditType = fileType<AuditState>({
  name: 'audit',
  noun: 'audit',
  parent: 'contract',
  parentIdOf: (s) => (s as Opened).contractId,
  idPattern: CANONICAL_UUID,
  stream: auditStream,
  statuses: { requested: 'open', scheduled: 'open', performed: 'open', closed: 'final' },
  clocks: { kinds: AUDIT_CLOCK_KINDS, handles: AUDIT_CLOCK_EVENTS, of: auditClocks },
  readModel: { table: 'audits', listedAt: (s) => (s as Opened).requestedAt },
  route: { path: 'audits', param: 'aid', plural: 'audits and inspections' },
  commands: {
    request: {
      summary: 'C3, C4: the controller asks for an audit or an inspection. Status requested.',
      roles: ['account_manager', 'dpo'],
      creates: true,
      schema: () => body({
        kind: oneOf(AUDIT_KINDS, { description: 'A review of documents, or an inspection of premises (which comes with at least P14D notice).' }),
        requestedAt: instant({ description: 'When the controller asked for it.', example: '2027-03-01T09:00:00Z' }),
        scope: text('assistanceText', { example: 'Physical security of the Paris datacenter' }),
        auditor: text('controllerName', { example: 'Audit & Co', description: 'The auditor the controller mandated.' }).nullish(),
      }),
      portal: { act: 'Ask for an audit or an inspection', done: 'Your request is recorded. We schedule it with you; an inspection of premises comes with at least 14 days notice.', preset: (at) => ({ requestedAt: at }) },
      toCommand: (b, c): AuditCommand => ({
        type: 'RequestAudit',
        data: { auditId: c.id, contractId: c.contractId!, kind: b.kind, requestedAt: b.requestedAt, scope: b.scope, auditor: b.auditor ?? null, contractOrderedAt: c.contract!.orderedAt, recordedAt: c.recordedAt },
      }),
    },
    schedule: {
      summary: 'Schedules (or moves) it; an inspection of premises no earlier than P14D after the request (422 audit.short_notice). Status scheduled.',
      roles: ['account_manager', 'dpo'],
      path: 'schedule',
      schema: () => body({ scheduledFor: instant({ description: 'When it takes place; moved by scheduling again, until it is performed.', example: '2027-03-15T09:00:00Z' }) }),
      toCommand: (b, c): AuditCommand => ({ type: 'ScheduleAudit', data: { scheduledFor: b.scheduledFor, recordedAt: c.recordedAt } }),
    },
    perform: {
      summary: 'It was carried out. Status performed: findings may now be recorded.',
      roles: ['account_manager', 'dpo'],
      path: 'performance',
      schema: () => body({
        performedAt: instant({ description: 'When it was carried out.' }),
        reportRef: text('documentRef', { example: 'AUD-2027-07', description: "The auditor's report." }).nullish(),
      }),
      toCommand: (b, c): AuditCommand => ({ type: 'RecordAuditPerformance', data: { performedAt: b.performedAt, reportRef: b.reportRef ?? null, recordedAt: c.recordedAt } }),
    },
    finding: {
      summary: 'A finding of the performed audit, with its remediation due date (reminded P7D before, escalated to the DPO when it passes). Answers the audit, the finding last.',
      roles: ['account_manager', 'dpo'],
      path: 'findings',
      part: { noun: 'finding', minted: true },
      schema: () => body({
        summary: text('assistanceText', { example: 'The visitor log of the Paris datacenter is not kept' }),
        remediationDueAt: instant({ description: 'When its remediation is due.', example: '2027-04-15T00:00:00Z' }),
      }),
      toCommand: (b, c): AuditCommand => ({ type: 'RecordFinding', data: { findingId: c.partId!, summary: b.summary, remediationDueAt: b.remediationDueAt, recordedAt: c.recordedAt } }),
    },
    remediate: {
      summary: 'The finding was remediated: when, and how (late when after its due date).',
      roles: ['account_manager', 'dpo'],
      path: 'findings/{fid}/remediation',
      part: {
        noun: 'finding',
        param: 'fid',
        options: (state: AuditState) => (state.status === 'none' ? [] : state.findings.filter((f) => f.remediation === null).map((f) => ({ id: f.findingId, label: `${f.summary} (due ${f.remediationDueAt})` }))),
      },
      schema: () => body({
        remediatedAt: instant({ description: 'When the finding was remediated.' }),
        summary: text('assistanceText', { example: 'A visitor log is kept at the desk and checked weekly' }),
      }),
      toCommand: (b, c): AuditCommand => ({ type: 'RemediateFinding', data: { findingId: c.partId!, remediatedAt: b.remediatedAt, summary: b.summary, recordedAt: c.recordedAt } }),
    },
    close: {
      summary: 'Closes the audit once every finding is remediated (422 audit.findings_open otherwise). Status closed.',
      roles: ['account_manager', 'dpo'],
      path: 'closure',
      schema: () => body({ summary: text('assistanceText', { example: 'All findings remediated' }).nullish() }),
      toCommand: (b, c): AuditCommand => ({ type: 'CloseAudit', data: { summary: b.summary ?? null, recordedAt: c.recordedAt } }),
    },
  },
  view: {
    of: toAuditView,
    schema: () => z.strictObject({
      id: z.string().meta({ format: 'uuid' }),
      contractId: z.string().meta({ format: 'uuid' }),
      kind: z.enum(AUDIT_KINDS),
      status: z.enum(['requested', 'scheduled', 'performed', 'closed']),
      requestedAt: at(),
      scope: z.string(),
      auditor: z.string().nullable(),
      scheduledFor: at().nullable(),
      earliestSchedule: at('For an inspection: the earliest date it may be scheduled for.').nullable(),
      performedAt: at().nullable(),
      reportRef: z.string().nullable(),
      findings: z.array(
        z.strictObject({
          id: z.string().meta({ format: 'uuid' }),
          summary: z.string(),
          remediationDueAt: at(),
          remediatedAt: at().nullable(),
          remediation: z.string().nullable(),
          late: z.boolean().meta({ description: 'Remediated after its due date.' }),
          overdue: z.boolean().meta({ description: 'Past due and not remediated.' }),
        }),
      ),
      closedAt: at().nullable(),
      closureSummary: z.string().nullable(),
      overdue: z.array(z.enum(['scheduledFor', 'remediationDueAt'])),
    }),
  },
  emails: (state, parties) => {
    const s = state as Opened;
    const mail = (kind: AuditMail['kind'], f: Opened['findings'][number], dueAt: string): AuditMail => ({
      kind,
      auditId: s.auditId,
      contractId: s.contractId,
      auditKind: s.kind,
      performedAt: s.performedAt!,
      findingId: f.findingId,
      finding: f.summary,
      remediationDueAt: dueAt,
      controllerName: parties.controllerName,
      contractReference: parties.contractReference,
    });
    return s.findings.flatMap((f) => [...(f.reminded ? [mail('remediation-reminder', f, f.reminded.dueAt)] : []), ...(f.escalated ? [mail('remediation-escalation', f, f.escalated.dueAt)] : [])]);
  },
});
