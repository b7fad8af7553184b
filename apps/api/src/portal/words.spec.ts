import { describe, expect, it } from 'vitest';
import { CONTRACT_FILE_TYPES, CONTROLLER_LOCALES, DEADLINE_KINDS, FILE_TYPES, type BreachNoticeView, type ContractStatus, type SubProcessorNoticeView } from '#domain';
import { CONTROLLER_FACING_TYPES } from '#infra/i18n/en';
import { formFieldsOf } from '../ui/schema-forms';
import { portalWords } from './words';

/*
 * DESIGN §8: every word a portal page may reach for, in every language a controller may choose.
 * A page reaching for a missing key fails (the catalogue throws): this finds each before a page does,
 * from the declarations — every view's fields, every status, every clock, every act and its form.
 */

// The views of the types that declare none (their own workflows): every key, checked by the compiler.
const BREACH_NOTICE_VIEW: Record<keyof BreachNoticeView, true> = {
  id: true, incidentId: true, contractId: true, status: true, awareAt: true, targetDue: true, sentAt: true, controllerAuthorityDue: true, escalatedAt: true, acknowledgedAt: true,
  acknowledgementDue: true, acknowledgementRemindedAt: true, closedAt: true, content: true, toFollow: true, supplements: true, late: true, overdue: true,
};
const SUB_PROCESSOR_NOTICE_VIEW: Record<keyof SubProcessorNoticeView, true> = {
  id: true, changeId: true, contractId: true, status: true, kind: true, subProcessor: true, location: true, replaces: true, announcedAt: true, objectionDeadline: true, effectiveAt: true,
  sentAt: true, objectedAt: true, objectionReason: true, needsAccountManagement: true, storageLocations: true, settledAt: true, lapsedBecause: true, keptBecause: true,
};
const CONTRACT_STATUSES: Record<ContractStatus, true> = { none: true, ordered: true, active: true, expired: true, terminated: true, cancelled: true, destroyed: true };
// Shown apart, never as a fact of their own.
const NOT_FACTS = new Set(['content', 'supplements', 'toFollow']);

const shown = CONTROLLER_FACING_TYPES;
const viewKeys = (t: (typeof FILE_TYPES)[number]): string[] =>
  t.name === 'breach-notice' ? Object.keys(BREACH_NOTICE_VIEW) : t.name === 'sub-processor-notice' ? Object.keys(SUB_PROCESSOR_NOTICE_VIEW) : Object.keys((t.view!.schema() as unknown as { shape: object }).shape);

describe('the portal in every language', () => {
  for (const locale of CONTROLLER_LOCALES) {
    const w = portalWords({ locale });
    it(`${locale}: every fact, status, clock and noun of every file a controller sees`, () => {
      for (const t of shown) {
        expect(() => w.noun(t.name), t.name).not.toThrow();
        for (const key of viewKeys(t).filter((k) => !NOT_FACTS.has(k))) expect(() => w.field(key), `${t.name}.${key}`).not.toThrow();
        for (const status of Object.keys(t.statuses)) expect(() => w.status(status), `${t.name}: ${status}`).not.toThrow();
      }
      for (const status of Object.keys(CONTRACT_STATUSES)) expect(() => w.status(status), status).not.toThrow();
      for (const kind of DEADLINE_KINDS) expect(() => w.clock(kind), kind).not.toThrow();
      expect(CONTRACT_FILE_TYPES.every((t) => shown.includes(t))).toBe(true);
    });

    it(`${locale}: every act a controller may do, its form's fields, hints and choices`, () => {
      for (const t of FILE_TYPES) {
        const acts = [
          ...Object.entries(t.commands ?? {}).flatMap(([name, c]) => (c.portal ? [{ name, schema: c.schema, preset: Object.keys(c.portal.preset?.(new Date().toISOString(), { status: 'none' } as never) ?? {}) }] : [])),
          ...Object.entries(t.controllerActs ?? {}).map(([name, a]) => ({ name, schema: a.schema, preset: Object.keys(a.preset?.(new Date().toISOString(), { status: 'none' } as never) ?? {}) })),
        ];
        for (const act of acts) {
          expect(() => w.act(t.name, act.name), `${t.name}.${act.name}`).not.toThrow();
          for (const field of formFieldsOf(act.schema()).filter((f) => !act.preset.includes(f.name))) {
            const shownField = w.formField(field);
            expect(shownField.label, `${t.name}.${act.name}.${field.name}`).not.toBe('');
            for (const option of field.options ?? []) expect(() => w.fieldWords.option(option), `${field.name}: ${option}`).not.toThrow();
          }
        }
      }
    });
  }

  it('French is not English: a page word and an act differ', () => {
    const [en, fr] = [portalWords({ locale: 'en' }), portalWords({ locale: 'fr' })];
    expect(fr.t('portal.contract.due')).not.toBe(en.t('portal.contract.due'));
    expect(fr.act('instruction', 'withdraw').act).not.toBe(en.act('instruction', 'withdraw').act);
  });
});
