import { article33Content, toFollow, type BreachNoticeView, type IncidentContent } from '#domain';
import { wordsFor, type Words } from '../i18n';
import { instantText, pdfDocument } from './certificate-pdf';

/*
 * DESIGN §8: a breach notice as the controller attaches it to its own notification to its
 * supervisory authority — what is known under GDPR 33(3), each supplement with what it changed,
 * when the processor became aware and when it told the controller — in the controller's language.
 * Pure: the same notice gives the same bytes (dated by its opening, not by the clock). The free text
 * is the DPO's, as written; the JSON beside it is the same notice, whole.
 */

export interface BreachNoticePdfInput {
  readonly notice: BreachNoticeView;
  readonly reference: string | null;
  readonly controllerName: string;
  readonly processorName: string;
  readonly processorDpo: string;
  readonly words?: Words;
}

export async function breachNoticePdf(input: BreachNoticePdfInput): Promise<Buffer> {
  const n = input.notice;
  const w = input.words ?? wordsFor();
  const t = (key: string, vars?: Record<string, unknown>) => w.t(`breachPdf.${key}`, vars);
  const when = (at: string | null) => (at ? instantText(at, w) : '—');
  const { doc, paragraph, heading, row, title, end } = pdfDocument({ title: t('docTitle', { id: n.id }), subject: t('docSubject', { name: input.reference ?? n.contractId }), lang: w.locale, dated: new Date(n.awareAt) });
  const known = (content: Partial<IncidentContent>, full: boolean) => {
    const all = article33Content({ ...(n.content as IncidentContent), ...content });
    const unknown = new Set(toFollow(n.content));
    for (const key of full ? Object.keys(all) : Object.keys(content)) row(w.t(`mail.article33.${key}`), full && unknown.has(key) ? w.t('mail.article33.toFollow') : all[key]!);
  };

  title(t('title'));
  paragraph(t('intro', { processor: input.processorName }), { size: 10 });
  heading(t('notice'));
  row(t('noticeId'), n.id);
  row(t('incidentId'), n.incidentId);
  row(t('contract'), input.reference ? `${input.reference} (${n.contractId})` : n.contractId);
  row(t('controller'), input.controllerName);
  row(t('awareAt'), when(n.awareAt));
  row(t('sentAt'), when(n.sentAt));
  row(t('authorityDue'), when(n.controllerAuthorityDue));
  row(t('acknowledgedAt'), when(n.acknowledgedAt));
  row(t('contact'), input.processorDpo);

  heading(t('known'));
  known(n.content, true);
  paragraph(w.t('mail.asWritten'), { size: 9.5 });
  if (n.supplements.length) {
    heading(t('supplements', { count: n.supplements.length }));
    for (const s of n.supplements) {
      paragraph(t('supplement', { number: s.number, at: when(s.recordedAt) }), { gapAfter: 0.2 });
      known(s.changes, false);
      doc.moveDown(0.3);
    }
  }
  paragraph(t('json'), { size: 9.5 });
  return end((page, pages) => t('footer', { page, pages, id: n.id }));
}
