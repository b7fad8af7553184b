import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deflateRawSync, crc32 } from 'node:zlib';
import { unzipSync, Zip, ZipPassThrough } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/dev/project-root';
import { waitFor } from '#infra/dev/processes';
import { startStack, type Stack } from '../support/stack';

/**
 * DESIGN §6 `GET /contracts/{id}/evidence`: the pack a DPO hands an auditor, verified offline by
 * the published verifier (the repository's `dpa-verify`, served at /.well-known, never the pack's
 * copy) and by sha256sum and openssl alone, with the processor's published keys — and refused,
 * with what is wrong named, once anything in it is changed. Real Temporal, PostgreSQL, SMTP; the
 * verifier and openssl run as their own processes.
 */
// Two signing keys: `old` retired at the start of 2025 (a key that leaked, say), `new` active since.
const OLD_SEED = randomBytes(32);
const NEW_SEED = randomBytes(32);
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const privateKey = (seed: Buffer) => createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
let stack: Stack;
let dir: string;
beforeAll(async () => {
  stack = await startStack({
    EVIDENCE_SIGNING_KEYS: `old:${OLD_SEED.toString('base64')},new:${NEW_SEED.toString('base64')}`,
    EVIDENCE_SIGNING_ACTIVE_KEY: 'new',
    EVIDENCE_SIGNING_KEY_WINDOWS: 'old=2020-01-01T00:00:00Z/2025-01-01T00:00:00Z,new=2025-01-01T00:00:00Z/',
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'));
});
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function contract(name: string): Promise<string> {
  const order = await stack.request('POST', '/contracts', { role: 'account_manager', body: { reference: `${name.toUpperCase()}-1`, controller: { name, email: `privacy@${name}.example` }, billingPeriod: 'P1Y' } });
  const id = order.body.id as string;
  await stack.request('POST', `/contracts/${id}/credentials`, { role: 'account_manager', body: { kind: 'sftp', host: 'sftp.client.example', username: 'deploy', secret: 'a-secret-value' } });
  await stack.request('POST', `/contracts/${id}/instructions`, { role: 'account_manager', body: { receivedAt: new Date().toISOString(), channel: 'email', summary: `Keep ${name}'s backups for 90 days`, documentRef: `T-${name}` } });
  return id;
}

/** The published verifier: the repository's `dpa-verify` command, not the copy a pack carries. */
const PUBLISHED_VERIFIER = path.join(projectRoot(), 'bin', 'dpa-verify.mjs');
let keyFile: string;
let packed: { zip: Uint8Array; contractId: string; streams: string[] };

const verifyZip = (zip: Uint8Array, name = `pack-${randomUUID()}.zip`) => {
  const at = path.join(dir, name);
  fs.writeFileSync(at, zip);
  return spawnSync(process.execPath, [PUBLISHED_VERIFIER, at, '--key', keyFile], { encoding: 'utf8' });
};
const extract = (zip: Uint8Array, to: string) => {
  for (const [name, bytes] of Object.entries(unzipSync(zip))) {
    fs.mkdirSync(path.dirname(path.join(to, name)), { recursive: true });
    fs.writeFileSync(path.join(to, name), bytes);
  }
};
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes!).toString('utf8');

type Entries = [string, Uint8Array][];
/** A ZIP of exactly these entries, in this order, duplicates and odd names included (fflate's streaming writer checks none). */
function zipOf(entries: Entries): Uint8Array {
  const chunks: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    chunks.push(chunk);
  });
  for (const [name, bytes] of entries) {
    const file = new ZipPassThrough(name);
    zip.add(file);
    file.push(bytes, true);
  }
  zip.end();
  return Buffer.concat(chunks);
}
const entriesOf = (zip: Uint8Array): Entries => Object.entries(unzipSync(zip));
const replace = (entries: Entries, name: string, bytes: Uint8Array | string): Entries => entries.map(([n, b]) => [n, n === name ? Buffer.from(bytes) : b]);

/** One entry of a hand-written ZIP, with the tricks a forger may play on an unzip tool. */
interface RawEntry {
  readonly name: string;
  readonly data: Uint8Array;
  /** Extra fields (in both headers): an Info-ZIP Unicode path field renames the entry on extraction. */
  readonly extra?: Buffer;
  /** Unix mode in the external attributes (0o120777: a symbolic link). */
  readonly mode?: number;
  /** Bytes after the end of the deflate stream, inside the entry's compressed size. */
  readonly trailing?: Buffer;
  /** The local header says "stored" where the directory says "deflated". */
  readonly localMethod?: number;
}

/** A ZIP written byte by byte (deflated entries), so a test can put in it what no ZIP library would. */
function rawZip(entries: readonly RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const extra = e.extra ?? Buffer.alloc(0);
    const packed = Buffer.concat([deflateRawSync(e.data), e.trailing ?? Buffer.alloc(0)]);
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(e.localMethod ?? 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    const record = Buffer.concat([local, name, extra, packed]);
    locals.push(record);
    centrals.push(Buffer.concat([central, name, extra]));
    offset += record.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** An Info-ZIP Unicode path extra field (0x7075) naming the entry `name` on extraction. */
function unicodePath(shown: string, name: string): Buffer {
  const target = Buffer.from(name, 'utf8');
  const field = Buffer.alloc(9);
  field.writeUInt16LE(0x7075, 0);
  field.writeUInt16LE(5 + target.length, 2);
  field.writeUInt8(1, 4);
  field.writeUInt32LE(crc32(Buffer.from(shown, 'utf8')), 5);
  return Buffer.concat([field, target]);
}

/** The ZIP with `bytes` slipped in before its central directory, which a tool reading local headers would still find. */
function hideBeforeDirectory(zip: Uint8Array, bytes: Buffer): Uint8Array {
  const buf = Buffer.from(zip);
  const eocd = buf.length - 22; // the packs carry no comment
  const cdOffset = buf.readUInt32LE(eocd + 16);
  const out = Buffer.concat([buf.subarray(0, cdOffset), bytes, buf.subarray(cdOffset)]);
  out.writeUInt32LE(cdOffset + bytes.length, out.length - 22 + 16);
  return out;
}

/**
 * What a forger holding `key` (or no key) makes of changed entries: a manifest listing what is
 * there now, SHA256SUMS to match, both signed with that key — or left with the old signatures.
 */
function reseal(entries: Entries, options: { key?: KeyObject; kid?: string; keepManifestList?: boolean; generatedAt?: string } = {}): Entries {
  const root = ['manifest.json', 'manifest.sig', 'SHA256SUMS', 'SHA256SUMS.sig'];
  const manifest = JSON.parse(text(entries.find(([n]) => n === 'manifest.json')![1]));
  const files = entries.filter(([n]) => !root.includes(n));
  if (!options.keepManifestList) manifest.files = files.map(([p, b]) => ({ path: p, sha256: sha256(b), bytes: b.length }));
  if (options.kid) manifest.signature.kid = options.kid;
  if (options.generatedAt) manifest.generatedAt = options.generatedAt;
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const sums = Buffer.from([...manifest.files.map((f: { sha256: string; path: string }) => `${f.sha256}  ${f.path}\n`), `${sha256(manifestBytes)}  manifest.json\n`].join(''));
  const old = Object.fromEntries(entries);
  const signed = (bytes: Buffer, was: string) => (options.key ? Buffer.from(`${sign(null, bytes, options.key).toString('base64')}\n`) : old[was]!);
  return [...files, ['manifest.json', manifestBytes], ['manifest.sig', signed(manifestBytes, 'manifest.sig')], ['SHA256SUMS', sums], ['SHA256SUMS.sig', signed(sums, 'SHA256SUMS.sig')]];
}

describe('the evidence pack', () => {
  it("holds the contract's record, every event of it and of its files with their hashes, its authorised persons; verifies offline with the published key; nothing about another client", async () => {
    const a = await contract('kilo');
    const b = await contract('lambda');
    await stack.request('POST', `/contracts/${a}/assistance-requests`, { role: 'dpo', body: { kind: 'dpia', receivedAt: new Date().toISOString(), dueAt: new Date(Date.now() + 30 * 86_400_000).toISOString(), summary: 'DPIA of the shop' } });
    const sid = (await stack.request('POST', '/staff', { role: 'dpo', body: { name: 'Alex Martin', email: 'alex@processor.example' } })).body.id;
    await stack.request('POST', `/staff/${sid}/confidentiality`, { role: 'dpo', body: { signedAt: new Date().toISOString() } });
    await stack.request('POST', `/staff/${sid}/training`, { role: 'dpo', body: { completedAt: new Date().toISOString(), course: 'GDPR for operators' } });
    for (const id of [a, b]) expect((await stack.request('POST', `/contracts/${id}/authorised-persons`, { role: 'dpo', body: { staffId: sid } })).status).toBe(200);
    // A breach touching the contract: its notice's stream is the contract's file too.
    const incident = (await stack.request('POST', '/incidents', { role: 'dpo', body: { detectedAt: new Date().toISOString(), summary: 'Backup console exposed', scope: { contracts: [a] } } })).body.id;
    await stack.request('POST', `/incidents/${incident}/confirmation`, { role: 'dpo', body: { awareAt: new Date().toISOString() } });
    await waitFor('the notice', async () => (await stack.request('GET', `/contracts/${a}/breach-notices`, { role: 'dpo' })).body.items.length === 1, { timeoutMs: 20_000, intervalMs: 200 });
    await waitFor('the hand-over email receipt', async () => (await stack.request('GET', `/contracts/${a}/events`, { role: 'dpo' })).body.events.some((e: { type: string }) => e.type === 'EmailSent'), { timeoutMs: 20_000, intervalMs: 200 });

    expect((await stack.request('GET', `/contracts/${a}/evidence`, { role: 'account_manager' })).status).toBe(403);
    expect((await stack.request('GET', `/contracts/00000000-0000-4000-8000-000000000000/evidence`, { role: 'dpo' })).status).toBe(404);
    const res = await fetch(`${stack.api.url}/contracts/${a}/evidence`, { headers: { authorization: `Bearer ${'dev-dpo-key'}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="evidence-KILO-1-\d{4}-\d{2}-\d{2}\.zip"$/);
    const zip = new Uint8Array(await res.arrayBuffer());
    const files = unzipSync(zip);
    const names = Object.keys(files).sort();
    const [instruction] = (await stack.request('GET', `/contracts/${a}/instructions`, { role: 'dpo' })).body.items;
    const [assistance] = (await stack.request('GET', `/contracts/${a}/assistance-requests`, { role: 'dpo' })).body.items;
    const [notice] = (await stack.request('GET', `/contracts/${a}/breach-notices`, { role: 'dpo' })).body.items;
    expect(names).toEqual(
      ['README.txt', 'SHA256SUMS', 'SHA256SUMS.sig', 'authorised-persons.json', 'manifest.json', 'manifest.sig', 'processing-record.json', `streams/assistance-request-${assistance.id}.jsonl`, `streams/breach-notice-${notice.id}.jsonl`, `streams/contract-${a}.jsonl`, `streams/instruction-${instruction.id}.jsonl`, 'verify.mjs'].sort(),
    );
    // Nothing about the other client: not its id, not its name, not the roster's record of it.
    for (const [name, bytes] of Object.entries(files)) {
      const text = Buffer.from(bytes).toString('utf8');
      expect(text, name).not.toContain(b);
      expect(text, name).not.toContain('lambda');
    }
    // The contract's stream, line for line as the API's trail gives it, hashes included.
    const trail = (await stack.request('GET', `/contracts/${a}/events`, { role: 'dpo' })).body.events as { version: number; hash: string; prevHash: string; type: string }[];
    const lines = Buffer.from(files[`streams/contract-${a}.jsonl`]!).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.version, l.type, l.prevHash, l.hash])).toEqual(trail.map((e) => [e.version, e.type, e.prevHash, e.hash]));
    expect(lines.map((l) => l.type)).toContain('DpoCommunicated');
    expect(JSON.parse(Buffer.from(files['authorised-persons.json']!).toString('utf8'))).toEqual([expect.objectContaining({ staffId: sid, name: 'Alex Martin', cleared: true })]);
    expect(JSON.parse(Buffer.from(files['processing-record.json']!).toString('utf8'))).toMatchObject({ contractId: a, controller: { name: 'kilo' }, processorDpo: { email: 'dpo@processor.example' } });

    packed = { zip, contractId: a, streams: names.filter((n) => n.startsWith('streams/')) };
  });
});

describe('the published verifier, and the keys it checks against', () => {
  it('is served beside the keys with its sha256, the same bytes as the dpa-verify command; each key has its window and a PEM', async () => {
    const published = fs.readFileSync(PUBLISHED_VERIFIER);
    const jwks = await stack.request('GET', '/.well-known/dpa-signing-keys', { role: null });
    expect(jwks.status).toBe(200);
    // Each key's public half, computed here from its seed.
    const x = (seed: Buffer) => (createPublicKey(privateKey(seed)).export({ format: 'jwk' }) as { x: string }).x;
    expect(jwks.body.keys).toEqual([
      { kty: 'OKP', crv: 'Ed25519', x: x(OLD_SEED), kid: 'old', use: 'sig', alg: 'EdDSA', status: 'retired', activeFrom: '2020-01-01T00:00:00.000Z', retiredAt: '2025-01-01T00:00:00.000Z' },
      { kty: 'OKP', crv: 'Ed25519', x: x(NEW_SEED), kid: 'new', use: 'sig', alg: 'EdDSA', status: 'active', activeFrom: '2025-01-01T00:00:00.000Z', retiredAt: null },
    ]);
    expect(jwks.body.verifier).toEqual({ url: `${stack.api.url}/.well-known/dpa-verify.mjs`, sha256: sha256(published) });
    keyFile = path.join(dir, 'dpa-signing-keys.json');
    fs.writeFileSync(keyFile, JSON.stringify(jwks.body));

    const served = await fetch(`${stack.api.url}/.well-known/dpa-verify.mjs`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(Buffer.from(await served.arrayBuffer()).equals(published)).toBe(true);
    expect(served.headers.get('repr-digest')).toBe(`sha-256=:${createHash('sha256').update(published).digest('base64')}:`);
    expect(await (await fetch(`${stack.api.url}/.well-known/dpa-verify.mjs.sha256`)).text()).toBe(`${sha256(published)}  dpa-verify.mjs\n`);
    const pem = await fetch(`${stack.api.url}/.well-known/dpa-signing-keys/new.pem`);
    expect(pem.status).toBe(200);
    expect(await pem.text()).toBe(createPublicKey(privateKey(NEW_SEED)).export({ type: 'spki', format: 'pem' }));
    expect((await fetch(`${stack.api.url}/.well-known/dpa-signing-keys/nope.pem`)).status).toBe(404);
    // The pack's copy is the same bytes, and its README names the published one's sha256 and where to fetch both.
    const files = unzipSync(packed.zip);
    expect(Buffer.from(files['verify.mjs']!).equals(published)).toBe(true);
    const readme = text(files['README.txt']);
    expect(readme).toContain(`sha256 ${sha256(published)}`);
    expect(readme).toContain(`${stack.api.url}/.well-known/dpa-signing-keys`);
    expect(readme).toContain('never from the pack');
  });

  it('verifies the untouched pack, printing the key and its thumbprint; so do sha256sum and openssl alone', () => {
    const ok = verifyZip(packed.zip);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    // RFC 7638, computed here: sha256 of the key's required members in lexicographic order, base64url.
    const jwk = createPublicKey(privateKey(NEW_SEED)).export({ format: 'jwk' }) as { x: string };
    const thumbprint = createHash('sha256').update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x: jwk.x })).digest('base64url');
    expect(ok.stdout).toMatch(new RegExp(`^VERIFIED: contract ${packed.contractId}, generated \\S+: 12 ZIP entries, 8 files listed, \\d+ events in 4 hash chains\\n`));
    expect(ok.stdout).toContain(`signed by key new (thumbprint ${thumbprint}, window 2025-01-01T00:00:00.000Z – now), checked against ${keyFile}`);
    expect(text(unzipSync(packed.zip)['README.txt'])).toContain(thumbprint);
    // The same entries written again (with data descriptors, by another ZIP writer; or byte by byte) still verify.
    expect(verifyZip(zipOf(entriesOf(packed.zip))).status).toBe(0);
    expect(verifyZip(rawZip(entriesOf(packed.zip).map(([name, data]) => ({ name, data })))).stderr).toBe('');

    // The README's commands: the signature of SHA256SUMS with openssl, then every hash with sha256sum.
    const folder = path.join(dir, 'by-hand');
    extract(packed.zip, folder);
    fs.writeFileSync(path.join(folder, 'new.pem'), createPublicKey(privateKey(NEW_SEED)).export({ type: 'spki', format: 'pem' }));
    const run = (cmd: string, ...args: string[]) => spawnSync(cmd, args, { cwd: folder, encoding: 'utf8' });
    expect(run('openssl', 'base64', '-d', '-A', '-in', 'SHA256SUMS.sig', '-out', 'SHA256SUMS.sig.bin').status).toBe(0);
    const signature = run('openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', 'new.pem', '-rawin', '-in', 'SHA256SUMS', '-sigfile', 'SHA256SUMS.sig.bin');
    expect(signature.stdout.trim()).toBe('Signature Verified Successfully');
    expect(signature.status).toBe(0);
    const sums = run('sha256sum', '--strict', '-c', 'SHA256SUMS');
    expect(sums.status).toBe(0);
    expect(sums.stdout.trim().split('\n').sort()).toEqual(Object.keys(unzipSync(packed.zip)).filter((n) => !['SHA256SUMS', 'SHA256SUMS.sig', 'manifest.sig'].includes(n)).map((n) => `${n}: OK`).sort());
    // …and they catch a changed byte too.
    fs.appendFileSync(path.join(folder, 'authorised-persons.json'), ' ');
    expect(run('sha256sum', '--strict', '-c', 'SHA256SUMS').stdout).toContain('authorised-persons.json: FAILED');
    fs.appendFileSync(path.join(folder, 'SHA256SUMS'), '\n');
    expect(run('openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', 'new.pem', '-rawin', '-in', 'SHA256SUMS', '-sigfile', 'SHA256SUMS.sig.bin').status).not.toBe(0);
  });

  it('refuses every tampered pack, naming what is wrong', () => {
    const entries = entriesOf(packed.zip);
    const contractStream = `streams/contract-${packed.contractId}.jsonl`;
    const otherStream = packed.streams.find((s) => s.startsWith('streams/instruction-'))!;
    const lines = text(Object.fromEntries(entries)[contractStream]).split('\n');
    const forgedCertificate = Buffer.from(JSON.stringify({ certificateId: randomUUID(), contractId: packed.contractId, withinDeadline: true, locations: [] }));
    const foreign = generateKeyPairSync('ed25519').privateKey;
    const cases: { name: string; zip: Uint8Array; problems: string[] }[] = [
      { name: 'an edited event', zip: zipOf(replace(entries, contractStream, lines.join('\n').replace('"kilo"', '"kilo & co"'))), problems: [`${contractStream}: sha256 does not match the manifest`, `${contractStream} event 1: hash does not match its content`] },
      { name: 'an edited event, and the pack\'s own verifier taught to say yes', zip: zipOf(replace(replace(entries, contractStream, lines.join('\n').replace('"kilo"', '"kilo & co"')), 'verify.mjs', `process.exit(console.log('VERIFIED'));\n${text(Object.fromEntries(entries)['verify.mjs'])}`)), problems: [`${contractStream}: sha256 does not match the manifest`, 'verify.mjs: sha256 does not match the manifest'] },
      { name: 'swapped lines', zip: zipOf(replace(entries, contractStream, [lines[1], lines[0], ...lines.slice(2)].join('\n'))), problems: [`${contractStream}: sha256 does not match the manifest`, `${contractStream} event 1: version 2, expected 1`, `${contractStream} event 2: prevHash does not link to the event before`] },
      { name: 'a truncated stream', zip: zipOf(replace(entries, contractStream, lines.join('\n').slice(0, Math.floor(lines.join('\n').length / 2)))), problems: [`${contractStream}: sha256 does not match the manifest`, `${contractStream}: its last line is cut short`] },
      { name: 'a removed stream', zip: zipOf(entries.filter(([n]) => n !== otherStream)), problems: [`${otherStream}: listed in the manifest, missing from the ZIP`] },
      { name: 'a removed stream with its manifest line', zip: zipOf(reseal(entries.filter(([n]) => n !== otherStream))), problems: ['manifest.sig: the signature of manifest.json does not verify with key new', 'SHA256SUMS.sig: the signature of SHA256SUMS does not verify with key new'] },
      { name: 'a pack re-signed with another key', zip: zipOf(reseal(replace(entries, contractStream, lines.join('\n').replace('"kilo"', '"kilo & co"')), { key: foreign })), problems: ['manifest.sig: the signature of manifest.json does not verify with key new', `${contractStream} event 1: hash does not match its content`] },
      { name: 'a pack re-signed with another key under its own id', zip: zipOf(reseal(entries, { key: foreign, kid: 'forger' })), problems: [`manifest.json: signed by key "forger", which ${keyFile} does not hold`] },
      { name: 'an unlisted forged certificate', zip: zipOf([...entries, ['destruction-certificate.json', forgedCertificate]]), problems: ['destruction-certificate.json: in the ZIP but not listed in the manifest'] },
      { name: 'an unlisted forged stream', zip: zipOf([...entries, [`streams/contract-${randomUUID()}.jsonl`, Buffer.from(`${lines[0]}\n`)]]), problems: ['.jsonl: in the ZIP but not listed in the manifest'] },
      { name: 'a duplicate entry', zip: zipOf([...entries, [contractStream, Buffer.from(lines.join('\n').replace('"kilo"', '"kilo & co"'))]]), problems: [`entry "${contractStream}": a duplicate name`] },
      { name: 'an entry with ..', zip: zipOf([...entries, ['streams/../destruction-certificate.json', forgedCertificate]]), problems: ['entry "streams/../destruction-certificate.json": a path with ..', 'streams/../destruction-certificate.json: in the ZIP but not listed in the manifest'] },
      { name: 'an absolute entry', zip: zipOf([...entries, ['/destruction-certificate.json', forgedCertificate]]), problems: ['entry "/destruction-certificate.json": an absolute path', '/destruction-certificate.json: in the ZIP but not listed in the manifest'] },
      { name: 'a file hidden between the last entry and the directory', zip: hideBeforeDirectory(packed.zip, Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), forgedCertificate])), problems: ['of the ZIP, after the last entry, belong to no entry'] },
      { name: 'a file hidden after an entry\'s deflate stream', zip: rawZip(entries.map(([n, d]) => (n === 'authorised-persons.json' ? { name: n, data: d, trailing: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), forgedCertificate]) } : { name: n, data: d }))), problems: ['entry "authorised-persons.json": ', 'bytes after its compressed data belong to no entry'] },
      { name: 'an entry renamed on extraction by a Unicode path field', zip: rawZip(entries.map(([n, d]) => (n === 'README.txt' ? { name: n, data: d, extra: unicodePath(n, 'destruction-certificate.json') } : { name: n, data: d }))), problems: ['entry "README.txt": carries extra fields, which nothing signs'] },
      { name: 'an entry that extracts as a symbolic link', zip: rawZip(entries.map(([n, d]) => (n === 'README.txt' ? { name: n, data: d, mode: 0o120777 } : { name: n, data: d }))), problems: ['entry "README.txt": is not a plain file'] },
      { name: 'a local header that disagrees with the directory', zip: rawZip(entries.map(([n, d]) => (n === 'processing-record.json' ? { name: n, data: d, localMethod: 0 } : { name: n, data: d }))), problems: ['entry "processing-record.json": its local header\'s flags or method differ from the directory\'s'] },
      { name: 'a signature with text riding along', zip: zipOf(replace(entries, 'manifest.sig', `${text(Object.fromEntries(entries)['manifest.sig']).trim()}\nsigned by the processor, honest\n`)), problems: ['manifest.sig: not one base64 Ed25519 signature'] },
      // The retired key, leaked, and the pack dated inside its window: every event after it is refused.
      { name: 'a pack backdated into a leaked key\'s window', zip: zipOf(reseal(entries, { key: privateKey(OLD_SEED), kid: 'old', generatedAt: '2024-06-01T00:00:00.000Z' })), problems: ['event 1: occurred ', 'after the pack was generated (2024-06-01T00:00:00.000Z)'] },
      // The retired key, leaked: its signatures hold, but it signed a pack dated after its window closed.
      { name: 'a pack dated outside its key\'s window', zip: zipOf(reseal(replace(entries, contractStream, lines.join('\n')), { key: privateKey(OLD_SEED), kid: 'old' })), problems: ["manifest.json: generated ", "outside key old's window (2020-01-01T00:00:00.000Z – 2025-01-01T00:00:00.000Z)"] },
    ];
    for (const c of cases) {
      const result = verifyZip(c.zip);
      expect(result.status, c.name).toBe(1);
      expect(result.stdout, c.name).toBe('');
      expect(result.stderr, c.name).toMatch(/^NOT VERIFIED: /);
      for (const problem of c.problems) expect(result.stderr, c.name).toContain(problem);
    }
    // The leaked key's signatures themselves verify: only its window refuses the pack.
    const leaked = verifyZip(cases.at(-1)!.zip);
    expect(leaked.stderr).not.toContain('does not verify');
    expect(leaked.stderr).toMatch(/^NOT VERIFIED: .*: 1 problem\(s\)\n/);
  });

  it('answers usage errors apart from verdicts', () => {
    const noKey = spawnSync(process.execPath, [PUBLISHED_VERIFIER, path.join(dir, 'x.zip')], { encoding: 'utf8' });
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toContain('give the processor\'s published keys with --key');
    const notZip = path.join(dir, 'not.zip');
    fs.writeFileSync(notZip, 'hello');
    const refused = spawnSync(process.execPath, [PUBLISHED_VERIFIER, notZip, '--key', keyFile], { encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('the file is not a ZIP archive');
  });
});
