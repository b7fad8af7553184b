import PDFDocument from 'pdfkit';
import { type DestructionCertificate } from '#domain';
import { wordsFor, type Words } from '../i18n';

/*
 * The destruction certificate as a person reads it (issue 26): a PDF rendering of the signed JSON,
 * with what the certificate says, the key that signs the evidence pack, and how to verify the pack.
 * Pure: the same input gives the same bytes (no clock, no randomness; the PDF's dates are the
 * certificate's issue instant). It shows no data subject's personal data, for the certificate holds
 * none. PDFKit's standard fonts (Helvetica) ship inside the package: nothing is fetched.
 */

export interface CertificatePdfInput {
  readonly certificate: DestructionCertificate;
  readonly contractId: string;
  readonly reference: string | null;
  readonly controllerName: string;
  /** The key that signs the evidence pack (its active key): its id and RFC 7638 thumbprint (base64url). */
  readonly signingKey: { readonly kid: string; readonly thumbprint: string };
  /** Where the processor publishes its public keys, e.g. https://engine.example/.well-known/dpa-signing-keys. */
  readonly keysUrl: string;
  /** Where the processor publishes the verifier, e.g. https://engine.example/.well-known/dpa-verify.mjs. */
  readonly verifierUrl: string;
  /** The controller's words and time zone (its record's locale and timeZone): English and UTC unless given. */
  readonly words?: Words;
}


const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * `2027-01-31T00:00:00.000Z (31 January 2027, 00:00:00 UTC)`: the instant as the JSON holds it, then
 * in words — in the reader's language and time zone when it has one (`31 janvier 2027 à 01:00:00 Europe/Paris`).
 */
export function instantText(at: string, w?: Words): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  if (!w || (w.locale === 'en' && w.timeZone === 'UTC')) return `${at} (${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC)`;
  return `${at} (${new Intl.DateTimeFormat(w.locale, { dateStyle: 'long', timeStyle: 'medium', timeZone: w.timeZone }).format(d)} ${w.timeZone})`;
}

/** The code points beyond Latin-1 that the standard fonts' WinAnsi encoding has (PDF 32000 Annex D). */
const WIN_ANSI_EXTRA = new Set([0x152, 0x153, 0x160, 0x161, 0x178, 0x17d, 0x17e, 0x192, 0x2c6, 0x2dc, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c, 0x201d, 0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a, 0x20ac, 0x2122]);
const LATIN_FALLBACK: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŀ: 'L', ŀ: 'l', Ŧ: 'T', ŧ: 't', Œ: 'OE', ẞ: 'SS' };
const printable = (ch: string) => {
  const cp = ch.codePointAt(0)!;
  return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) || WIN_ANSI_EXTRA.has(cp);
};

/**
 * Text the standard fonts can draw (they know WinAnsi only): a letter outside it loses its accents
 * (ą → a), a few have a Latin fallback (ł → l), anything else becomes `?`; control characters become
 * spaces. The signed JSON keeps every value exactly.
 */
export function drawable(text: string): string {
  let out = '';
  for (const ch of text) {
    if (printable(ch)) out += ch;
    else if (/\p{Cc}/u.test(ch)) out += ' ';
    else if (LATIN_FALLBACK[ch]) out += LATIN_FALLBACK[ch];
    else {
      const bare = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += bare && [...bare].every(printable) ? bare : '?';
    }
  }
  return out;
}

const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const MONO = 'Courier';
const MARGIN = 56;
const LABEL_WIDTH = 118;
const GAP = 10;
const INK = '#111111';
const MUTED = '#555555';
const MET = '#1b5e20';
const NOT_MET = '#b71c1c';

/** A document's own words: its title and subject, its language, the instant it is dated by. */
export interface PdfInfo {
  readonly title: string;
  readonly subject: string;
  readonly lang: string;
  readonly dated: Date;
}

/**
 * An A4 document with the house layout (paragraphs, headings with a rule, label and value rows whose
 * values wrap in their column, a footer on every page), every text made drawable by the standard
 * fonts. `end` writes the footers and gives the bytes.
 */
export function pdfDocument(info: PdfInfo) {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    lang: info.lang,
    displayTitle: true,
    info: { Title: drawable(info.title), Subject: drawable(info.subject), Creator: 'DPA lifecycle engine', CreationDate: info.dated, ModDate: info.dated },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - MARGIN;
  const ensureRoom = (height: number) => {
    if (doc.y + height > bottom()) doc.addPage();
  };
  const paragraph = (text: string, options: { font?: string; size?: number; color?: string; indent?: number; gapAfter?: number } = {}) => {
    const indent = options.indent ?? 0;
    doc.font(options.font ?? FONT).fontSize(options.size ?? 10.5).fillColor(options.color ?? INK);
    const t = drawable(text);
    ensureRoom(Math.min(doc.heightOfString(t, { width: width - indent }), 3 * doc.currentLineHeight(true)));
    doc.text(t, MARGIN + indent, doc.y, { width: width - indent });
    doc.moveDown(options.gapAfter ?? 0.4);
  };
  const heading = (text: string) => {
    doc.moveDown(0.6);
    doc.font(BOLD).fontSize(13);
    // A heading never ends a page: it keeps its first lines with it.
    ensureRoom(doc.currentLineHeight(true) + 48);
    doc.fillColor(INK).text(drawable(text), MARGIN, doc.y, { width });
    const y = doc.y + 2;
    doc.moveTo(MARGIN, y).lineTo(MARGIN + width, y).lineWidth(0.5).strokeColor('#999999').stroke();
    doc.y = y + 6;
  };
  /** A label and its value side by side; the value wraps in its column (long ids included). */
  const row = (label: string, value: string, options: { indent?: number; mono?: boolean; valueFont?: string; color?: string } = {}) => {
    const indent = options.indent ?? 0;
    const labelWidth = LABEL_WIDTH - indent;
    const valueX = MARGIN + LABEL_WIDTH + GAP;
    const valueWidth = width - LABEL_WIDTH - GAP;
    const l = drawable(label);
    const v = drawable(value);
    const valueFont = options.valueFont ?? (options.mono ? MONO : FONT);
    doc.font(BOLD).fontSize(10);
    const labelHeight = doc.heightOfString(l, { width: labelWidth });
    doc.font(valueFont).fontSize(10);
    const valueHeight = doc.heightOfString(v, { width: valueWidth });
    ensureRoom(Math.min(Math.max(labelHeight, valueHeight), bottom() - MARGIN));
    const y = doc.y;
    doc.font(BOLD).fontSize(10).fillColor(MUTED).text(l, MARGIN + indent, y, { width: labelWidth });
    const afterLabel = doc.y;
    doc.font(valueFont).fontSize(10).fillColor(options.color ?? INK).text(v, valueX, y, { width: valueWidth });
    // A value that ran onto the next page leaves the cursor there.
    doc.y = doc.y < y ? doc.y : Math.max(doc.y, afterLabel);
    doc.moveDown(0.2);
  };
  const title = (text: string) => {
    doc.font(BOLD).fontSize(22).fillColor(INK).text(drawable(text), MARGIN, MARGIN, { width });
    doc.moveDown(0.2);
  };
  /** The footers (`footer(page, pages)` on each), then the bytes. */
  const end = (footer: (page: number, pages: number) => string): Promise<Buffer> => {
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      const keep = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc.font(FONT).fontSize(8).fillColor(MUTED);
      // One line: a long id is cut short here (it is whole in the document).
      doc.text(drawable(footer(i - range.start + 1, range.count)), MARGIN, doc.page.height - MARGIN + 18, { width, height: doc.currentLineHeight(), ellipsis: true });
      doc.page.margins.bottom = keep;
    }
    doc.end();
    return done;
  };
  return { doc, paragraph, heading, row, title, end, ensureRoom };
}

/** The certificate as a PDF (A4, in the controller's language). */
export async function certificatePdf(input: CertificatePdfInput): Promise<Buffer> {
  const c = input.certificate;
  const w = input.words ?? wordsFor();
  const t = (key: string, vars?: Record<string, unknown>) => w.t(`pdf.${key}`, vars);
  const when = (at: string) => instantText(at, w);
  const { doc, paragraph, heading, row, title, end, ensureRoom } = pdfDocument({
    title: t('docTitle', { id: c.certificateId }),
    subject: t('docSubject', { name: input.reference ?? input.contractId }),
    lang: w.locale,
    dated: new Date(c.completedAt),
  });

  title(t('title'));
  paragraph(t('issued', { at: when(c.completedAt) }), { color: MUTED, size: 10 });
  row(t('certificateId'), c.certificateId);
  doc.moveDown(0.3);
  paragraph(t('evidence'), { font: BOLD, size: 10 });

  heading(t('contract'));
  row(t('contractId'), input.contractId);
  row(t('reference'), input.reference ?? t('none'));
  row(t('controller'), input.controllerName);
  row(t('ended'), t('endedValue', { at: when(c.endedAt), kind: t(`endKind.${c.endKind}`) }));
  row(t('endReason'), c.endReason);

  heading(t('deadlineTitle'));
  row(t('deadline'), when(c.deadline));
  row(t('completed'), when(c.completedAt));
  const afterDeadline = (at: string) => Date.parse(at) > Date.parse(c.deadline);
  row(t('deadlineLabel'), c.withinDeadline ? t('met') : t('notMet'), { valueFont: BOLD, color: c.withinDeadline ? MET : NOT_MET });

  heading(t('locations', { count: c.locations.length }));
  c.locations.forEach((l, i) => {
    doc.font(BOLD).fontSize(10.5);
    ensureRoom(5 * doc.currentLineHeight(true));
    paragraph(`${i + 1}. ${l.name}`, { font: BOLD, gapAfter: 0.2 });
    row(t('locationId'), l.id, { indent: 14 });
    row(t('method'), l.evidence.method, { indent: 14 });
    row(t('destroyed'), `${when(l.destroyedAt)}${afterDeadline(l.destroyedAt) ? t('afterDeadline') : ''}`, { indent: 14 });
    row(t('inventory'), t('inventoryValue', { objects: l.evidence.objectCount, bytes: l.evidence.bytes, at: when(l.evidence.verifiedAt) }), { indent: 14 });
    row(t('manifest'), l.evidence.manifestHash, { indent: 14, mono: true });
    doc.moveDown(0.3);
  });
  if (c.locations.length === 0) paragraph(t('noLocation'));

  heading(t('key'));
  paragraph(t('keyIntro'));
  row(t('keyId'), input.signingKey.kid);
  row(t('thumbprint'), input.signingKey.thumbprint, { mono: true });
  paragraph(t('thumbprintNote'), { color: MUTED, size: 9.5 });

  heading(t('verify'));
  paragraph(t('verifyIntro'));
  paragraph(t('step1'));
  paragraph(input.keysUrl, { font: MONO, size: 9.5, indent: 14 });
  paragraph(t('step2'));
  paragraph(input.verifierUrl, { font: MONO, size: 9.5, indent: 14 });
  paragraph(t('step3', { kid: input.signingKey.kid }));
  paragraph('npx dpa-verify <pack.zip> --key dpa-signing-keys.json', { font: MONO, size: 9.5, indent: 14, gapAfter: 0.1 });
  paragraph(t('orNode'), { color: MUTED, size: 9.5, indent: 14 });
  paragraph(t('verifies'));

  // A footer on every page: which certificate, and the page's number.
  return end((page, pages) => t('footer', { page, pages, id: c.certificateId }));
}
