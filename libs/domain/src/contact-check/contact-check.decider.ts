import { addDuration, isAfter, isBefore, minLengthMs, type Instant, type IsoDuration } from '../calendar';
import { requireEmail } from '../contract/contract.validation';
import { conflictError, notFoundError } from '../errors';
import { type Acted, isOverdue } from '../kit/clock';
import type { Timer } from '../kit/decider';
import { withEmailReceipts } from '../kit/mail';

/*
 * DESIGN §3.10 (P8; EDPB Guidelines 9/2022): the processor keeps each controller's point of contact
 * for breaches current. A controller with a contract in processing is asked to confirm it at its
 * first hand-over and then every period; each ask is a round, with a signed link to follow.
 */

/** Account management is reminded this long after a round went out unconfirmed… */
export const CONTACT_CHECK_REMINDER_AFTER: IsoDuration = 'P14D';
/** …and the processor's DPO escalated to after this long. */
export const CONTACT_CHECK_ESCALATION_AFTER: IsoDuration = 'P30D';

export interface ContactRound {
  readonly n: number;
  readonly openedAt: Instant;
  /** Whom this round asks: the breach contact, else the controller's email, when it opened. */
  readonly contact: string;
  readonly confirmed: { readonly at: Instant; readonly address: string } | null;
  readonly reminded: Acted | null;
  readonly escalated: Acted | null;
}

export interface ContactCheckOpenedData {
  readonly checkId: string;
  readonly controllerId: string;
  readonly identity: string;
  readonly contact: string;
  /** CONTACT_CHECK_PERIOD when the check opened: a round every period. */
  readonly period: IsoDuration;
  /** The first round: at the first hand-over, or spread over one period for a controller already in processing. */
  readonly firstRoundAt: Instant;
  readonly openedAt: Instant;
}

/** How many contracts of the controller are in processing (active or awaiting destruction), as counted at `countedAt`. */
export interface ProcessingCount {
  readonly contracts: number;
  readonly countedAt: Instant;
}

export type ContactCheckCommand =
  | { readonly type: 'NoteProcessing'; readonly data: ContactCheckOpenedData & ProcessingCount }
  | { readonly type: 'ChangeContact'; readonly data: { readonly contact: unknown; readonly at: Instant } }
  | { readonly type: 'OpenContactRound'; readonly data: Acted }
  | { readonly type: 'ResendContactCheck'; readonly data: { readonly at: Instant } }
  | { readonly type: 'ConfirmContact'; readonly data: { readonly round: number; readonly at: Instant } }
  | { readonly type: 'RemindContactCheck'; readonly data: Acted }
  | { readonly type: 'EscalateContactCheck'; readonly data: Acted };

export type ContactCheckEvent =
  | { readonly type: 'ContactCheckOpened'; readonly data: ContactCheckOpenedData }
  | { readonly type: 'ProcessingCounted'; readonly data: ProcessingCount }
  | { readonly type: 'ContactChanged'; readonly data: { readonly contact: string; readonly at: Instant } }
  | { readonly type: 'ContactRoundOpened'; readonly data: { readonly n: number; readonly contact: string; readonly dueAt: Instant | null; readonly openedAt: Instant } }
  | { readonly type: 'ContactConfirmed'; readonly data: { readonly n: number; readonly address: string; readonly at: Instant } }
  | { readonly type: 'ContactCheckReminded'; readonly data: Acted & { readonly n: number } }
  | { readonly type: 'ContactCheckEscalated'; readonly data: Acted & { readonly n: number } };

/** scheduled: no round yet; awaiting: a round unconfirmed; confirmed: the last round confirmed; dormant: no contract in processing. */
export type ContactCheckStatus = 'scheduled' | 'awaiting' | 'confirmed' | 'dormant';

export type ContactCheckState =
  | { readonly status: 'none' }
  | (Omit<ContactCheckOpenedData, 'firstRoundAt'> & {
      readonly status: ContactCheckStatus;
      /** The controller's contracts in processing, as last counted: none, and the checks pause. */
      readonly contracts: number;
      readonly countedAt: Instant;
      readonly rounds: readonly ContactRound[];
      /** When the next round opens; null while dormant. */
      readonly nextRoundAt: Instant | null;
    });

export type OpenedContactCheck = Exclude<ContactCheckState, { status: 'none' }>;

function opened(state: ContactCheckState): OpenedContactCheck {
  if (state.status === 'none') throw notFoundError('contact_check.not_found', 'no such contact check');
  return state;
}

export const currentRound = (s: OpenedContactCheck): ContactRound | null => s.rounds.at(-1) ?? null;

export function decide(command: ContactCheckCommand, state: ContactCheckState): ContactCheckEvent[] {
  switch (command.type) {
    case 'NoteProcessing': {
      const { contracts, countedAt, ...open } = command.data;
      const counted: ContactCheckEvent = { type: 'ProcessingCounted', data: { contracts, countedAt } };
      if (state.status === 'none') return contracts > 0 ? [{ type: 'ContactCheckOpened', data: { ...open, contact: requireEmail(open.contact, 'contact') } }, counted] : [];
      // A count read before the last one recorded is stale: the two contracts' news crossed. The same
      // count is recorded too, so that a staler one arriving later is known as such.
      if (!isAfter(countedAt, state.countedAt)) return [];
      return [counted];
    }
    case 'ChangeContact': {
      const s = opened(state);
      const contact = requireEmail(command.data.contact, 'contact');
      return contact === s.contact ? [] : [{ type: 'ContactChanged', data: { contact, at: command.data.at } }];
    }
    case 'OpenContactRound': {
      const s = opened(state);
      if (s.status === 'dormant' || s.nextRoundAt !== command.data.dueAt) return [];
      return [{ type: 'ContactRoundOpened', data: { n: s.rounds.length + 1, contact: s.contact, dueAt: command.data.dueAt, openedAt: command.data.actedAt } }];
    }
    case 'ResendContactCheck': {
      const s = opened(state);
      if (s.status === 'dormant') throw conflictError('contact_check.dormant', 'the controller has no contract in processing: there is no contact to check', { status: s.status });
      return [{ type: 'ContactRoundOpened', data: { n: s.rounds.length + 1, contact: s.contact, dueAt: null, openedAt: command.data.at } }];
    }
    case 'ConfirmContact': {
      const s = opened(state);
      const round = currentRound(s);
      if (!round || round.n !== command.data.round) throw conflictError('contact_check.stale', 'this link belongs to an earlier check: a newer one was sent since', { round: command.data.round });
      if (round.confirmed) return [];
      return [{ type: 'ContactConfirmed', data: { n: round.n, address: round.contact, at: command.data.at } }];
    }
    case 'RemindContactCheck':
    case 'EscalateContactCheck': {
      const s = opened(state);
      const round = currentRound(s);
      if (!round || round.confirmed || s.status === 'dormant') return [];
      const due = addDuration(round.openedAt, command.type === 'RemindContactCheck' ? CONTACT_CHECK_REMINDER_AFTER : CONTACT_CHECK_ESCALATION_AFTER);
      if (command.data.dueAt !== due) return [];
      if (command.type === 'RemindContactCheck') return round.reminded ? [] : [{ type: 'ContactCheckReminded', data: { ...command.data, n: round.n } }];
      return round.escalated ? [] : [{ type: 'ContactCheckEscalated', data: { ...command.data, n: round.n } }];
    }
  }
}

const withRound = (s: OpenedContactCheck, change: (r: ContactRound) => ContactRound): OpenedContactCheck => ({ ...s, rounds: s.rounds.map((r, i) => (i === s.rounds.length - 1 ? change(r) : r)) });

export function evolve(state: ContactCheckState, event: ContactCheckEvent): ContactCheckState {
  if (event.type === 'ContactCheckOpened') {
    const { firstRoundAt, ...open } = event.data;
    return { ...open, status: 'scheduled', contracts: 0, countedAt: open.openedAt, rounds: [], nextRoundAt: firstRoundAt };
  }
  if (state.status === 'none') return state;
  const roundStatus = (s: OpenedContactCheck): ContactCheckStatus => {
    const round = currentRound(s);
    return !round ? 'scheduled' : round.confirmed ? 'confirmed' : 'awaiting';
  };
  switch (event.type) {
    case 'ProcessingCounted': {
      const next = { ...state, contracts: event.data.contracts, countedAt: event.data.countedAt };
      if (event.data.contracts === 0) return { ...next, status: 'dormant', nextRoundAt: null };
      // Back in processing after a pause: checked at once.
      return state.status === 'dormant' ? { ...next, status: roundStatus(next), nextRoundAt: event.data.countedAt } : next;
    }
    case 'ContactChanged':
      // A new contact is checked at once (unless nothing is in processing).
      return { ...state, contact: event.data.contact, nextRoundAt: state.status === 'dormant' ? null : event.data.at };
    case 'ContactRoundOpened': {
      const round: ContactRound = { n: event.data.n, openedAt: event.data.openedAt, contact: event.data.contact, confirmed: null, reminded: null, escalated: null };
      return { ...state, status: 'awaiting', rounds: [...state.rounds, round], nextRoundAt: addDuration(event.data.openedAt, state.period) };
    }
    case 'ContactConfirmed': {
      const next = withRound(state, (r) => ({ ...r, confirmed: { at: event.data.at, address: event.data.address } }));
      return { ...next, status: 'confirmed' };
    }
    case 'ContactCheckReminded':
      return withRound(state, (r) => ({ ...r, reminded: { dueAt: event.data.dueAt, actedAt: event.data.actedAt } }));
    case 'ContactCheckEscalated':
      return withRound(state, (r) => ({ ...r, escalated: { dueAt: event.data.dueAt, actedAt: event.data.actedAt } }));
  }
}

export const initialState = (): ContactCheckState => ({ status: 'none' });

export const CONTACT_CHECK_TIMERS = { round: 'contact-check-round', reminder: 'contact-check-reminder', escalation: 'contact-check-escalation' } as const;

/** The earliest of: the next round, the open round's reminder, its escalation. */
export function nextTimer(state: ContactCheckState): Timer<ContactCheckCommand> | null {
  if (state.status === 'none' || state.status === 'dormant') return null;
  const candidates: Timer<ContactCheckCommand>[] = [];
  if (state.nextRoundAt) {
    const dueAt = state.nextRoundAt;
    candidates.push({ kind: CONTACT_CHECK_TIMERS.round, at: dueAt, command: (actedAt) => ({ type: 'OpenContactRound', data: { dueAt, actedAt } }) });
  }
  const round = currentRound(state);
  if (round && !round.confirmed) {
    const remindAt = addDuration(round.openedAt, CONTACT_CHECK_REMINDER_AFTER);
    const escalateAt = addDuration(round.openedAt, CONTACT_CHECK_ESCALATION_AFTER);
    if (!round.reminded) candidates.push({ kind: CONTACT_CHECK_TIMERS.reminder, at: remindAt, command: (actedAt) => ({ type: 'RemindContactCheck', data: { dueAt: remindAt, actedAt } }) });
    else if (!round.escalated) candidates.push({ kind: CONTACT_CHECK_TIMERS.escalation, at: escalateAt, command: (actedAt) => ({ type: 'EscalateContactCheck', data: { dueAt: escalateAt, actedAt } }) });
  }
  return candidates.reduce<Timer<ContactCheckCommand> | null>((first, t) => (!first || isBefore(t.at, first.at) ? t : first), null);
}

export const CONTACT_CHECK_CLOCK_KINDS = ['contact-unconfirmed'] as const;
/** The open round's confirmation, due when account management is reminded; in the inbox until confirmed. */
export const contactCheckClocks = (state: ContactCheckState): { kind: (typeof CONTACT_CHECK_CLOCK_KINDS)[number]; at: Instant }[] => {
  if (state.status !== 'awaiting') return [];
  const round = currentRound(state)!;
  return [{ kind: 'contact-unconfirmed', at: addDuration(round.openedAt, CONTACT_CHECK_REMINDER_AFTER) }];
};
export const CONTACT_CHECK_CLOCK_EVENTS: ReadonlySet<string> = new Set(['ContactRoundOpened', 'ContactConfirmed', 'ProcessingCounted']);

export const contactCheckStream = withEmailReceipts<ContactCheckCommand, ContactCheckEvent, ContactCheckState>({
  name: 'contact-check',
  decide,
  evolve,
  initialState,
  eventVersions: { ContactCheckOpened: 1, ProcessingCounted: 1, ContactChanged: 1, ContactRoundOpened: 1, ContactConfirmed: 1, ContactCheckReminded: 1, ContactCheckEscalated: 1 },
  occurredAt: (event) => {
    switch (event.type) {
      case 'ContactCheckOpened':
      case 'ContactRoundOpened':
        return event.data.openedAt;
      case 'ContactCheckReminded':
      case 'ContactCheckEscalated':
        return event.data.actedAt;
      case 'ProcessingCounted':
        return event.data.countedAt;
      default:
        return event.data.at;
    }
  },
  upcast: (stored) => ({ type: stored.type, data: stored.data }) as ContactCheckEvent,
  nextTimer,
  // Kept for as long as the controller is: dormant between contracts, never closed.
  isFinal: () => false,
});

/**
 * Where in one period a controller already in processing when the checks began gets its first:
 * a fixed fraction of the period from its identity (FNV-1a), so they do not all go at once.
 */
export function spreadOver(identity: string, period: IsoDuration, from: Instant): Instant {
  let hash = 0x811c9dc5;
  for (let i = 0; i < identity.length; i++) {
    hash ^= identity.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const offset = Math.floor((hash / 0x1_0000_0000) * minLengthMs(period));
  return new Date(Date.parse(from) + offset).toISOString();
}

export interface ContactCheckView {
  readonly id: string;
  readonly controllerId: string;
  readonly key: string;
  readonly status: ContactCheckStatus;
  readonly contact: string;
  readonly period: IsoDuration;
  readonly contracts: number;
  readonly nextRoundAt: Instant | null;
  readonly round: { readonly n: number; readonly openedAt: Instant; readonly contact: string; readonly confirmedAt: Instant | null; readonly confirmedBy: string | null; readonly confirmationDue: Instant; readonly remindedAt: Instant | null; readonly escalatedAt: Instant | null } | null;
  readonly lastConfirmedAt: Instant | null;
  readonly overdue: string[];
}

export function toContactCheckView(state: ContactCheckState, at: Instant): ContactCheckView {
  const s = opened(state);
  const round = currentRound(s);
  const confirmationDue = round ? addDuration(round.openedAt, CONTACT_CHECK_REMINDER_AFTER) : null;
  return {
    id: s.checkId,
    controllerId: s.controllerId,
    key: s.identity,
    status: s.status,
    contact: s.contact,
    period: s.period,
    contracts: s.contracts,
    nextRoundAt: s.nextRoundAt,
    round: round ? { n: round.n, openedAt: round.openedAt, contact: round.contact, confirmedAt: round.confirmed?.at ?? null, confirmedBy: round.confirmed?.address ?? null, confirmationDue: confirmationDue!, remindedAt: round.reminded?.actedAt ?? null, escalatedAt: round.escalated?.actedAt ?? null } : null,
    lastConfirmedAt: [...s.rounds].reverse().find((r) => r.confirmed)?.confirmed?.at ?? null,
    overdue: s.status === 'awaiting' && isOverdue(confirmationDue!, at) ? ['confirmationDue'] : [],
  };
}
