import { wordsFor, type Words } from '#infra/i18n';
import { type ApiError } from '../common/api-error';
import { dateTime, html, type Html } from '../ui/html';
import { type FieldWords, type FormField } from '../ui/schema-forms';
import { type PortalSession } from './portal-sign-in';

/**
 * DESIGN §8: the portal in the controller's language (its record's locale; English before it is
 * known) and its instants in its time zone, UTC beside them.
 */
export interface PortalWords extends Words {
  /** An instant on a page: in UTC as the staff's pages show it; else in the zone, with UTC beside. */
  at(instant: string): Html | string;
  status(status: string): string;
  clock(kind: string): string;
  field(key: string): string;
  noun(type: string): string;
  /** A controller's act as its declaration is worded in this language. */
  act(type: string, name: string): { readonly act: string; readonly done: string };
  /** A form's field, labelled and explained in this language. */
  formField(field: FormField): FormField;
  readonly fieldWords: FieldWords;
  /** What a refusal says: the catalogue's words for its code when it has them, else the engine's own message. */
  error(error: ApiError): string;
}

export function portalWords(preferences: { readonly locale?: string | null; readonly timeZone?: string | null } = {}): PortalWords {
  const w = wordsFor(preferences);
  const has = (key: string) => {
    try {
      w.t(key);
      return true;
    } catch {
      return false;
    }
  };
  return {
    ...w,
    at: (instant) => (w.timeZone === 'UTC' ? dateTime(instant) : html`${new Intl.DateTimeFormat(w.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: w.timeZone }).format(new Date(instant))} ${w.timeZone} <span class="muted">(${dateTime(instant)})</span>`),
    status: (status) => w.t(`portal.status.${status}`),
    clock: (kind) => w.t(`portal.clock.${kind}`),
    field: (key) => w.t(`portal.field.${key}`),
    noun: (type) => w.t(`portal.noun.${type}`),
    act: (type, name) => ({ act: w.t(`portal.act.${type}.${name}.act`), done: w.t(`portal.act.${type}.${name}.done`) }),
    formField: (f) => ({ ...f, label: w.t(`portal.field.${f.name}`), ...(f.hint ? { hint: w.t(`portal.hint.${f.name}`) } : {}) }),
    fieldWords: { optional: w.t('portal.form.optional'), utc: w.t('portal.form.utc'), yes: w.t('portal.form.yes'), no: w.t('portal.form.no'), option: (o) => w.t(`portal.option.${o}`) },
    error: (error) => (has(`portal.error.${error.code}`) ? w.t(`portal.error.${error.code}`) : error.message),
  };
}

/** The words of a session's controller (English before one is covered, or for no session). */
export const wordsOf = (session: PortalSession | null | undefined): PortalWords => portalWords({ locale: session?.locale, timeZone: session?.timeZone });
