import { IANAZone } from 'luxon';
import type { Instant } from '../calendar';
import { optionalEmail, optionalText } from '../contract/contract.validation';
import { notFoundError, validationError } from '../errors';
import { FIELDS } from '../fields';
import { withEmailReceipts } from '../kit/mail';

/** The languages the engine writes to a controller in (DESIGN §8). */
export const CONTROLLER_LOCALES = ['en', 'fr'] as const;
export type ControllerLocale = (typeof CONTROLLER_LOCALES)[number];

/** A controller's preferences: how to write to it and where, never terms of its contracts. */
export interface ControllerPreferences {
  readonly locale: ControllerLocale;
  /** An IANA zone: dates written to it are in its zone, with UTC beside them. */
  readonly timeZone: string;
  /** The point of contact for breaches the contact checks ask (DESIGN §3.10); else the controller's email. Breach notices do not use it yet (docs/known-limits.md). */
  readonly breachContact: string | null;
  readonly stripeCustomerId: string | null;
}

export const DEFAULT_PREFERENCES: ControllerPreferences = { locale: 'en', timeZone: 'UTC', breachContact: null, stripeCustomerId: null };

export interface ControllerPreferencesSetData extends ControllerPreferences {
  readonly controllerId: string;
  /** Who the controller is: `customer:<id>` or `email:<normalised email>` (controllerIdentity). */
  readonly identity: string;
  readonly recordedAt: Instant;
}

type Given<T> = { readonly [K in keyof T]?: unknown };

export type ControllerCommand = {
  readonly type: 'SetControllerPreferences';
  readonly data: Given<ControllerPreferences> & {
    readonly controllerId: string;
    readonly identity: string;
    /** PUT: what is not given goes back to its default. Otherwise what is not given is kept. */
    readonly replace: boolean;
    readonly recordedAt: Instant;
  };
};

export type ControllerEvent = { readonly type: 'ControllerPreferencesSet'; readonly data: ControllerPreferencesSetData };

export type ControllerState =
  | { readonly status: 'none' }
  | (ControllerPreferences & { readonly status: 'recorded'; readonly controllerId: string; readonly identity: string; readonly recordedAt: Instant; readonly updatedAt: Instant });

export type RecordedController = Exclude<ControllerState, { status: 'none' }>;

function preferencesOf(given: Given<ControllerPreferences>, base: ControllerPreferences): ControllerPreferences {
  const locale = given.locale === undefined ? base.locale : given.locale;
  if (!(CONTROLLER_LOCALES as readonly unknown[]).includes(locale)) throw validationError('controller.invalid_locale', `locale must be one of ${CONTROLLER_LOCALES.join(', ')}`, { field: 'locale' });
  const timeZone = given.timeZone === undefined ? base.timeZone : optionalText(given.timeZone, 'timeZone', FIELDS.timeZone);
  if (timeZone === null || !IANAZone.isValidZone(timeZone)) throw validationError('controller.invalid_time_zone', 'timeZone must be an IANA time zone, e.g. Europe/Paris', { field: 'timeZone' });
  return {
    locale: locale as ControllerLocale,
    timeZone,
    breachContact: given.breachContact === undefined ? base.breachContact : optionalEmail(given.breachContact, 'breachContact'),
    stripeCustomerId: given.stripeCustomerId === undefined ? base.stripeCustomerId : optionalText(given.stripeCustomerId, 'stripeCustomerId', FIELDS.stripeCustomerId),
  };
}

const same = (a: ControllerPreferences, b: ControllerPreferences) => a.locale === b.locale && a.timeZone === b.timeZone && a.breachContact === b.breachContact && a.stripeCustomerId === b.stripeCustomerId;

export function decide(command: ControllerCommand, state: ControllerState): ControllerEvent[] {
  const d = command.data;
  const current = state.status === 'none' ? DEFAULT_PREFERENCES : state;
  const preferences = preferencesOf(d, d.replace ? DEFAULT_PREFERENCES : current);
  if (state.status !== 'none' && same(preferences, state)) return [];
  return [{ type: 'ControllerPreferencesSet', data: { controllerId: d.controllerId, identity: d.identity, ...preferences, recordedAt: d.recordedAt } }];
}

export function evolve(state: ControllerState, event: ControllerEvent): ControllerState {
  const { controllerId, identity, locale, timeZone, breachContact, stripeCustomerId, recordedAt } = event.data;
  return { status: 'recorded', controllerId, identity, locale, timeZone, breachContact, stripeCustomerId, recordedAt: state.status === 'none' ? recordedAt : state.recordedAt, updatedAt: recordedAt };
}

export const initialState = (): ControllerState => ({ status: 'none' });

/** The controller record (DESIGN §8): its preferences, set by staff or with an order. */
export const controllerStream = withEmailReceipts<ControllerCommand, ControllerEvent, ControllerState>({
  name: 'controller',
  decide,
  evolve,
  initialState,
  eventVersions: { ControllerPreferencesSet: 1 },
  occurredAt: (event) => event.data.recordedAt,
  upcast: (stored) => ({ type: stored.type, data: stored.data }) as ControllerEvent,
  nextTimer: () => null,
  // A record, not a case: it has no end.
  isFinal: () => false,
});

export interface ControllerView extends ControllerPreferences {
  readonly id: string;
  /** The key it is reached by: `customer:<id>` or `email:<address>`. */
  readonly key: string;
  readonly customerId: string | null;
  readonly email: string | null;
  readonly recordedAt: Instant;
  readonly updatedAt: Instant;
}

export function toControllerView(state: ControllerState): ControllerView {
  if (state.status === 'none') throw notFoundError('controller.not_found', 'no such controller');
  const [kind, ...rest] = state.identity.split(':');
  const value = rest.join(':');
  return {
    id: state.controllerId,
    key: state.identity,
    customerId: kind === 'customer' ? value : null,
    email: kind === 'email' ? value : null,
    locale: state.locale,
    timeZone: state.timeZone,
    breachContact: state.breachContact,
    stripeCustomerId: state.stripeCustomerId,
    recordedAt: state.recordedAt,
    updatedAt: state.updatedAt,
  };
}
