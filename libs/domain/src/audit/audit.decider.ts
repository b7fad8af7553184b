import { addDuration, isAfter, isBefore, type Instant, type IsoDuration } from '../calendar';
import { optionalText, requireInstant, requireText } from '../contract/contract.validation';
import { conflictError, notFoundError, ruleError, validationError } from '../errors';
import { FIELDS } from '../fields';
import { type Acted, isLate, isOverdue, remindThenEscalate } from '../kit/clock';
import type { StreamType, Timer } from '../kit/decider';
import { withEmailReceipts } from '../kit/mail';

/** DESIGN §3.7 (C3, C4; clauses 2021/915 cl. 7.6): a review of documents, or an inspection of premises. */
export const AUDIT_KINDS = ['audit', 'inspection'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** An inspection of premises comes with reasonable notice: no earlier than this after the controller asked. */
export const INSPECTION_NOTICE: IsoDuration = 'P14D';
/** Account management is reminded this long before a finding's remediation is due. */
export const REMEDIATION_REMINDER_LEAD: IsoDuration = 'P7D';
/** No instant a person gives may lie further than this past the engine's clock. */
export const AUDIT_SKEW: IsoDuration = 'PT5M';

export interface AuditRequestedData {
  readonly auditId: string;
  readonly contractId: string;
  readonly kind: AuditKind;
  readonly requestedAt: Instant;
  readonly scope: string;
  /** The auditor the controller mandated (a firm), when it named one. */
  readonly auditor: string | null;
  readonly recordedAt: Instant;
}

export interface FindingData {
  readonly findingId: string;
  readonly summary: string;
  readonly remediationDueAt: Instant;
  readonly recordedAt: Instant;
}

export interface RemediationData {
  readonly findingId: string;
  readonly remediatedAt: Instant;
  readonly summary: string;
  readonly recordedAt: Instant;
}

export type AuditCommand =
  | {
      readonly type: 'RequestAudit';
      readonly data: { readonly auditId: string; readonly contractId: string; readonly kind: unknown; readonly requestedAt: unknown; readonly scope: unknown; readonly auditor: unknown; readonly contractOrderedAt: Instant; readonly recordedAt: Instant };
    }
  | { readonly type: 'ScheduleAudit'; readonly data: { readonly scheduledFor: unknown; readonly recordedAt: Instant } }
  | { readonly type: 'RecordAuditPerformance'; readonly data: { readonly performedAt: unknown; readonly reportRef: unknown; readonly recordedAt: Instant } }
  | { readonly type: 'RecordFinding'; readonly data: { readonly findingId: string; readonly summary: unknown; readonly remediationDueAt: unknown; readonly recordedAt: Instant } }
  | { readonly type: 'RemediateFinding'; readonly data: { readonly findingId: string; readonly remediatedAt: unknown; readonly summary: unknown; readonly recordedAt: Instant } }
  | { readonly type: 'CloseAudit'; readonly data: { readonly summary: unknown; readonly recordedAt: Instant } }
  | { readonly type: 'RemindRemediation'; readonly data: Acted & { readonly findingId: string } }
  | { readonly type: 'EscalateRemediation'; readonly data: Acted & { readonly findingId: string } };

export type AuditEvent =
  | { readonly type: 'AuditRequested'; readonly data: AuditRequestedData }
  | { readonly type: 'AuditScheduled'; readonly data: { readonly scheduledFor: Instant; readonly recordedAt: Instant } }
  | { readonly type: 'AuditPerformed'; readonly data: { readonly performedAt: Instant; readonly reportRef: string | null; readonly recordedAt: Instant } }
  | { readonly type: 'FindingRecorded'; readonly data: FindingData }
  | { readonly type: 'FindingRemediated'; readonly data: RemediationData }
  | { readonly type: 'AuditClosed'; readonly data: { readonly summary: string | null; readonly recordedAt: Instant } }
  | { readonly type: 'RemediationReminded'; readonly data: Acted & { readonly findingId: string } }
  | { readonly type: 'RemediationEscalated'; readonly data: Acted & { readonly findingId: string } };

export type AuditStatus = 'requested' | 'scheduled' | 'performed' | 'closed';

export interface Finding extends FindingData {
  readonly remediation: RemediationData | null;
  readonly reminded: Acted | null;
  readonly escalated: Acted | null;
}

export type AuditState =
  | { readonly status: 'none' }
  | (AuditRequestedData & {
      readonly status: AuditStatus;
      readonly scheduledFor: Instant | null;
      readonly performedAt: Instant | null;
      readonly reportRef: string | null;
      readonly findings: readonly Finding[];
      readonly closed: { readonly summary: string | null; readonly recordedAt: Instant } | null;
    });

type Opened = Exclude<AuditState, { status: 'none' }>;

function opened(state: AuditState): Opened {
  if (state.status === 'none') throw notFoundError('audit.not_found', 'no such audit');
  return state;
}

function inStatus(state: AuditState, allowed: readonly AuditStatus[], what: string): Opened {
  const s = opened(state);
  if (!allowed.includes(s.status)) throw conflictError('audit.wrong_status', `${what} needs an audit that is ${allowed.join(' or ')}; this one is ${s.status}`, { status: s.status });
  return s;
}

function notInFuture(at: Instant, recordedAt: Instant, field: string): void {
  if (isAfter(at, addDuration(recordedAt, AUDIT_SKEW))) throw ruleError('audit.in_future', `${field} lies more than ${AUDIT_SKEW} after the engine's clock`, { field });
}

const openFindings = (s: Opened) => s.findings.filter((f) => f.remediation === null);

export function decide(command: AuditCommand, state: AuditState): AuditEvent[] {
  switch (command.type) {
    case 'RequestAudit': {
      const d = command.data;
      if (typeof d.kind !== 'string' || !(AUDIT_KINDS as readonly string[]).includes(d.kind)) {
        throw validationError('audit.invalid_kind', `kind must be one of ${AUDIT_KINDS.join(', ')}`, { field: 'kind', allowed: [...AUDIT_KINDS] });
      }
      const data: AuditRequestedData = {
        auditId: d.auditId,
        contractId: d.contractId,
        kind: d.kind as AuditKind,
        requestedAt: requireInstant(d.requestedAt, 'requestedAt'),
        scope: requireText(d.scope, 'scope', FIELDS.assistanceText),
        auditor: optionalText(d.auditor, 'auditor', FIELDS.controllerName),
        recordedAt: d.recordedAt,
      };
      if (state.status !== 'none') {
        if ((['contractId', 'kind', 'requestedAt', 'scope', 'auditor'] as const).every((k) => state[k] === data[k])) return [];
        throw conflictError('audit.exists', 'an audit with this id exists with other data');
      }
      if (isBefore(data.requestedAt, d.contractOrderedAt)) throw ruleError('audit.requested_before_order', `requestedAt precedes the contract's order ${d.contractOrderedAt}`, { field: 'requestedAt', orderedAt: d.contractOrderedAt });
      notInFuture(data.requestedAt, d.recordedAt, 'requestedAt');
      return [{ type: 'AuditRequested', data }];
    }
    case 'ScheduleAudit': {
      const scheduledFor = requireInstant(command.data.scheduledFor, 'scheduledFor');
      const s = opened(state);
      if (s.scheduledFor === scheduledFor && s.status !== 'requested') return [];
      // Scheduled, or moved, until it is performed.
      inStatus(state, ['requested', 'scheduled'], 'a schedule');
      if (!isAfter(scheduledFor, s.requestedAt)) throw ruleError('audit.scheduled_before_request', 'scheduledFor must come after requestedAt', { field: 'scheduledFor' });
      const earliest = addDuration(s.requestedAt, INSPECTION_NOTICE);
      if (s.kind === 'inspection' && isBefore(scheduledFor, earliest)) {
        throw ruleError('audit.short_notice', `an inspection of premises comes with reasonable notice: no earlier than ${INSPECTION_NOTICE} after the request, ${earliest}`, { field: 'scheduledFor', earliest, notice: INSPECTION_NOTICE });
      }
      return [{ type: 'AuditScheduled', data: { scheduledFor, recordedAt: command.data.recordedAt } }];
    }
    case 'RecordAuditPerformance': {
      const performedAt = requireInstant(command.data.performedAt, 'performedAt');
      const reportRef = optionalText(command.data.reportRef, 'reportRef', FIELDS.documentRef);
      const s = opened(state);
      if (s.performedAt !== null) {
        if (s.performedAt === performedAt && s.reportRef === reportRef) return [];
        throw conflictError('audit.wrong_status', `the audit was performed already (${s.performedAt})`, { status: s.status });
      }
      inStatus(state, ['scheduled'], 'a performance');
      if (isBefore(performedAt, s.requestedAt)) throw ruleError('audit.performed_before_request', 'performedAt precedes requestedAt', { field: 'performedAt' });
      notInFuture(performedAt, command.data.recordedAt, 'performedAt');
      return [{ type: 'AuditPerformed', data: { performedAt, reportRef, recordedAt: command.data.recordedAt } }];
    }
    case 'RecordFinding': {
      const d = command.data;
      const summary = requireText(d.summary, 'summary', FIELDS.assistanceText);
      const remediationDueAt = requireInstant(d.remediationDueAt, 'remediationDueAt');
      const s = opened(state);
      const known = s.findings.find((f) => f.findingId === d.findingId);
      if (known) {
        if (known.summary === summary && known.remediationDueAt === remediationDueAt) return [];
        throw conflictError('audit.finding_exists', 'a finding with this id exists with other data');
      }
      inStatus(state, ['performed'], 'a finding');
      if (!isAfter(remediationDueAt, s.performedAt!)) throw ruleError('audit.remediation_due_before_performance', 'remediationDueAt must come after the audit was performed', { field: 'remediationDueAt' });
      return [{ type: 'FindingRecorded', data: { findingId: d.findingId, summary, remediationDueAt, recordedAt: d.recordedAt } }];
    }
    case 'RemediateFinding': {
      const d = command.data;
      const remediatedAt = requireInstant(d.remediatedAt, 'remediatedAt');
      const summary = requireText(d.summary, 'summary', FIELDS.assistanceText);
      const s = opened(state);
      const finding = s.findings.find((f) => f.findingId === d.findingId);
      if (!finding) throw notFoundError('audit.finding_not_found', 'no such finding in this audit');
      if (finding.remediation) {
        if (finding.remediation.remediatedAt === remediatedAt && finding.remediation.summary === summary) return [];
        throw conflictError('audit.finding_remediated', `this finding was remediated already (${finding.remediation.remediatedAt})`);
      }
      if (isBefore(remediatedAt, s.performedAt!)) throw ruleError('audit.remediated_before_performance', 'remediatedAt precedes the audit', { field: 'remediatedAt' });
      notInFuture(remediatedAt, d.recordedAt, 'remediatedAt');
      return [{ type: 'FindingRemediated', data: { findingId: d.findingId, remediatedAt, summary, recordedAt: d.recordedAt } }];
    }
    case 'CloseAudit': {
      const summary = optionalText(command.data.summary, 'summary', FIELDS.assistanceText);
      const s = opened(state);
      if (s.status === 'closed') return [];
      inStatus(state, ['performed'], 'a closure');
      const open = openFindings(s);
      if (open.length > 0) throw ruleError('audit.findings_open', `${open.length} finding(s) are not remediated yet: the audit closes once every finding is`, { open: open.map((f) => f.findingId) });
      return [{ type: 'AuditClosed', data: { summary, recordedAt: command.data.recordedAt } }];
    }
    case 'RemindRemediation':
    case 'EscalateRemediation': {
      const s = opened(state);
      const f = s.findings.find((x) => x.findingId === command.data.findingId);
      const done = command.type === 'RemindRemediation' ? f?.reminded : f?.escalated;
      if (!f || f.remediation || f.remediationDueAt !== command.data.dueAt || done?.dueAt === f.remediationDueAt) return [];
      return [{ type: command.type === 'RemindRemediation' ? 'RemediationReminded' : 'RemediationEscalated', data: command.data }];
    }
  }
}

const withFinding = (s: Opened, findingId: string, change: (f: Finding) => Finding): Opened => ({ ...s, findings: s.findings.map((f) => (f.findingId === findingId ? change(f) : f)) });

export function evolve(state: AuditState, event: AuditEvent): AuditState {
  if (event.type === 'AuditRequested') return { ...event.data, status: 'requested', scheduledFor: null, performedAt: null, reportRef: null, findings: [], closed: null };
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'AuditScheduled':
      return { ...state, status: 'scheduled', scheduledFor: event.data.scheduledFor };
    case 'AuditPerformed':
      return { ...state, status: 'performed', performedAt: event.data.performedAt, reportRef: event.data.reportRef };
    case 'FindingRecorded':
      return { ...state, findings: [...state.findings, { ...event.data, remediation: null, reminded: null, escalated: null }] };
    case 'FindingRemediated':
      return withFinding(state, event.data.findingId, (f) => ({ ...f, remediation: event.data }));
    case 'AuditClosed':
      return { ...state, status: 'closed', closed: event.data };
    case 'RemediationReminded': {
      const { findingId, ...acted } = event.data;
      return withFinding(state, findingId, (f) => ({ ...f, reminded: acted }));
    }
    case 'RemediationEscalated': {
      const { findingId, ...acted } = event.data;
      return withFinding(state, findingId, (f) => ({ ...f, escalated: acted }));
    }
  }
}

export const initialState = (): AuditState => ({ status: 'none' });

export const AUDIT_TIMERS = { reminder: 'remediation-reminder', escalation: 'remediation-escalation' } as const;

/** Each open finding: account management reminded REMEDIATION_REMINDER_LEAD before its due date, the DPO escalated to once it passes. The earliest first. */
export function nextTimer(state: AuditState): Timer<AuditCommand> | null {
  if (state.status === 'none' || state.status === 'closed') return null;
  const timers = openFindings(state).flatMap((f) => {
    const t = remindThenEscalate<AuditCommand>(
      { dueAt: f.remediationDueAt, lead: REMEDIATION_REMINDER_LEAD, openedAt: f.recordedAt, reminded: f.reminded, escalated: f.escalated },
      (acted) => ({ type: 'RemindRemediation', data: { ...acted, findingId: f.findingId } }),
      (acted) => ({ type: 'EscalateRemediation', data: { ...acted, findingId: f.findingId } }),
      AUDIT_TIMERS,
    );
    return t ? [t] : [];
  });
  return timers.reduce<Timer<AuditCommand> | null>((a, t) => (a === null || isBefore(t.at, a.at) ? t : a), null);
}

export const AUDIT_CLOCK_KINDS = ['audit-scheduled', 'audit-remediation'] as const;
/** The inbox: the audit's date until it is performed, and its earliest open remediation. */
export function auditClocks(state: AuditState): { kind: (typeof AUDIT_CLOCK_KINDS)[number]; at: Instant }[] {
  if (state.status === 'none' || state.status === 'closed') return [];
  const clocks: { kind: (typeof AUDIT_CLOCK_KINDS)[number]; at: Instant }[] = [];
  if (state.status === 'scheduled' && state.scheduledFor) clocks.push({ kind: 'audit-scheduled', at: state.scheduledFor });
  const open = openFindings(state);
  if (open.length > 0) clocks.push({ kind: 'audit-remediation', at: open.map((f) => f.remediationDueAt).reduce((a, b) => (isBefore(b, a) ? b : a)) });
  return clocks;
}
export const AUDIT_CLOCK_EVENTS: ReadonlySet<string> = new Set(['AuditScheduled', 'AuditPerformed', 'FindingRecorded', 'FindingRemediated', 'AuditClosed']);

const baseStream: StreamType<AuditCommand, AuditEvent, AuditState> = {
  name: 'audit',
  decide,
  evolve,
  initialState,
  eventVersions: { AuditRequested: 1, AuditScheduled: 1, AuditPerformed: 1, FindingRecorded: 1, FindingRemediated: 1, AuditClosed: 1, RemediationReminded: 1, RemediationEscalated: 1 },
  occurredAt: (event) => (event.type === 'RemediationReminded' || event.type === 'RemediationEscalated' ? event.data.actedAt : event.data.recordedAt),
  upcast: (stored) => ({ type: stored.type, data: stored.data }) as AuditEvent,
  nextTimer,
  isFinal: (state) => state.status === 'closed',
};

/** An audit or inspection the controller asked for (C3, C4; DESIGN §3.7): one stream per audit, under its contract. */
export const auditStream = withEmailReceipts(baseStream);

export interface FindingView {
  readonly id: string;
  readonly summary: string;
  readonly remediationDueAt: Instant;
  readonly remediatedAt: Instant | null;
  readonly remediation: string | null;
  readonly late: boolean;
  readonly overdue: boolean;
}

export interface AuditView {
  readonly id: string;
  readonly contractId: string;
  readonly kind: AuditKind;
  readonly status: AuditStatus;
  readonly requestedAt: Instant;
  readonly scope: string;
  readonly auditor: string | null;
  readonly scheduledFor: Instant | null;
  /** For an inspection: the earliest date it may be scheduled for. */
  readonly earliestSchedule: Instant | null;
  readonly performedAt: Instant | null;
  readonly reportRef: string | null;
  readonly findings: FindingView[];
  readonly closedAt: Instant | null;
  readonly closureSummary: string | null;
  readonly overdue: string[];
}

export function toAuditView(state: AuditState, at: Instant): AuditView {
  const s = opened(state);
  const findings = s.findings.map((f) => ({
    id: f.findingId,
    summary: f.summary,
    remediationDueAt: f.remediationDueAt,
    remediatedAt: f.remediation?.remediatedAt ?? null,
    remediation: f.remediation?.summary ?? null,
    late: f.remediation !== null && isLate(f.remediationDueAt, f.remediation.remediatedAt),
    overdue: f.remediation === null && isOverdue(f.remediationDueAt, at),
  }));
  const overdue: string[] = [];
  if (s.status === 'scheduled' && s.scheduledFor && isOverdue(s.scheduledFor, at)) overdue.push('scheduledFor');
  if (findings.some((f) => f.overdue)) overdue.push('remediationDueAt');
  return {
    id: s.auditId,
    contractId: s.contractId,
    kind: s.kind,
    status: s.status,
    requestedAt: s.requestedAt,
    scope: s.scope,
    auditor: s.auditor,
    scheduledFor: s.scheduledFor,
    earliestSchedule: s.kind === 'inspection' ? addDuration(s.requestedAt, INSPECTION_NOTICE) : null,
    performedAt: s.performedAt,
    reportRef: s.reportRef,
    findings,
    closedAt: s.closed?.recordedAt ?? null,
    closureSummary: s.closed?.summary ?? null,
    overdue,
  };
}
