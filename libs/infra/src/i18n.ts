import i18next from 'i18next';
import { en, type Catalogue } from './i18n/en';
import { fr } from './i18n/fr';

/*
 * DESIGN §8: the controller's language. What a controller reads (its emails, its portal, its
 * certificate) comes from one catalogue per locale through i18next, in the locale of its record
 * (`en` unless set), with instants in its time zone and UTC beside them. A key missing from a
 * catalogue is an error, never the key shown in its place: the tests render every text in both.
 */

export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];
export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { en, fr };

const i18n = i18next.createInstance();
void i18n.init({
  resources: { en: { translation: en }, fr: { translation: fr } },
  lng: 'en',
  fallbackLng: false,
  initAsync: false,
  interpolation: { escapeValue: false },
  returnEmptyString: false,
});

/** The words of one locale, and instants as its reader reads them. */
export interface Words {
  readonly locale: Locale;
  readonly timeZone: string;
  /** The text of `key`; throws when the locale's catalogue has none. */
  t(key: string, vars?: Record<string, unknown>): string;
  /** An instant in the reader's time zone with the UTC instant beside it (the UTC instant alone for a reader in UTC). */
  when(instant: string): string;
}

const validZone = (zone: string | null | undefined): string | null => {
  if (!zone) return null;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return null;
  }
};

export const localeOf = (locale: string | null | undefined): Locale => (LOCALES.includes(locale as Locale) ? (locale as Locale) : 'en');

export function wordsFor(preferences: { readonly locale?: string | null; readonly timeZone?: string | null } = {}): Words {
  const locale = localeOf(preferences.locale);
  const timeZone = validZone(preferences.timeZone) ?? 'UTC';
  const fixed = i18n.getFixedT(locale);
  const t = (key: string, vars?: Record<string, unknown>): string => {
    if (!i18n.exists(key, { lng: locale })) throw new Error(`the ${locale} catalogue has no text for ${key}`);
    return fixed(key, vars ?? {}) as string;
  };
  return {
    locale,
    timeZone,
    t,
    when(instant) {
      if (timeZone === 'UTC') return instant;
      const local = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone }).format(new Date(instant));
      return t('when.zoned', { local, zone: timeZone, utc: instant });
    },
  };
}

/** Every key of a catalogue, dotted: what a test compares between locales. */
export function keysOf(catalogue: object, prefix = ''): string[] {
  return Object.entries(catalogue).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keysOf(v as object, `${prefix}${k}.`)));
}
