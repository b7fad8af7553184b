/**
 * The offline verifier shipped in every evidence pack as verify.mjs (DESIGN §6): plain Node.js,
 * no dependency, so an auditor runs it without the engine. Kept as text here so the API serves
 * exactly these bytes; test/e2e/evidence.test.ts runs it on a real pack, intact and tampered.
 */
export const VERIFIER_SOURCE = `#!/usr/bin/env node
// Offline verifier of a DPA evidence pack: node verify.mjs [folder] [--key <file>]
// Needs Node.js 18 or later and nothing else. Checks, without the engine or a network:
//   1. every file the manifest lists has the sha256 it records, and nothing listed is missing;
//   2. the manifest's Ed25519 signature, with the key given by --key (the processor's published
//      JWKS, /.well-known/dpa-signing-keys, or a PEM public key), else the key the pack names;
//   3. every stream's hash chain: versions 1, 2, 3…, each prevHash the hash before it, each hash
//      sha256(RFC 8785 canonical JSON of the event with its prevHash).
import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const keyAt = args.indexOf('--key');
const keyFile = keyAt >= 0 ? args[keyAt + 1] : undefined;
const folder = args.filter((a, i) => a !== '--key' && (keyAt < 0 || i !== keyAt + 1))[0] ?? '.';
const problems = [];
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// RFC 8785 (JCS): keys sorted by UTF-16 code units, ECMAScript number and string forms.
function canonical(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return \`[\${value.map(canonical).join(',')}]\`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return \`{\${keys.map((k) => \`\${JSON.stringify(k)}:\${canonical(value[k])}\`).join(',')}}\`;
}

const manifestBytes = readFileSync(join(folder, 'manifest.json'));
const manifest = JSON.parse(manifestBytes.toString('utf8'));

for (const file of manifest.files) {
  const at = join(folder, file.path);
  if (!existsSync(at)) problems.push(\`\${file.path}: missing\`);
  else if (sha256(readFileSync(at)) !== file.sha256) problems.push(\`\${file.path}: sha256 does not match the manifest\`);
}

let publicKey;
let keyOrigin;
if (keyFile) {
  const text = readFileSync(keyFile, 'utf8');
  if (text.trimStart().startsWith('{')) {
    const jwk = (JSON.parse(text).keys ?? [JSON.parse(text)]).find((k) => k.kid === manifest.signature.kid);
    if (!jwk) problems.push(\`no key \${manifest.signature.kid} in \${keyFile}\`);
    else publicKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
  } else publicKey = createPublicKey(text);
  keyOrigin = keyFile;
} else {
  // The key a pack names proves nothing: anyone could re-sign a changed pack with their own.
  problems.push('no --key given: the signature can only be trusted against the processor\\'s published keys (/.well-known/dpa-signing-keys)');
}
const signature = Buffer.from(readFileSync(join(folder, 'manifest.sig'), 'utf8').trim(), 'base64');
if (publicKey && !verify(null, manifestBytes, publicKey, signature)) problems.push('manifest.sig: the signature does not verify');

let events = 0;
for (const file of manifest.files.filter((f) => f.path.endsWith('.jsonl'))) {
  const at = join(folder, file.path);
  if (!existsSync(at)) continue;
  let prev = '0'.repeat(64);
  const lines = readFileSync(at, 'utf8').split('\\n').filter((l) => l.length > 0);
  lines.forEach((line, i) => {
    const e = JSON.parse(line);
    const where = \`\${file.path} event \${i + 1}\`;
    if (e.version !== i + 1) problems.push(\`\${where}: version \${e.version}, expected \${i + 1}\`);
    if (e.prevHash !== prev) problems.push(\`\${where}: prevHash does not link to the event before\`);
    const hash = sha256(canonical({ streamId: e.streamId, version: e.version, eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, occurredAt: e.occurredAt, data: e.data, metadata: e.metadata, prevHash: e.prevHash }));
    if (hash !== e.hash) problems.push(\`\${where}: hash does not match its content\`);
    prev = e.hash;
    events += 1;
  });
}

if (problems.length > 0) {
  console.error(\`NOT VERIFIED: \${problems.length} problem(s)\\n\${problems.map((p) => \`- \${p}\`).join('\\n')}\`);
  process.exit(1);
}
console.log(\`VERIFIED: contract \${manifest.contractId}, \${manifest.files.length} files, \${events} events in \${manifest.files.filter((f) => f.path.endsWith('.jsonl')).length} hash chains; signature \${manifest.signature.kid} checked against \${keyOrigin}\`);
`;
