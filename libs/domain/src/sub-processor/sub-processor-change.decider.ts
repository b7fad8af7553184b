import { addDuration, isBefore, type Instant, type IsoDuration } from '../calendar';
import { storageLocation, type StorageLocation, type StorageLocationKind } from '../catalog';
import { requireInstant, requireObject, requireText } from '../contract/contract.validation';
import { conflictError, notFoundError, ruleError, validationError } from '../errors';
import { FIELDS } from '../fields';
import type { StreamType, Timer } from '../kit/decider';
import { withEmailReceipts } from '../kit/mail';

/** GDPR 28(2): the processor engages another party only with the controller's say — an addition, or a replacement of one location by another. */
export const SUB_PROCESSOR_CHANGE_KINDS = ['addition', 'replacement'] as const;
export type SubProcessorChangeKind = (typeof SUB_PROCESSOR_CHANGE_KINDS)[number];

/** DESIGN §3.8: the default objection period. */
export const DEFAULT_OBJECTION_PERIOD = 'P30D';

export interface SubProcessorParty {
  readonly name: string;
  readonly role: string;
  readonly country: string;
}

/** What a change announces: who, where, instead of what, and when. */
export interface SubProcessorChange {
  readonly changeId: string;
  readonly kind: SubProcessorChangeKind;
  readonly subProcessor: SubProcessorParty;
  /** The location the data will (also) be at. */
  readonly location: StorageLocation;
  /** A replacement's location the data leaves (it keeps what it holds until destruction). */
  readonly replaces: string | null;
  readonly announcedAt: Instant;
  readonly objectionPeriod: IsoDuration;
  /** The controller may object until then (announcedAt + objectionPeriod). */
  readonly objectionDeadline: Instant;
  readonly effectiveAt: Instant;
}

export interface NoticesOpenedData {
  /** Contracts told (one notice each), and their controllers (each counted once). */
  readonly contracts: number;
  readonly controllers: number;
  /** sha256 of the sorted contract ids: which ones, without listing them here. */
  readonly digest: string;
  readonly actedAt: Instant;
}

export type SubProcessorChangeCommand =
  | {
      readonly type: 'AnnounceSubProcessorChange';
      readonly data: {
        readonly changeId: string;
        readonly kind: unknown;
        readonly subProcessor: unknown;
        readonly location: unknown;
        readonly replaces: unknown;
        readonly effectiveAt: unknown;
        readonly objectionPeriod: IsoDuration;
        readonly announcedAt: Instant;
        /** Every location id in use now (the catalog's and those earlier changes added): read by the caller. */
        readonly knownLocations: readonly string[];
        /** Locations a change not yet effective adds or replaces: a replacement may not name one (read by the caller). */
        readonly pendingLocations?: readonly string[];
      };
    }
  | { readonly type: 'RecordNoticesOpened'; readonly data: NoticesOpenedData }
  | { readonly type: 'TakeEffect'; readonly data: { readonly dueAt: Instant; readonly actedAt: Instant } };

export type SubProcessorChangeEvent =
  | { readonly type: 'SubProcessorChangeAnnounced'; readonly data: SubProcessorChange }
  | { readonly type: 'SubProcessorNoticesOpened'; readonly data: NoticesOpenedData }
  | { readonly type: 'SubProcessorChangeEffective'; readonly data: { readonly dueAt: Instant; readonly actedAt: Instant } };

export type SubProcessorChangeStatus = 'announced' | 'notified' | 'effective';

export type SubProcessorChangeState =
  | { readonly status: 'none' }
  | (SubProcessorChange & { readonly status: SubProcessorChangeStatus; readonly notices: NoticesOpenedData | null; readonly effective: { readonly dueAt: Instant; readonly actedAt: Instant } | null });

type Announced = Exclude<SubProcessorChangeState, { status: 'none' }>;

const LOCATION_KINDS: readonly StorageLocationKind[] = ['web-platform', 'backup'];

function party(value: unknown): SubProcessorParty {
  const o = requireObject(value, 'change.subProcessor');
  return {
    name: requireText(o.name, 'change.subProcessor.name', FIELDS.subProcessorName),
    role: requireText(o.role, 'change.subProcessor.role', FIELDS.subProcessorText),
    country: requireText(o.country, 'change.subProcessor.country', FIELDS.country),
  };
}

function location(value: unknown): StorageLocation {
  const o = requireObject(value, 'change.location');
  const kind = o.kind;
  if (typeof kind !== 'string' || !LOCATION_KINDS.includes(kind as StorageLocationKind)) {
    throw validationError('validation.invalid', `change.location.kind must be one of ${LOCATION_KINDS.join(', ')}`, { field: 'change.location.kind' });
  }
  return {
    id: requireText(o.id, 'change.location.id', FIELDS.newLocationId),
    name: requireText(o.name, 'change.location.name', FIELDS.subProcessorName),
    kind: kind as StorageLocationKind,
    site: requireText(o.site, 'change.location.site', FIELDS.subProcessorText),
  };
}

function announce(d: Extract<SubProcessorChangeCommand, { type: 'AnnounceSubProcessorChange' }>['data']): SubProcessorChange {
  if (typeof d.kind !== 'string' || !SUB_PROCESSOR_CHANGE_KINDS.includes(d.kind as SubProcessorChangeKind)) {
    throw validationError('validation.invalid', `change.kind must be one of ${SUB_PROCESSOR_CHANGE_KINDS.join(', ')}`, { field: 'change.kind' });
  }
  const kind = d.kind as SubProcessorChangeKind;
  const subProcessor = party(d.subProcessor);
  const loc = location(d.location);
  const effectiveAt = requireInstant(d.effectiveAt, 'effectiveAt');
  const replaces = kind === 'replacement' ? requireText(d.replaces, 'change.replaces', FIELDS.locationId) : null;
  if (kind === 'addition' && d.replaces !== undefined && d.replaces !== null) {
    throw validationError('validation.invalid', 'an addition replaces nothing: leave change.replaces out, or announce a replacement', { field: 'change.replaces' });
  }
  if (storageLocation(loc.id) !== null || d.knownLocations.includes(loc.id)) {
    throw conflictError('sub_processor_change.location_exists', `a location ${loc.id} exists already: a change adds a new one`, { field: 'change.location.id' });
  }
  if (replaces !== null && !d.knownLocations.includes(replaces)) {
    throw ruleError('sub_processor_change.unknown_location', `no location ${replaces} holds data to replace`, { field: 'change.replaces' });
  }
  // One change at a time per location: a second replacement would reach contracts the first moves away.
  if (replaces !== null && (d.pendingLocations ?? []).includes(replaces)) {
    throw conflictError('sub_processor_change.location_pending', `a change not yet in effect concerns ${replaces}: announce this one once it is`, { field: 'change.replaces' });
  }
  const objectionDeadline = addDuration(d.announcedAt, d.objectionPeriod);
  // GDPR 28(2): the controller must have the whole objection period before the change takes effect.
  if (isBefore(effectiveAt, objectionDeadline)) {
    throw ruleError('sub_processor_change.objection_period_too_short', `effectiveAt must leave the controllers their ${d.objectionPeriod} to object: ${objectionDeadline} at the earliest`, {
      field: 'effectiveAt',
      earliest: objectionDeadline,
    });
  }
  return { changeId: d.changeId, kind, subProcessor, location: loc, replaces, announcedAt: d.announcedAt, objectionPeriod: d.objectionPeriod, objectionDeadline, effectiveAt };
}

const SAME: readonly (keyof SubProcessorChange)[] = ['kind', 'replaces', 'effectiveAt'];

export function decide(command: SubProcessorChangeCommand, state: SubProcessorChangeState): SubProcessorChangeEvent[] {
  switch (command.type) {
    case 'AnnounceSubProcessorChange': {
      if (state.status !== 'none') {
        // A retry of the same announcement (its location now known, being its own) records nothing.
        const own = (ids: readonly string[] | undefined) => (ids ?? []).filter((id) => id !== state.location.id && id !== state.replaces);
        const again = announce({ ...command.data, knownLocations: command.data.knownLocations.filter((id) => id !== state.location.id), pendingLocations: own(command.data.pendingLocations), announcedAt: state.announcedAt, objectionPeriod: state.objectionPeriod });
        // Field by field: a state read back from the store (jsonb) keeps no key order.
        const same =
          SAME.every((k) => again[k] === state[k]) &&
          (['id', 'name', 'kind', 'site'] as const).every((k) => again.location[k] === state.location[k]) &&
          (['name', 'role', 'country'] as const).every((k) => again.subProcessor[k] === state.subProcessor[k]);
        if (same) return [];
        throw conflictError('sub_processor_change.exists', 'a sub-processor change with this id exists with other data');
      }
      return [{ type: 'SubProcessorChangeAnnounced', data: announce(command.data) }];
    }
    case 'RecordNoticesOpened': {
      const s = announced(state);
      return s.notices === null ? [{ type: 'SubProcessorNoticesOpened', data: command.data }] : [];
    }
    case 'TakeEffect': {
      const s = announced(state);
      if (s.effective !== null || command.data.dueAt !== s.effectiveAt) return [];
      return [{ type: 'SubProcessorChangeEffective', data: command.data }];
    }
  }
}

function announced(state: SubProcessorChangeState): Announced {
  if (state.status === 'none') throw notFoundError('sub_processor_change.not_found', 'no such sub-processor change');
  return state;
}

export function evolve(state: SubProcessorChangeState, event: SubProcessorChangeEvent): SubProcessorChangeState {
  if (event.type === 'SubProcessorChangeAnnounced') return { ...event.data, status: 'announced', notices: null, effective: null };
  if (state.status === 'none') return state;
  if (event.type === 'SubProcessorNoticesOpened') return { ...state, status: state.effective ? 'effective' : 'notified', notices: event.data };
  return { ...state, status: 'effective', effective: event.data };
}

/** Every affected contract told first; then, on the effective date, the change is in force. */
export function nextTimer(state: SubProcessorChangeState): Timer<SubProcessorChangeCommand> | null {
  if (state.status !== 'notified') return null;
  const dueAt = state.effectiveAt;
  return { kind: 'sub-processor-change-effective', at: dueAt, command: (actedAt) => ({ type: 'TakeEffect', data: { dueAt, actedAt } }) };
}

const baseStream: StreamType<SubProcessorChangeCommand, SubProcessorChangeEvent, SubProcessorChangeState> = {
  name: 'sub-processor-change',
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
  eventVersions: { SubProcessorChangeAnnounced: 1, SubProcessorNoticesOpened: 1, SubProcessorChangeEffective: 1 },
  occurredAt: (event) => (event.type === 'SubProcessorChangeAnnounced' ? event.data.announcedAt : event.data.actedAt),
  upcast: (stored) => ({ type: stored.type, data: stored.data }) as SubProcessorChangeEvent,
  nextTimer,
  isFinal: (state) => state.status === 'effective',
};

/** A sub-processor change (GDPR 28(2), 28(4); DESIGN §3.8): one processor-wide stream per change. */
export const subProcessorChangeStream = withEmailReceipts(baseStream);

export interface SubProcessorChangeView extends Omit<SubProcessorChange, 'changeId'> {
  readonly id: string;
  readonly status: SubProcessorChangeStatus;
  readonly contractsNotified: number | null;
  readonly controllersNotified: number | null;
  readonly notifiedAt: Instant | null;
  readonly effectiveRecordedAt: Instant | null;
}

export function toSubProcessorChangeView(state: SubProcessorChangeState): SubProcessorChangeView {
  const { changeId, status, notices, effective, ...change } = announced(state);
  return {
    id: changeId,
    ...change,
    status,
    contractsNotified: notices?.contracts ?? null,
    controllersNotified: notices?.controllers ?? null,
    notifiedAt: notices?.actedAt ?? null,
    effectiveRecordedAt: effective?.actedAt ?? null,
  };
}
