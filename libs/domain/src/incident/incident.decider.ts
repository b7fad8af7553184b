import { addDuration, isAfter, isBefore, type Instant } from '../calendar';
import { DATA_CATEGORIES, DATA_SUBJECT_CATEGORIES, STORAGE_LOCATIONS, type CatalogEntry } from '../catalog';
import type { ContractState } from '../contract/contract.state';
import { requireInstant, requireObject, requireText } from '../contract/contract.validation';
import { conflictError, notFoundError, ruleError, validationError } from '../errors';
import { FIELDS, isUuid, type TextField } from '../fields';
import type { StreamType } from '../kit/decider';
import { withEmailReceipts } from '../kit/mail';
import {
  CONTENT_FIELDS,
  INCIDENT_CLOCK_SKEW,
  isLocationScope,
  MAX_SCOPE_CONTRACTS,
  type ContentField,
  type IncidentCommand,
  type IncidentContent,
  type IncidentEvent,
  type IncidentScope,
  type IncidentState,
  type RecordedIncident,
} from './incident.model';

function categories(value: unknown, field: string, entries: readonly CatalogEntry[]): string[] | null {
  if (value === null || value === undefined) return null;
  const ids = entries.map((e) => e.id);
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || !ids.includes(v))) {
    throw validationError('incident.invalid_categories', `${field} must be a non-empty list of catalog ids (${ids.join(', ')})`, { field, allowed: ids });
  }
  return [...new Set(value as string[])];
}

function approx(value: unknown, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw validationError('input.invalid_number', `${field} must be an integer of at least 0`, { field });
  return value;
}

/** Something shaped like an email address: a breach's description names categories and counts, never a person. */
const EMAIL_LIKE = /[^\s@]+@[^\s@]+\.[^\s@]+/;

/** A text of the incident's: its grammar, and no one's email address in it. */
function incidentText(value: unknown, field: string, def: TextField): string {
  const text = requireText(value, field, def);
  if (EMAIL_LIKE.test(text)) throw validationError('input.personal_data', `${field} must not hold an email address: describe the breach, not the people in it`, { field });
  return text;
}

/** The content fields present in `input`, checked (absent ones are left out). */
function contentChanges(input: Record<string, unknown>): Partial<IncidentContent> {
  const changes: Record<string, unknown> = {};
  const check: Record<ContentField, (v: unknown) => unknown> = {
    nature: (v) => incidentText(v, 'nature', FIELDS.incidentText),
    dataCategories: (v) => categories(v, 'dataCategories', DATA_CATEGORIES),
    subjectCategories: (v) => categories(v, 'subjectCategories', DATA_SUBJECT_CATEGORIES),
    approxSubjects: (v) => approx(v, 'approxSubjects'),
    approxRecords: (v) => approx(v, 'approxRecords'),
    likelyConsequences: (v) => incidentText(v, 'likelyConsequences', FIELDS.incidentText),
    measures: (v) => incidentText(v, 'measures', FIELDS.incidentText),
  };
  for (const field of CONTENT_FIELDS) if (input[field] !== undefined && input[field] !== null) changes[field] = check[field](input[field]);
  if (input.summary !== undefined && input.summary !== null) changes.summary = incidentText(input.summary, 'summary', FIELDS.incidentSummary);
  return changes as Partial<IncidentContent>;
}

function scopeOf(value: unknown, detectedAt: Instant, recordedAt: Instant, added: readonly string[] = []): IncidentScope {
  const scope = requireObject(value, 'scope');
  const hasLocations = scope.locations !== undefined;
  const hasContracts = scope.contracts !== undefined;
  if (hasLocations === hasContracts) throw validationError('incident.invalid_scope', 'scope is either {locations, from, to} or {contracts}', { field: 'scope' });
  if (hasContracts) {
    const ids = scope.contracts;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_SCOPE_CONTRACTS || ids.some((id) => !isUuid(id))) {
      throw validationError('incident.invalid_scope', `scope.contracts must list 1 to ${MAX_SCOPE_CONTRACTS} contract ids`, { field: 'scope.contracts' });
    }
    return { contracts: [...new Set((ids as string[]).map((id) => id.toLowerCase()))].sort() };
  }
  const known = [...STORAGE_LOCATIONS.map((l) => l.id), ...added];
  const locations = scope.locations;
  if (!Array.isArray(locations) || locations.length === 0 || locations.some((l) => typeof l !== 'string' || !known.includes(l))) {
    throw validationError('incident.invalid_scope', `scope.locations must list storage locations in use (${known.join(', ')})`, { field: 'scope.locations', allowed: known });
  }
  const from = requireInstant(scope.from, 'scope.from');
  const to = requireInstant(scope.to, 'scope.to');
  if (isAfter(from, to)) throw ruleError('incident.invalid_window', 'scope.from must not be after scope.to', { field: 'scope.from' });
  if (isBefore(detectedAt, from)) throw ruleError('incident.detected_before_window', 'an incident cannot be detected before its window begins', { field: 'detectedAt' });
  // The affected contracts are resolved once, at confirmation: a window still running would miss those that join it.
  notInFuture(to, recordedAt, 'scope.to', 'incident.window_in_future');
  return { locations: [...new Set(locations as string[])], from, to };
}

function recorded(state: IncidentState): RecordedIncident {
  if (state.status === 'none') throw notFoundError('incident.not_found', 'no such incident');
  return state;
}

function inStatus(state: IncidentState, allowed: readonly RecordedIncident['status'][], what: string): RecordedIncident {
  const s = recorded(state);
  if (!allowed.includes(s.status)) throw conflictError('incident.wrong_status', `${what} needs an incident that is ${allowed.join(' or ')}; this one is ${s.status}`, { status: s.status });
  return s;
}

const notInFuture = (at: Instant, clock: Instant, field: string, code: string) => {
  if (isAfter(at, addDuration(clock, INCIDENT_CLOCK_SKEW))) throw ruleError(code, `${field} lies more than ${INCIDENT_CLOCK_SKEW} after the engine's clock`, { field });
};

export function decide(command: IncidentCommand, state: IncidentState): IncidentEvent[] {
  switch (command.type) {
    case 'RecordIncident': {
      const d = command.data;
      const detectedAt = requireInstant(d.detectedAt, 'detectedAt');
      notInFuture(detectedAt, d.recordedAt, 'detectedAt', 'incident.detected_in_future');
      const scope = scopeOf(d.scope, detectedAt, d.recordedAt, d.addedLocations);
      const changes = contentChanges(d.content);
      if (changes.summary === undefined) requireText(d.content.summary, 'summary', FIELDS.incidentSummary);
      const content: IncidentContent = {
        summary: changes.summary!,
        nature: changes.nature ?? null,
        dataCategories: changes.dataCategories ?? null,
        subjectCategories: changes.subjectCategories ?? null,
        approxSubjects: changes.approxSubjects ?? null,
        approxRecords: changes.approxRecords ?? null,
        likelyConsequences: changes.likelyConsequences ?? null,
        measures: changes.measures ?? null,
      };
      if (state.status !== 'none') {
        // Compared with what was recorded, not with the incident as its updates left it.
        const same = state.incidentId === d.incidentId && state.detectedAt === detectedAt && JSON.stringify(state.scope) === JSON.stringify(scope) && JSON.stringify(state.recordedContent) === JSON.stringify(content);
        if (same) return [];
        throw conflictError('incident.exists', 'an incident with this id exists with other data');
      }
      return [{ type: 'IncidentRecorded', data: { incidentId: d.incidentId, detectedAt, scope, content, recordedAt: d.recordedAt } }];
    }
    case 'ConfirmIncident': {
      const awareAt = requireInstant(command.data.awareAt, 'awareAt');
      const s = recorded(state);
      if (s.status !== 'investigating') {
        // A retried confirmation with the same instant: nothing new.
        if (s.awareAt === awareAt) return [];
        throw conflictError('incident.wrong_status', `only an incident under investigation can be confirmed; this one is ${s.status}`, { status: s.status });
      }
      if (isBefore(awareAt, s.detectedAt)) throw ruleError('incident.aware_before_detection', `awareAt precedes detectedAt ${s.detectedAt}`, { field: 'awareAt', detectedAt: s.detectedAt });
      notInFuture(awareAt, command.data.confirmedAt, 'awareAt', 'incident.aware_in_future');
      return [{ type: 'IncidentConfirmed', data: { awareAt, confirmedAt: command.data.confirmedAt } }];
    }
    case 'DismissIncident': {
      const reason = incidentText(command.data.reason, 'reason', FIELDS.reason);
      const s = recorded(state);
      if (s.status === 'dismissed' && s.dismissal?.reason === reason) return [];
      inStatus(state, ['investigating'], 'a dismissal');
      return [{ type: 'IncidentDismissed', data: { reason, dismissedAt: command.data.dismissedAt } }];
    }
    case 'UpdateIncident': {
      const s = inStatus(state, ['confirmed'], 'an update');
      const changes = contentChanges(requireObject(command.data.changes, 'update'));
      if (Object.keys(changes).length === 0) throw validationError('incident.empty_update', 'an update gives at least one content field', { oneOf: ['summary', ...CONTENT_FIELDS] });
      return [{ type: 'IncidentUpdated', data: { number: s.updates.length + 1, changes, updatedAt: command.data.updatedAt } }];
    }
    case 'RecordAffectedContracts': {
      const s = inStatus(state, ['confirmed', 'closed'], 'resolving the affected contracts');
      if (s.resolution) return [];
      return [{ type: 'AffectedContractsResolved', data: command.data }];
    }
    case 'RecordNoticesOpened': {
      const s = recorded(state);
      if (!s.resolution) throw conflictError('incident.not_resolved', 'notices are opened after the affected contracts are resolved');
      if (s.noticesOpened) return [];
      return [{ type: 'BreachNoticesOpened', data: command.data }];
    }
    case 'CloseIncident': {
      const summary = incidentText(command.data.summary, 'summary', FIELDS.incidentSummary);
      const s = recorded(state);
      if (s.status === 'closed' && s.closure?.summary === summary) return [];
      inStatus(state, ['confirmed'], 'a closure');
      return [{ type: 'IncidentClosed', data: { summary, closedAt: command.data.closedAt } }];
    }
    case 'RecordNoticesClosed': {
      const s = inStatus(state, ['closed'], 'closing the notices');
      if (s.noticesClosed) return [];
      return [{ type: 'BreachNoticesClosed', data: command.data }];
    }
  }
}

export function evolve(state: IncidentState, event: IncidentEvent): IncidentState {
  if (event.type === 'IncidentRecorded') {
    const { incidentId, detectedAt, scope, content, recordedAt } = event.data;
    return { status: 'investigating', incidentId, detectedAt, recordedAt, scope, content, recordedContent: content, awareAt: null, confirmedAt: null, dismissal: null, updates: [], resolution: null, noticesOpened: null, closure: null, noticesClosed: null };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'IncidentConfirmed':
      return { ...state, status: 'confirmed', ...event.data };
    case 'IncidentDismissed':
      return { ...state, status: 'dismissed', dismissal: event.data };
    case 'IncidentUpdated':
      return { ...state, content: { ...state.content, ...event.data.changes }, updates: [...state.updates, event.data] };
    case 'AffectedContractsResolved':
      return { ...state, resolution: event.data };
    case 'BreachNoticesOpened':
      return { ...state, noticesOpened: event.data };
    case 'IncidentClosed':
      return { ...state, status: 'closed', closure: event.data };
    case 'BreachNoticesClosed':
      return { ...state, noticesClosed: event.data };
  }
}

export const initialState = (): IncidentState => ({ status: 'none' });

/**
 * DESIGN §3.1: a contract is affected when its data was held at an affected location during the
 * window — processing had started by the window's end, the location is one of its catalog's, and
 * that location's data was not destroyed before the window began. An ended contract awaiting
 * destruction, or destroyed during the window, counts.
 */
export function affectedBy(scope: IncidentScope, contract: ContractState): boolean {
  if (contract.status === 'none' || contract.processingStartedAt === null) return false;
  if (!isLocationScope(scope)) return scope.contracts.includes(contract.contractId);
  if (isAfter(contract.processingStartedAt, scope.to)) return false;
  return scope.locations.some((location) => {
    // A location a replacement moved the data from still holds it until destruction (DESIGN §3.8).
    if (!contract.catalog.storageLocations.includes(location) && !(contract.formerLocations ?? []).includes(location)) return false;
    const destroyed = contract.destruction.locations.find((l) => l.id === location)?.destroyedAt ?? null;
    return destroyed === null || !isBefore(destroyed, scope.from);
  });
}

const EVENT_VERSIONS: Readonly<Record<IncidentEvent['type'], number>> = {
  IncidentRecorded: 1,
  IncidentConfirmed: 1,
  IncidentDismissed: 1,
  IncidentUpdated: 1,
  AffectedContractsResolved: 1,
  BreachNoticesOpened: 1,
  IncidentClosed: 1,
  BreachNoticesClosed: 1,
};

function occurredAt(event: IncidentEvent): Instant {
  switch (event.type) {
    case 'IncidentRecorded':
      return event.data.recordedAt;
    case 'IncidentConfirmed':
      return event.data.confirmedAt;
    case 'IncidentDismissed':
      return event.data.dismissedAt;
    case 'IncidentUpdated':
      return event.data.updatedAt;
    case 'AffectedContractsResolved':
      return event.data.resolvedAt;
    case 'BreachNoticesOpened':
      return event.data.openedAt;
    case 'IncidentClosed':
    case 'BreachNoticesClosed':
      return event.data.closedAt;
  }
}

const baseStream: StreamType<IncidentCommand, IncidentEvent, IncidentState> = {
  name: 'incident',
  decide,
  evolve,
  initialState,
  eventVersions: EVENT_VERSIONS,
  occurredAt,
  upcast: (stored) => ({ type: stored.type, data: stored.data }) as IncidentEvent,
  // No clocks of its own: each notice carries them.
  nextTimer: () => null,
  isFinal: (state) => state.status === 'dismissed' || (state.status === 'closed' && state.noticesClosed !== null),
};

/** The incident's stream (DESIGN §3.1): processor-wide, one per incident. */
export const incidentStream = withEmailReceipts(baseStream);

export interface IncidentView {
  readonly id: string;
  readonly status: RecordedIncident['status'];
  readonly detectedAt: Instant;
  readonly recordedAt: Instant;
  readonly scope: IncidentScope;
  readonly content: IncidentContent;
  readonly awareAt: Instant | null;
  readonly confirmedAt: Instant | null;
  readonly dismissalReason: string | null;
  readonly dismissedAt: Instant | null;
  readonly updates: readonly { readonly number: number; readonly changes: Partial<IncidentContent>; readonly updatedAt: Instant }[];
  readonly affectedContracts: number | null;
  readonly affectedDigest: string | null;
  readonly resolvedAt: Instant | null;
  readonly noticesOpenedAt: Instant | null;
  readonly closedAt: Instant | null;
  readonly closingSummary: string | null;
}

export function toIncidentView(state: IncidentState): IncidentView {
  const s = recorded(state);
  return {
    id: s.incidentId,
    status: s.status,
    detectedAt: s.detectedAt,
    recordedAt: s.recordedAt,
    scope: s.scope,
    content: s.content,
    awareAt: s.awareAt,
    confirmedAt: s.confirmedAt,
    dismissalReason: s.dismissal?.reason ?? null,
    dismissedAt: s.dismissal?.dismissedAt ?? null,
    updates: s.updates,
    affectedContracts: s.resolution?.count ?? null,
    affectedDigest: s.resolution?.digest ?? null,
    resolvedAt: s.resolution?.resolvedAt ?? null,
    noticesOpenedAt: s.noticesOpened?.openedAt ?? null,
    closedAt: s.closure?.closedAt ?? null,
    closingSummary: s.closure?.summary ?? null,
  };
}
