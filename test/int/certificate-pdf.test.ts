import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type BreachNoticeView, type DestructionCertificate } from '#domain';
import { ensurePoppler, PDFTOPPM, PDFTOTEXT } from '#infra/dev/debian-packages';
import { certificatePdf, type CertificatePdfInput } from '#infra/evidence/certificate-pdf';
import { breachNoticePdf } from '#infra/evidence/breach-notice-pdf';
import { wordsFor } from '#infra/i18n';
import { jwkThumbprint } from '#infra/evidence/signing';

/*
 * The destruction certificate as a PDF (issue 26): rendered, then read back by Poppler — pdftoppm
 * draws it (an image with ink on it), pdftotext reads what it says — against values written here.
 */

const dir = path.join(inject('runDir'), `certificate-pdf-${randomUUID()}`);

beforeAll(() => {
  ensurePoppler((line) => console.log(line));
  fs.mkdirSync(dir, { recursive: true });
});

const evidence = (method: string) => ({
  objectCount: 1204,
  bytes: 73_400_320,
  manifestHash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  method,
  inventoriedAt: '2027-02-01T09:00:00.000Z',
  verifiedAt: '2027-02-01T09:30:00.000Z',
});

/** Three locations, all destroyed before the deadline of 2027-03-02. */
const certificate: DestructionCertificate = {
  certificateId: 'cert-4d1c8a77-0c3e-4f0b-9a51-2f4d7e6b9c10',
  contractId: '0b8c1c9e-1111-4222-8333-944455556666',
  reference: 'DPA-2027-0042',
  endedAt: '2027-01-31T00:00:00.000Z',
  endKind: 'terminated',
  endReason: 'Terminated by the controller',
  deadline: '2027-03-02T00:00:00.000Z',
  completedAt: '2027-02-20T16:45:10.000Z',
  locations: [
    { id: 'loc-sftp-fra', name: 'SFTP archive Frankfurt', destroyedAt: '2027-02-10T08:30:15.000Z', evidence: evidence('crypto-shredding') },
    { id: 'loc-s3-eu', name: 'Object store eu-central-1', destroyedAt: '2027-02-18T23:05:00.000Z', evidence: evidence('delete-and-verify') },
    { id: 'loc-tape', name: 'Backup tapes Dublin', destroyedAt: '2027-02-20T16:40:00.000Z', evidence: evidence('degauss') },
  ],
  withinDeadline: true,
};

const input = (c: DestructionCertificate, over: Partial<CertificatePdfInput> = {}): CertificatePdfInput => ({
  certificate: c,
  contractId: c.contractId,
  reference: c.reference,
  controllerName: 'Müller & Søn ApS',
  // RFC 8037 appendix A.3's key and thumbprint.
  signingKey: { kid: 'evidence-2027', thumbprint: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k' },
  keysUrl: 'https://engine.example/.well-known/dpa-signing-keys',
  verifierUrl: 'https://engine.example/.well-known/dpa-verify.mjs',
  ...over,
});

/** The PDF written to the run's folder. */
async function rendered(name: string, i: CertificatePdfInput): Promise<string> {
  const file = path.join(dir, `${name}.pdf`);
  fs.writeFileSync(file, await certificatePdf(i));
  return file;
}

/** pdftotext -layout's text, with every run of spaces and line breaks one space (a word cut at a hyphen joined again). */
function textOf(file: string): string {
  const text = execFileSync(PDFTOTEXT, ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  return text.replace(/-\n\s*/g, '-').replace(/\s+/g, ' ');
}

interface Png {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly pixels: Buffer;
}

/** An 8-bit, non-interlaced PNG (what pdftoppm writes), decoded with zlib and the five scanline filters. */
function readPng(bytes: Buffer): Png {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let header: { width: number; height: number; bitDepth: number; colorType: number; interlace: number } | null = null;
  const idat: Buffer[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') header = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), bitDepth: data[8]!, colorType: data[9]!, interlace: data[12]! };
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  expect(header).not.toBeNull();
  const { width, height, bitDepth, colorType, interlace } = header!;
  expect({ bitDepth, interlace }).toEqual({ bitDepth: 8, interlace: 0 });
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType]!;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  expect(raw.length).toBe(height * (stride + 1));
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    if (filter > 4) throw new Error(`scanline ${y} has an unknown filter ${filter}`);
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!;
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/** pdftoppm's pages at 50 dpi, decoded. */
function pagesOf(file: string): Png[] {
  const prefix = path.join(dir, `${path.basename(file, '.pdf')}-page`);
  execFileSync(PDFTOPPM, ['-png', '-r', '50', file, prefix]);
  const pngs = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(path.basename(prefix)) && f.endsWith('.png'))
    .sort();
  return pngs.map((f) => readPng(fs.readFileSync(path.join(dir, f))));
}

describe('the destruction certificate as a PDF', () => {
  it('draws an A4 page with ink on it', async () => {
    const pages = pagesOf(await rendered('met', input(certificate)));
    expect(pages.length).toBeGreaterThanOrEqual(1);
    for (const page of pages) {
      // A4 is 595.28 × 841.89 points: 413 × 585 pixels at 50 dpi.
      expect(Math.abs(page.width - 413)).toBeLessThanOrEqual(1);
      expect(Math.abs(page.height - 585)).toBeLessThanOrEqual(1);
      const colours = new Set<string>();
      let ink = 0;
      for (let i = 0; i < page.pixels.length; i += page.channels) {
        const px = [...page.pixels.subarray(i, i + Math.min(page.channels, 3))];
        colours.add(px.join(','));
        if (px.some((v) => v < 128)) ink++;
      }
      expect(colours.size).toBeGreaterThan(1);
      expect(ink).toBeGreaterThan(50);
    }
    // The first page carries the title and most of the text: a fair share of it is ink.
    const first = pages[0]!;
    let dark = 0;
    for (let i = 0; i < first.pixels.length; i += first.channels) if (first.pixels[i]! < 200) dark++;
    expect(dark / (first.width * first.height)).toBeGreaterThan(0.01);
  });

  it('says what the certificate says, how to verify it, and that the signed JSON is the evidence', async () => {
    const text = textOf(await rendered('met-text', input(certificate)));
    expect(text).toContain('Certificate of destruction');
    expect(text).toContain('Certificate id cert-4d1c8a77-0c3e-4f0b-9a51-2f4d7e6b9c10');
    expect(text).toContain('Contract id 0b8c1c9e-1111-4222-8333-944455556666');
    expect(text).toContain('Reference DPA-2027-0042');
    expect(text).toContain('Controller Müller & Søn ApS');
    // Each location with its own method and instant, in order.
    const one = text.slice(text.indexOf('1. SFTP archive Frankfurt'), text.indexOf('2. Object store eu-central-1'));
    const two = text.slice(text.indexOf('2. Object store eu-central-1'), text.indexOf('3. Backup tapes Dublin'));
    const three = text.slice(text.indexOf('3. Backup tapes Dublin'), text.indexOf('The signing key'));
    expect(one).toContain('Location id loc-sftp-fra');
    expect(one).toContain('Method crypto-shredding');
    expect(one).toContain('Destroyed 2027-02-10T08:30:15.000Z (10 February 2027, 08:30:15 UTC)');
    expect(two).toContain('Method delete-and-verify');
    expect(two).toContain('Destroyed 2027-02-18T23:05:00.000Z (18 February 2027, 23:05:00 UTC)');
    expect(three).toContain('Method degauss');
    expect(three).toContain('Destroyed 2027-02-20T16:40:00.000Z (20 February 2027, 16:40:00 UTC)');
    expect(text).not.toContain('after the deadline');
    // The deadline, and that it was met.
    expect(text).toContain('Destruction deadline 2027-03-02T00:00:00.000Z (2 March 2027, 00:00:00 UTC)');
    expect(text).toContain('Destruction completed 2027-02-20T16:45:10.000Z (20 February 2027, 16:45:10 UTC)');
    expect(text).toContain('Deadline Met: every location was destroyed by the deadline.');
    expect(text).not.toContain('Not met');
    // The key, and how to verify.
    expect(text).toContain('Key id evidence-2027');
    expect(text).toContain('Thumbprint kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
    expect(text).toContain('Ed25519');
    expect(text).toContain('https://engine.example/.well-known/dpa-signing-keys');
    expect(text).toContain('https://engine.example/.well-known/dpa-verify.mjs');
    expect(text).toContain('never from the pack');
    expect(text).toContain('npx dpa-verify <pack.zip> --key dpa-signing-keys.json');
    expect(text).toContain(
      'This PDF is a readable rendering of the certificate, not the evidence: the evidence is the signed JSON, destruction-certificate.json in the signed evidence pack.',
    );
  });

  it("comes in the controller's language, its instants in its time zone beside the UTC instant", async () => {
    const text = textOf(await rendered('met-fr', input(certificate, { words: wordsFor({ locale: 'fr', timeZone: 'Europe/Paris' }) })));
    expect(text).toContain('Certificat de destruction');
    // (The label wraps in its column: "Responsable du" beside the name, "traitement" under it.)
    expect(text).toMatch(/Responsable du Müller & Søn ApS traitement/);
    // 08:30:15 UTC on 10 February 2027 is 09:30:15 in Paris (UTC+1 in winter), written out by hand.
    expect(text).toContain('Détruit le 2027-02-10T08:30:15.000Z (10 février 2027 à 09:30:15 Europe/Paris)');
    expect(text).toContain('Délai Respecté : chaque lieu a été détruit avant la date limite.');
    expect(text).toContain('Ce PDF est une présentation lisible du certificat, non la preuve');
    expect(text).toContain('jamais dans le dossier');
    expect(text).not.toContain('Certificate of destruction');
    expect(text).not.toContain('never from the pack');
  });

  it('says the deadline was not met, and which location was destroyed after it', async () => {
    const late: DestructionCertificate = {
      ...certificate,
      certificateId: 'cert-late-0001',
      completedAt: '2027-03-04T10:00:00.000Z',
      locations: [certificate.locations[0]!, { id: 'loc-s3-eu', name: 'Object store eu-central-1', destroyedAt: '2027-03-04T09:58:20.000Z', evidence: evidence('delete-and-verify') }],
      withinDeadline: false,
    };
    const text = textOf(await rendered('not-met', input(late)));
    expect(text).toContain('Deadline Not met: the destruction was completed after the deadline.');
    expect(text).not.toContain('Met: every location');
    expect(text).toContain('Destroyed 2027-02-10T08:30:15.000Z (10 February 2027, 08:30:15 UTC) Inventory');
    expect(text).toContain('Destroyed 2027-03-04T09:58:20.000Z (4 March 2027, 09:58:20 UTC), after the deadline');
    expect(text).toContain('Destruction completed 2027-03-04T10:00:00.000Z (4 March 2027, 10:00:00 UTC)');
  });

  it('wraps long values inside the page', async () => {
    const longName = `Controller${'X'.repeat(240)}`;
    const longMethod = 'overwrite-'.repeat(30);
    const long: DestructionCertificate = {
      ...certificate,
      certificateId: `cert-${'9'.repeat(95)}`,
      locations: [{ id: `loc-${'a'.repeat(96)}`, name: `Location${'Y'.repeat(250)}`, destroyedAt: '2027-02-10T08:30:15.000Z', evidence: evidence(longMethod) }],
    };
    const file = await rendered('long', input(long, { controllerName: longName, reference: `REF-${'R'.repeat(96)}` }));
    const bbox = execFileSync(PDFTOTEXT, ['-bbox', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    const pageWidth = Number(/<page width="([\d.]+)"/.exec(bbox)![1]);
    const words = [...bbox.matchAll(/<word xMin="([\d.-]+)" yMin="[\d.-]+" xMax="([\d.-]+)" yMax="[\d.-]+">/g)];
    expect(words.length).toBeGreaterThan(100);
    for (const [, xMin, xMax] of words) {
      expect(Number(xMin)).toBeGreaterThanOrEqual(0);
      expect(Number(xMax)).toBeLessThanOrEqual(pageWidth);
    }
    // Every long value is there whole, once the line breaks are taken out (-layout keeps a hyphen that ends a line).
    const flat = execFileSync(PDFTOTEXT, ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    for (const value of [longName, longMethod, long.certificateId, long.locations[0]!.id, long.locations[0]!.name, `REF-${'R'.repeat(96)}`]) expect(flat).toContain(value);
  });

  it('is the same bytes each time, dated by the certificate, not by the clock', async () => {
    const a = await certificatePdf(input(certificate));
    const b = await certificatePdf(input(certificate));
    expect(a.equals(b)).toBe(true);
    const file = path.join(dir, 'dates.pdf');
    fs.writeFileSync(file, a);
    const info = execFileSync(path.join(path.dirname(PDFTOTEXT), 'pdfinfo'), ['-isodates', file], { encoding: 'utf8' });
    expect(info).toMatch(/^CreationDate:\s+2027-02-20T16:45:10Z$/m);
    expect(info).toMatch(/^ModDate:\s+2027-02-20T16:45:10Z$/m);
    expect(info).toMatch(/^Page size:\s+595.28 x 841.89 pts \(A4\)$/m);
  });

  it('draws letters the standard fonts lack as their nearest Latin letters', async () => {
    const text = textOf(await rendered('latin', input(certificate, { controllerName: 'Łódź Spółka z o.o.' })));
    expect(text).toContain('Controller Lódz Spólka z o.o.');
  });

  it("computes the RFC 7638 thumbprint of an Ed25519 key (RFC 8037 appendix A.3's)", () => {
    expect(jwkThumbprint({ crv: 'Ed25519', kty: 'OKP', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' })).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });
});

describe('a breach notice as a PDF', () => {
  const notice = {
    id: 'b7a1c2d3-0000-4000-8000-000000000001',
    incidentId: 'i0000000-0000-4000-8000-000000000001',
    contractId: '0b8c1c9e-1111-4222-8333-944455556666',
    status: 'sent',
    awareAt: '2027-02-10T08:00:00.000Z',
    targetDue: '2027-02-11T08:00:00.000Z',
    sentAt: '2027-02-10T09:00:00.000Z',
    controllerAuthorityDue: '2027-02-13T09:00:00.000Z',
    escalatedAt: null,
    acknowledgedAt: null,
    acknowledgementDue: '2027-02-11T09:00:00.000Z',
    acknowledgementRemindedAt: null,
    closedAt: null,
    content: { summary: 'Backup console exposed', nature: 'confidentiality', dataCategories: ['contact data'], subjectCategories: null, approxSubjects: null, approxRecords: 1200, likelyConsequences: null, measures: null },
    toFollow: ['subjectCategories', 'approxSubjects', 'likelyConsequences', 'measures'],
    supplements: [{ number: 1, changes: { measures: 'Console closed, passwords rotated' }, recordedAt: '2027-02-10T12:00:00.000Z', sentAt: '2027-02-10T12:01:00.000Z' }],
    late: false,
    overdue: [],
  } as unknown as BreachNoticeView;
  const base = { notice, reference: 'DPA-2027-0042', controllerName: 'Müller & Søn ApS', processorName: 'Hosting SAS', processorDpo: 'Dana DPO, dpo@hosting.example' };

  it("says what is known under GDPR 33(3), each supplement's change, and the free text as written, in the controller's language", async () => {
    const file = path.join(dir, 'breach-fr.pdf');
    fs.writeFileSync(file, await breachNoticePdf({ ...base, words: wordsFor({ locale: 'fr', timeZone: 'Europe/Paris' }) }));
    const text = textOf(file);
    expect(text).toContain('Notification de violation de données à caractère personnel');
    expect(text).toContain('Backup console exposed');
    expect(text).toContain('Ce qui est connu (RGPD 33(3))');
    // Each part by its French label; the four not known yet say so (a long label wraps in its column, beside its value).
    expect(text).toContain("Ce qui s'est passé Backup console exposed");
    expect(text).toContain('Nature de la violation confidentiality');
    expect(text.match(/à venir/g)?.length).toBe(4);
    expect(text).toContain('Complément 1, enregistré le 2027-02-10T12:00:00.000Z');
    expect(text).toContain('Console closed, passwords rotated');
    // 08:00 UTC on 10 February 2027 is 09:00 in Paris (UTC+1), written out by hand.
    expect(text).toContain('2027-02-10T08:00:00.000Z (10 février 2027 à 09:00:00 Europe/Paris)');
    expect(text).not.toContain('What is known');
    const en = path.join(dir, 'breach-en.pdf');
    fs.writeFileSync(en, await breachNoticePdf(base));
    expect(textOf(en)).toContain('What is known (GDPR 33(3))');
  });
});
