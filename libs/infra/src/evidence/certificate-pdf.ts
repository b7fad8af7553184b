import PDFDocument from 'pdfkit';
import { type DestructionCertificate } from '#domain';

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
}

/** The sentence that says which is the evidence. */
export const EVIDENCE_SENTENCE =
  'This PDF is a readable rendering of the certificate, not the evidence: the evidence is the signed JSON, destruction-certificate.json in the signed evidence pack.';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `2027-01-31T00:00:00.000Z (31 January 2027, 00:00:00 UTC)`: the instant as the JSON holds it, then in words. */
export function instantText(at: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  return `${at} (${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC)`;
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

/** The certificate as a PDF (A4, English). */
export async function certificatePdf(input: CertificatePdfInput): Promise<Buffer> {
  const c = input.certificate;
  const issued = new Date(c.completedAt);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    lang: 'en',
    displayTitle: true,
    info: {
      Title: drawable(`Certificate of destruction ${c.certificateId}`),
      Subject: drawable(`Destruction of the data of contract ${input.reference ?? input.contractId}`),
      Creator: 'DPA lifecycle engine',
      CreationDate: issued,
      ModDate: issued,
    },
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

  // Title.
  doc.font(BOLD).fontSize(22).fillColor(INK).text('Certificate of destruction', MARGIN, MARGIN, { width });
  doc.moveDown(0.2);
  paragraph(`Issued by the processor's DPA lifecycle engine on ${instantText(c.completedAt)}.`, { color: MUTED, size: 10 });
  row('Certificate id', c.certificateId);
  doc.moveDown(0.3);
  paragraph(EVIDENCE_SENTENCE, { font: BOLD, size: 10 });

  heading('The contract');
  row('Contract id', input.contractId);
  row('Reference', input.reference ?? '(none)');
  row('Controller', input.controllerName);
  row('Ended', `${instantText(c.endedAt)}, ${c.endKind}`);
  row('Reason it ended', c.endReason);

  heading('The deadline');
  row('Destruction deadline', instantText(c.deadline));
  row('Destruction completed', instantText(c.completedAt));
  const afterDeadline = (at: string) => Date.parse(at) > Date.parse(c.deadline);
  row(
    'Deadline',
    c.withinDeadline
      ? 'Met: every location was destroyed by the deadline.'
      : 'Not met: the destruction was completed after the deadline.',
    { valueFont: BOLD, color: c.withinDeadline ? MET : NOT_MET },
  );

  heading(`The locations destroyed (${c.locations.length})`);
  c.locations.forEach((l, i) => {
    doc.font(BOLD).fontSize(10.5);
    ensureRoom(5 * doc.currentLineHeight(true));
    paragraph(`${i + 1}. ${l.name}`, { font: BOLD, gapAfter: 0.2 });
    row('Location id', l.id, { indent: 14 });
    row('Method', l.evidence.method, { indent: 14 });
    row('Destroyed', `${instantText(l.destroyedAt)}${afterDeadline(l.destroyedAt) ? ', after the deadline' : ''}`, { indent: 14 });
    row('Inventory', `${l.evidence.objectCount} objects, ${l.evidence.bytes} bytes, verified ${instantText(l.evidence.verifiedAt)}`, { indent: 14 });
    row('Manifest sha256', l.evidence.manifestHash, { indent: 14, mono: true });
    doc.moveDown(0.3);
  });
  if (c.locations.length === 0) paragraph('No location held the data.');

  heading('The signing key');
  paragraph("The evidence pack's manifest is signed with this Ed25519 key, the processor's active key:");
  row('Key id', input.signingKey.kid);
  row('Thumbprint', input.signingKey.thumbprint, { mono: true });
  paragraph('The thumbprint is the RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key.', { color: MUTED, size: 9.5 });

  heading('How to verify');
  paragraph(
    "The evidence pack of the contract holds destruction-certificate.json. Its manifest.json lists the SHA-256 of every file in the pack, and manifest.sig is the manifest's Ed25519 signature.",
  );
  paragraph('1. Fetch the public keys from the processor, never from the pack, and save them as dpa-signing-keys.json:');
  paragraph(input.keysUrl, { font: MONO, size: 9.5, indent: 14 });
  paragraph('2. Fetch the verifier from the processor, never from the pack:');
  paragraph(input.verifierUrl, { font: MONO, size: 9.5, indent: 14 });
  paragraph(`3. Check that the key ${input.signingKey.kid} in dpa-signing-keys.json has the thumbprint above, then run the verifier on the pack as you received it:`);
  paragraph('npx dpa-verify <pack.zip> --key dpa-signing-keys.json', { font: MONO, size: 9.5, indent: 14, gapAfter: 0.1 });
  paragraph('(or, with the verifier fetched in step 2 and Node.js 18 or later: node dpa-verify.mjs <pack.zip> --key dpa-signing-keys.json)', { color: MUTED, size: 9.5, indent: 14 });
  paragraph('The pack verifies when every file matches the manifest and the signature matches the key.');

  // A footer on every page: which certificate, and the page's number.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const keep = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font(FONT).fontSize(8).fillColor(MUTED);
    // One line: a long certificate id is cut short here (it is whole at the top of the first page).
    const footer = drawable(`Page ${i - range.start + 1} of ${range.count} · Certificate of destruction ${c.certificateId}`);
    doc.text(footer, MARGIN, doc.page.height - MARGIN + 18, { width, height: doc.currentLineHeight(), ellipsis: true });
    doc.page.margins.bottom = keep;
  }
  doc.end();
  return done;
}
