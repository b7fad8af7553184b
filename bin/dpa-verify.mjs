#!/usr/bin/env node
// dpa-verify: checks a DPA evidence pack, the ZIP exactly as downloaded, against the processor's
// published signing keys. Node.js 18 or later and nothing else: no dependency, no network.
//
//   dpa-verify <evidence.zip> --key <dpa-signing-keys.json>
//
// Fetch the keys (/.well-known/dpa-signing-keys) and this verifier (/.well-known/dpa-verify.mjs,
// with its sha256 beside it) from the processor, never from the pack: a pack can carry anything.
// It checks, and names every problem it finds:
//   1. the ZIP itself: every byte belongs to one entry; no entry is duplicated, absolute, has a
//      `..` segment or a backslash, is encrypted or is a folder; every entry's CRC and size hold;
//   2. every entry is listed in manifest.json, every listed file is there with its sha256, and
//      SHA256SUMS says the same as the manifest;
//   3. the Ed25519 signatures of manifest.json (manifest.sig) and of SHA256SUMS (SHA256SUMS.sig)
//      with the key the manifest names, taken from the JWKS given with --key;
//   4. that the manifest's instant lies inside that key's window (activeFrom, retiredAt);
//   5. every stream's hash chain: versions 1, 2, 3…, each prevHash the hash before it, each hash
//      sha256 of the RFC 8785 canonical JSON of the event with its prevHash; and that no event
//      occurred after the pack was generated (five minutes' leeway), so a key vouches only for
//      what happened inside its window.
// It prints VERIFIED (exit 0) or NOT VERIFIED with the list of problems (exit 1); a usage error
// or an unreadable file exits 2.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

const USAGE = 'usage: dpa-verify <evidence.zip> --key <dpa-signing-keys.json>';
const ZERO_HASH = '0'.repeat(64);
const SIGNED_ROOT = ['manifest.json', 'manifest.sig', 'SHA256SUMS', 'SHA256SUMS.sig'];

function fail(message) {
  console.error(`dpa-verify: ${message}\n${USAGE}`);
  process.exit(2);
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// RFC 8785 (JCS): keys sorted by UTF-16 code units, ECMAScript number and string forms.
function canonical(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
}

/** RFC 7638 thumbprint of an Ed25519 JWK: base64url of the sha256 of its required members. */
const thumbprint = (jwk) => createHash('sha256').update(`{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}"}`).digest('base64url');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Why an entry's name is refused, or null: every name must be a plain relative file path. */
function badName(name) {
  if (name.length === 0) return 'an empty name';
  if (name.includes('\0')) return 'a NUL character in its name';
  if (name.includes('\\')) return 'a backslash in its path';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'an absolute path';
  const segments = name.split('/');
  if (segments.includes('..')) return 'a path with ..';
  if (segments.includes('.')) return 'a path with .';
  if (name.endsWith('/')) return 'a folder entry';
  if (segments.includes('')) return 'an empty path segment';
  return null;
}

/**
 * Reads a ZIP from its central directory, and checks it against the local records: every byte of
 * the file must belong to exactly one entry, so nothing can hide between, before or after them.
 */
function readZip(zip, problems) {
  const entries = [];
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i -= 1) {
    if (zip.readUInt32LE(i) === 0x06054b50 && i + 22 + zip.readUInt16LE(i + 20) === zip.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    problems.push('the file is not a ZIP archive (no end of central directory)');
    return entries;
  }
  const count = zip.readUInt16LE(eocd + 10);
  const cdSize = zip.readUInt32LE(eocd + 12);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  if (zip.readUInt16LE(eocd + 4) !== 0 || zip.readUInt16LE(eocd + 6) !== 0 || zip.readUInt16LE(eocd + 8) !== count) {
    problems.push('the ZIP spans several disks, which an evidence pack never does');
    return entries;
  }
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    problems.push('the ZIP is a ZIP64 archive, which an evidence pack never is');
    return entries;
  }
  if (zip.readUInt16LE(eocd + 20) > 0) problems.push('the ZIP carries a comment, which nothing signs');
  if (cdOffset + cdSize !== eocd) problems.push(`bytes ${cdOffset + cdSize}–${eocd} of the ZIP belong to no entry`);

  const records = [];
  let at = cdOffset;
  for (let i = 0; i < count; i += 1) {
    if (at + 46 > eocd || zip.readUInt32LE(at) !== 0x02014b50) {
      problems.push(`the ZIP's central directory is damaged at entry ${i + 1} of ${count}`);
      return entries;
    }
    const nameLength = zip.readUInt16LE(at + 28);
    const record = {
      flags: zip.readUInt16LE(at + 8),
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      extraLength: zip.readUInt16LE(at + 30),
      commentLength: zip.readUInt16LE(at + 32),
      attributes: zip.readUInt32LE(at + 38),
      offset: zip.readUInt32LE(at + 42),
      name: zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'),
    };
    records.push(record);
    at += 46 + nameLength + record.extraLength + record.commentLength;
  }
  if (at !== eocd) problems.push(`the ZIP's central directory holds bytes ${at}–${eocd} that are no entry`);

  const seen = new Map();
  let end = 0;
  for (const r of [...records].sort((a, b) => a.offset - b.offset)) {
    const label = JSON.stringify(r.name);
    if (r.offset !== end) problems.push(r.offset > end ? `bytes ${end}–${r.offset} of the ZIP, before entry ${label}, belong to no entry` : `entry ${label} overlaps the entry before it`);
    if (r.offset + 30 > zip.length || zip.readUInt32LE(r.offset) !== 0x04034b50) {
      problems.push(`entry ${label}: no local header where the central directory says`);
      end = Math.max(end, r.offset);
      continue;
    }
    const localNameLength = zip.readUInt16LE(r.offset + 26);
    const localExtraLength = zip.readUInt16LE(r.offset + 28);
    const localName = zip.subarray(r.offset + 30, r.offset + 30 + localNameLength).toString('utf8');
    const dataStart = r.offset + 30 + localNameLength + localExtraLength;
    let dataEnd = dataStart + r.compressedSize;
    // With a data descriptor (flag 3), the CRC and sizes follow the data; they must say what the directory says.
    const described = (r.flags & 0x8) !== 0;
    const local = described
      ? (() => {
          const signed = dataEnd + 4 <= zip.length && zip.readUInt32LE(dataEnd) === 0x08074b50 ? 4 : 0;
          const d = dataEnd + signed;
          dataEnd = d + 12;
          return d + 12 <= zip.length ? { crc: zip.readUInt32LE(d), compressedSize: zip.readUInt32LE(d + 4), size: zip.readUInt32LE(d + 8) } : null;
        })()
      : { crc: zip.readUInt32LE(r.offset + 14), compressedSize: zip.readUInt32LE(r.offset + 18), size: zip.readUInt32LE(r.offset + 22) };
    end = Math.max(end, dataEnd);
    if (localName !== r.name) problems.push(`entry ${label}: its local header names it ${JSON.stringify(localName)}`);
    // Nothing the signature does not cover may change what an unzip tool makes of an entry: no extra
    // field (a Unicode path field renames it on extraction), no comment, no link or device, and the
    // local header must say what the directory says.
    if (r.extraLength > 0 || localExtraLength > 0) problems.push(`entry ${label}: carries extra fields, which nothing signs (one can rename it on extraction)`);
    if (r.commentLength > 0) problems.push(`entry ${label}: carries a comment, which nothing signs`);
    const type = (r.attributes >>> 16) & 0xf000;
    if (type !== 0 && type !== 0x8000) problems.push(`entry ${label}: is not a plain file (a link or a device on extraction)`);
    if (zip.readUInt16LE(r.offset + 6) !== r.flags || zip.readUInt16LE(r.offset + 8) !== r.method) problems.push(`entry ${label}: its local header's flags or method differ from the directory's`);
    if (!local || local.crc !== r.crc || local.compressedSize !== r.compressedSize || local.size !== r.size) problems.push(`entry ${label}: its local CRC or sizes differ from the directory's`);
    const why = badName(r.name);
    if (why) problems.push(`entry ${label}: ${why}`);
    const folded = r.name.normalize('NFC').toLowerCase();
    if (seen.has(folded)) problems.push(seen.get(folded) === r.name ? `entry ${label}: a duplicate name` : `entry ${label}: the same name as ${JSON.stringify(seen.get(folded))} on a case-insensitive disk`);
    else seen.set(folded, r.name);
    if (r.flags & 0x1) {
      problems.push(`entry ${label}: encrypted`);
      continue;
    }
    let data;
    try {
      const raw = zip.subarray(dataStart, dataStart + r.compressedSize);
      if (r.method === 0) data = Buffer.from(raw);
      else if (r.method === 8) {
        // The deflate stream must fill the entry: bytes after its end would be a second, unsigned file.
        const { buffer, engine } = inflateRawSync(raw, { info: true });
        if (engine.bytesWritten !== raw.length) problems.push(`entry ${label}: ${raw.length - engine.bytesWritten} bytes after its compressed data belong to no entry`);
        data = buffer;
      } else {
        problems.push(`entry ${label}: compression method ${r.method}, neither stored nor deflated`);
        continue;
      }
    } catch {
      problems.push(`entry ${label}: its compressed data is damaged`);
      continue;
    }
    if (data.length !== r.size || crc32(data) !== r.crc) problems.push(`entry ${label}: its size or CRC does not match the ZIP's directory`);
    entries.push({ name: r.name, data });
  }
  if (end !== cdOffset) problems.push(end < cdOffset ? `bytes ${end}–${cdOffset} of the ZIP, after the last entry, belong to no entry` : 'the last entry overlaps the central directory');
  return entries;
}

// ---------------------------------------------------------------------------------------------

const args = process.argv.slice(2);
const keyAt = args.indexOf('--key');
const keyFile = keyAt >= 0 ? args[keyAt + 1] : undefined;
const positional = args.filter((a, i) => a !== '--key' && (keyAt < 0 || i !== keyAt + 1));
if (positional.length !== 1 || args.includes('--help')) fail('give one evidence pack (the ZIP as downloaded)');
if (!keyFile) fail("give the processor's published keys with --key (its /.well-known/dpa-signing-keys): the key a pack names proves nothing");
const packFile = positional[0];

let zip;
let jwks;
try {
  zip = readFileSync(packFile);
} catch (e) {
  fail(`cannot read ${packFile}: ${e.message}`);
}
try {
  jwks = JSON.parse(readFileSync(keyFile, 'utf8'));
} catch (e) {
  fail(`cannot read ${keyFile} as the JWKS of /.well-known/dpa-signing-keys: ${e.message}`);
}
if (!Array.isArray(jwks?.keys)) fail(`${keyFile} is not a JWKS (no "keys" list): give the JSON of /.well-known/dpa-signing-keys`);

const problems = [];
const entries = readZip(zip, problems);
const files = new Map();
for (const e of entries) if (!files.has(e.name)) files.set(e.name, e.data);

const report = () => {
  console.error(`NOT VERIFIED: ${packFile}: ${problems.length} problem(s)\n${problems.map((p) => `- ${p}`).join('\n')}`);
  process.exit(1);
};

for (const name of SIGNED_ROOT) if (!files.has(name)) problems.push(`${name}: missing from the ZIP`);
if (!files.has('manifest.json')) report();
const manifestBytes = files.get('manifest.json');
let manifest;
try {
  manifest = JSON.parse(manifestBytes.toString('utf8'));
} catch {
  problems.push('manifest.json: not JSON');
  report();
}
const listed = Array.isArray(manifest.files) ? manifest.files : [];

// 2. Every entry listed, every listed file present with its sha256; SHA256SUMS agrees.
const listedPaths = new Set(listed.map((f) => f.path));
for (const name of files.keys()) if (!listedPaths.has(name) && !SIGNED_ROOT.includes(name)) problems.push(`${name}: in the ZIP but not listed in the manifest`);
for (const f of listed) {
  const bytes = files.get(f.path);
  if (SIGNED_ROOT.includes(f.path)) problems.push(`${f.path}: the manifest lists a file that signs it`);
  else if (!bytes) problems.push(`${f.path}: listed in the manifest, missing from the ZIP`);
  else if (sha256(bytes) !== f.sha256 || bytes.length !== f.bytes) problems.push(`${f.path}: sha256 does not match the manifest`);
}
const sums = [...listed.map((f) => `${f.sha256}  ${f.path}\n`), `${sha256(manifestBytes)}  manifest.json\n`].join('');
if (files.has('SHA256SUMS') && files.get('SHA256SUMS').toString('utf8') !== sums) problems.push('SHA256SUMS: does not list exactly the manifest\'s files with their sha256, and the manifest\'s own');

// 3. Signatures, with the processor's key the manifest names.
const kid = manifest.signature?.kid;
const jwk = jwks.keys.find((k) => k.kid === kid);
let window = '';
if (!jwk) problems.push(`manifest.json: signed by key ${JSON.stringify(kid)}, which ${keyFile} does not hold`);
else if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') problems.push(`key ${kid} in ${keyFile} is not an Ed25519 public key`);
else {
  let publicKey;
  try {
    publicKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
  } catch {
    fail(`key ${kid} in ${keyFile} is not a valid Ed25519 public key`);
  }
  for (const [signed, sig] of [['manifest.json', 'manifest.sig'], ['SHA256SUMS', 'SHA256SUMS.sig']]) {
    if (!files.has(signed) || !files.has(sig)) continue;
    // Exactly one base64 signature (64 bytes) and a newline: nothing else may ride along unsigned.
    const text = files.get(sig).toString('utf8');
    if (!/^[A-Za-z0-9+/]{86}==\n?$/.test(text)) problems.push(`${sig}: not one base64 Ed25519 signature`);
    else if (!verify(null, files.get(signed), publicKey, Buffer.from(text.trim(), 'base64'))) problems.push(`${sig}: the signature of ${signed} does not verify with key ${kid}`);
  }
  // 4. The key's window: a key signs only between its activeFrom and its retiredAt.
  const instant = Date.parse(manifest.generatedAt);
  const from = Date.parse(jwk.activeFrom);
  const to = jwk.retiredAt === null || jwk.retiredAt === undefined ? Infinity : Date.parse(jwk.retiredAt);
  window = `${jwk.activeFrom} – ${jwk.retiredAt ?? 'now'}`;
  if (Number.isNaN(from) || Number.isNaN(to)) problems.push(`key ${kid} in ${keyFile} has no valid window (activeFrom, retiredAt)`);
  else if (Number.isNaN(instant)) problems.push('manifest.json: generatedAt is not an instant');
  else if (instant < from || instant >= to) problems.push(`manifest.json: generated ${manifest.generatedAt}, outside key ${kid}'s window (${window})`);
}

// 5. Hash chains; and no event happened after the pack was made (beyond the five minutes ahead an
// instant may be given): a key only vouches for what happened before its window closed.
const AHEAD_MS = 5 * 60_000;
const generated = Date.parse(manifest.generatedAt);
let events = 0;
const streams = listed.filter((f) => f.path.startsWith('streams/') && f.path.endsWith('.jsonl'));
for (const file of streams) {
  const bytes = files.get(file.path);
  if (!bytes) continue;
  let prev = ZERO_HASH;
  let streamId;
  const lines = bytes.toString('utf8').split('\n');
  if (lines.pop() !== '') problems.push(`${file.path}: its last line is cut short`);
  lines.forEach((text, i) => {
    const where = `${file.path} event ${i + 1}`;
    let e;
    try {
      e = JSON.parse(text);
    } catch {
      problems.push(`${where}: not JSON`);
      return;
    }
    streamId ??= e.streamId;
    if (e.streamId !== streamId) problems.push(`${where}: belongs to stream ${e.streamId}, not ${streamId}`);
    if (e.version !== i + 1) problems.push(`${where}: version ${e.version}, expected ${i + 1}`);
    if (e.prevHash !== prev) problems.push(`${where}: prevHash does not link to the event before`);
    const hash = sha256(canonical({ streamId: e.streamId, version: e.version, eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, occurredAt: e.occurredAt, data: e.data, metadata: e.metadata, prevHash: e.prevHash }));
    if (hash !== e.hash) problems.push(`${where}: hash does not match its content`);
    if (!(Date.parse(e.occurredAt) <= generated + AHEAD_MS)) problems.push(`${where}: occurred ${e.occurredAt}, after the pack was generated (${manifest.generatedAt})`);
    prev = e.hash;
    events += 1;
  });
  if (lines.length === 0) problems.push(`${file.path}: no event`);
}

if (problems.length > 0) report();
console.log(
  `VERIFIED: contract ${manifest.contractId}, generated ${manifest.generatedAt}: ${entries.length} ZIP entries, ${listed.length} files listed, ${events} events in ${streams.length} hash chains\n` +
    `signed by key ${kid} (thumbprint ${thumbprint(jwk)}, window ${window}), checked against ${keyFile}`,
);
