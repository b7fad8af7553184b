import type { Instant } from '../calendar';
import { optionalText, requireEmail, requireText } from '../contract/contract.validation';
import { notFoundError } from '../errors';
import { FIELDS } from '../fields';
import type { StreamType } from '../kit/decider';
import { withEmailReceipts } from '../kit/mail';
import type { DpoContact } from '../processor-record';

/** The processor's one DPO stream (DESIGN §3.6): a fixed id, one workflow owns it for good. */
export const PROCESSOR_DPO_ID = 'd9000000-0000-4000-8000-000000000001';

export type DpoSource = 'configuration' | 'admin';

export interface DpoSetData extends DpoContact {
  /** 1 for the configured first value, then one more for each change. */
  readonly version: number;
  readonly source: DpoSource;
  readonly recordedAt: Instant;
}

export interface DpoChangeCommunicatedData {
  readonly version: number;
  /** How many controllers (each once, whatever its number of contracts) were written to. */
  readonly controllers: number;
  /** sha256 of their sorted identities' hashes: which ones, without naming them here. */
  readonly digest: string;
  readonly actedAt: Instant;
}

export type ProcessorDpoCommand =
  | { readonly type: 'SetDpo'; readonly data: { readonly name: unknown; readonly email: unknown; readonly phone: unknown; readonly source: DpoSource; readonly recordedAt: Instant } }
  | { readonly type: 'RecordDpoChangeCommunicated'; readonly data: DpoChangeCommunicatedData };

export type ProcessorDpoEvent = { readonly type: 'DpoSet'; readonly data: DpoSetData } | { readonly type: 'DpoChangeCommunicated'; readonly data: DpoChangeCommunicatedData };

export type ProcessorDpoState =
  | { readonly status: 'none' }
  | {
      readonly status: 'set';
      readonly current: DpoSetData;
      readonly previous: readonly DpoSetData[];
      /** The last change written to every controller. */
      readonly communicated: DpoChangeCommunicatedData | null;
    };

export const dpoContactOf = (d: DpoContact): DpoContact => ({ name: d.name, email: d.email, phone: d.phone });

export function decide(command: ProcessorDpoCommand, state: ProcessorDpoState): ProcessorDpoEvent[] {
  switch (command.type) {
    case 'SetDpo': {
      const d = command.data;
      const contact = { name: requireText(d.name, 'name', FIELDS.controllerName), email: requireEmail(d.email, 'email'), phone: optionalText(d.phone, 'phone', FIELDS.phone) };
      if (state.status === 'set' && state.current.name === contact.name && state.current.email === contact.email && state.current.phone === contact.phone) return [];
      // The configured value is only the first one: once the stream holds a value, configuration has no say.
      if (d.source === 'configuration' && state.status === 'set') return [];
      return [{ type: 'DpoSet', data: { ...contact, version: state.status === 'set' ? state.current.version + 1 : 1, source: d.source, recordedAt: d.recordedAt } }];
    }
    case 'RecordDpoChangeCommunicated': {
      if (state.status === 'none') throw notFoundError('processor_dpo.not_set', 'no DPO is recorded');
      if (command.data.version !== state.current.version || state.communicated?.version === command.data.version) return [];
      return [{ type: 'DpoChangeCommunicated', data: command.data }];
    }
  }
}

export function evolve(state: ProcessorDpoState, event: ProcessorDpoEvent): ProcessorDpoState {
  switch (event.type) {
    case 'DpoSet':
      return state.status === 'none' ? { status: 'set', current: event.data, previous: [], communicated: null } : { ...state, current: event.data, previous: [...state.previous, state.current] };
    case 'DpoChangeCommunicated':
      return state.status === 'none' ? state : { ...state, communicated: event.data };
  }
}

/** A change not yet written to the controllers: every version after the first. */
export function changeToCommunicate(state: ProcessorDpoState): DpoSetData | null {
  if (state.status === 'none' || state.current.version === 1 || state.communicated?.version === state.current.version) return null;
  return state.current;
}

const baseStream: StreamType<ProcessorDpoCommand, ProcessorDpoEvent, ProcessorDpoState> = {
  name: 'processor-dpo',
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
  eventVersions: { DpoSet: 1, DpoChangeCommunicated: 1 },
  occurredAt: (event) => (event.type === 'DpoSet' ? event.data.recordedAt : event.data.actedAt),
  upcast: (stored) => ({ type: stored.type, data: stored.data }) as ProcessorDpoEvent,
  nextTimer: () => null,
  isFinal: () => false,
};

/** The processor's DPO (P12; DESIGN §3.6): one processor-wide stream. */
export const processorDpoStream = withEmailReceipts(baseStream);

export interface ProcessorDpoView extends DpoContact {
  readonly version: number;
  readonly source: DpoSource;
  readonly since: Instant | null;
  /** When the current value (if a change) was written to every controller. */
  readonly communicatedAt: Instant | null;
  readonly controllersInformed: number | null;
}

export function toProcessorDpoView(state: ProcessorDpoState, configured: DpoContact): ProcessorDpoView {
  if (state.status === 'none') return { ...dpoContactOf(configured), version: 1, source: 'configuration', since: null, communicatedAt: null, controllersInformed: null };
  const c = state.communicated?.version === state.current.version ? state.communicated : null;
  return { ...dpoContactOf(state.current), version: state.current.version, source: state.current.source, since: state.current.recordedAt, communicatedAt: c?.actedAt ?? null, controllersInformed: c?.controllers ?? null };
}
