import { describe, expect, it } from 'vitest';
import { CATALOGUES, keysOf, LOCALES, wordsFor } from '#infra/i18n';
import { composeNotice, type Notice } from './notices';

/*
 * DESIGN §8: a controller's emails in its language, instants in its time zone with UTC beside them.
 * Every email kind a controller receives is worded in each locale; a key missing from a catalogue
 * throws, so a kind that reached for one fails here.
 */

const CONTRACT = 'c0ffee00-0000-4000-8000-000000000001';
const AT = '2027-03-01T09:00:00.000Z';
const party = { controllerName: 'Alpha SAS', controllerEmail: 'privacy@alpha.example', controllerDpoEmail: null, contractReference: 'ALPHA-1' };
const breach = { ...party, noticeId: 'n-1', incidentId: 'i-1', contractId: CONTRACT, awareAt: AT };
const content = { summary: 'Backup console exposed', nature: 'confidentiality', dataCategories: ['contact data'], subjectCategories: null, approxSubjects: null, approxRecords: 1200, likelyConsequences: null, measures: 'Console closed' };
const change = {
  changeId: 'ch-1',
  kind: 'replacement',
  subProcessor: { name: 'OVH (OVHcloud)', role: 'Backup datacenter', country: 'France' },
  location: { id: 'rbx', name: 'OVH RBX', kind: 'backup', site: 'Roubaix, France' },
  replaces: 'ovh-gra-1',
  announcedAt: AT,
  objectionPeriod: 'P30D',
  objectionDeadline: '2027-03-31T09:00:00.000Z',
  effectiveAt: '2027-04-15T09:00:00.000Z',
};

/** One notice of every kind a controller receives. */
const CONTROLLER_NOTICES: readonly Notice[] = [
  {
    kind: 'certificate',
    contractId: CONTRACT,
    reference: 'ALPHA-1',
    controllerName: 'Alpha SAS',
    controllerEmail: 'privacy@alpha.example',
    certificate: { certificateId: 'cert-1', deadline: '2027-05-01T00:00:00.000Z', endedAt: AT, completedAt: '2027-03-02T10:00:00.000Z', locations: [{ name: 'Paris primary', destroyedAt: '2027-03-02T10:00:00.000Z', evidence: { objectCount: 3, bytes: 42, manifestHash: 'abc', method: 'crypto-erase' } }] } as never,
  },
  { kind: 'subject-request-forwarded', requestId: 'r-1', contractId: CONTRACT, requestType: 'erasure', requestReference: 'DSR-9', receivedAt: AT, deadline: '2027-04-01T09:00:00.000Z', assistanceDue: '2027-03-25T09:00:00.000Z', ...party },
  { kind: 'breach-notice', ...breach, content } as Notice,
  { kind: 'breach-supplement', ...breach, number: 1, changes: { measures: 'Console closed' }, content } as Notice,
  { kind: 'instruction-objection', instructionId: 'in-1', contractId: CONTRACT, receivedAt: AT, summary: 'Keep backups for 90 days', documentRef: 'T-1', reason: 'No legal basis', objectedAt: AT, ...party },
  { kind: 'transfer-notice', noticeId: 't-1', contractId: CONTRACT, destination: 'Switzerland', legalObligation: 'A court order', plannedAt: '2027-03-10T09:00:00.000Z', ...party } as Notice,
  { kind: 'contact-check', checkId: 'cc-1', round: 1, contact: 'breach@alpha.example', openedAt: AT, confirmationDue: '2027-03-15T09:00:00.000Z', key: 'email:privacy@alpha.example', controllerName: 'Alpha SAS' },
  { kind: 'dpo-communicated', contractId: CONTRACT, dpo: { name: 'Dana DPO', email: 'dpo@processor.example', phone: null }, version: 1, ...party } as Notice,
  { kind: 'dpo-changed', controllerHash: 'h', contractId: CONTRACT, controllerName: 'Alpha SAS', controllerEmail: 'privacy@alpha.example', controllerDpoEmail: null, dpo: { name: 'Dana DPO', email: 'dpo@processor.example', phone: null }, version: 2 },
  { kind: 'sub-processor-change', noticeId: 's-1', contractId: CONTRACT, change, ...party } as Notice,
];

const to = { processorDpo: 'dpo@processor.example', accountManagement: 'am@processor.example', link: () => 'https://dpa.example/links/contact-check/confirm?t=x' };

describe("a controller's emails in its language", () => {
  it('the catalogues of every locale have the same keys, none empty', () => {
    for (const locale of LOCALES) {
      // The staff UI's words are English only (no French staff UI yet); everything a controller reads is in both.
      const controllerFacing = (locale: (typeof LOCALES)[number]) => keysOf(CATALOGUES[locale]).filter((k) => !k.startsWith('staff.')).sort();
      expect(controllerFacing(locale), locale).toEqual(controllerFacing('en'));
      for (const key of keysOf(CATALOGUES[locale])) expect(wordsFor({ locale }).t(key).length, `${locale} ${key}`).toBeGreaterThan(0);
    }
  });

  it('every kind a controller receives is worded in English and in French, with nothing left of the other language', () => {
    for (const notice of CONTROLLER_NOTICES) {
      const en = composeNotice(notice, to, wordsFor({ locale: 'en' }));
      const fr = composeNotice(notice, to, wordsFor({ locale: 'fr' }));
      expect(fr.subject, notice.kind).not.toBe(en.subject);
      // No English of the engine's own wording is left in a French email (the free text is as written, and in none of these).
      for (const word of ['Dear', 'contract ', 'Please', 'Our data protection officer', ' your ', 'We ']) expect(fr.text, `${notice.kind}: ${word}`).not.toContain(word);
      // The same recipients and message id: only the words change.
      expect(fr.to, notice.kind).toBe(en.to);
      expect(fr.messageId, notice.kind).toBe(en.messageId);
    }
  });

  it("instants in the controller's time zone, UTC beside them; in UTC, the instant alone", () => {
    const notice = CONTROLLER_NOTICES.find((n) => n.kind === 'transfer-notice')!;
    const paris = composeNotice(notice, to, wordsFor({ locale: 'fr', timeZone: 'Europe/Paris' }));
    // 09:00 UTC is 10:00 in Paris on 10 March 2027 (winter time, UTC+1), computed by hand.
    expect(paris.text).toContain('10 mars 2027 à 10:00 Europe/Paris (2027-03-10T09:00:00.000Z)');
    const newYork = composeNotice(notice, to, wordsFor({ locale: 'en', timeZone: 'America/New_York' }));
    expect(newYork.text).toContain('March 10, 2027 at 4:00 AM America/New_York (2027-03-10T09:00:00.000Z)');
    expect(composeNotice(notice, to, wordsFor()).text).toContain('on 2027-03-10T09:00:00.000Z.');
    // An unknown zone or locale falls back to UTC and English.
    expect(wordsFor({ locale: 'de', timeZone: 'Mars/Olympus' })).toMatchObject({ locale: 'en', timeZone: 'UTC' });
  });

  it("free text (an incident's, an instruction's) is sent as written, and the email says so in the controller's language", () => {
    const fr = composeNotice(CONTROLLER_NOTICES.find((n) => n.kind === 'breach-notice')!, to, wordsFor({ locale: 'fr' }));
    expect(fr.text).toContain('Backup console exposed');
    expect(fr.text).toContain('sans traduction');
    expect(fr.text).toContain('- Conséquences probables: à venir');
    expect(composeNotice(CONTROLLER_NOTICES.find((n) => n.kind === 'instruction-objection')!, to, wordsFor({ locale: 'fr' })).text).toContain('No legal basis');
  });

  it('a key no catalogue has is an error, never shown as the key', () => {
    expect(() => wordsFor({ locale: 'fr' }).t('mail.nothing.here')).toThrow(/fr catalogue has no text for mail.nothing.here/);
  });
});
