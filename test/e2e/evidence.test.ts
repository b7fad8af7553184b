import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '#infra/dev/processes';
import { startStack, type Stack } from '../support/stack';

/**
 * DESIGN §6 `GET /contracts/{id}/evidence`: the pack a DPO hands an auditor, verified offline by
 * the verifier it ships, with the processor's published key — and refused once anything in it is
 * changed. Real Temporal, PostgreSQL, SMTP; the verifier runs as its own Node process.
 */
let stack: Stack;
let dir: string;
beforeAll(async () => {
  stack = await startStack();
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

const verify = (folder: string, ...args: string[]) => spawnSync(process.execPath, [path.join(folder, 'verify.mjs'), folder, ...args], { encoding: 'utf8' });
const extract = (zip: Uint8Array, to: string) => {
  for (const [name, bytes] of Object.entries(unzipSync(zip))) {
    fs.mkdirSync(path.dirname(path.join(to, name)), { recursive: true });
    fs.writeFileSync(path.join(to, name), bytes);
  }
};

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
      ['README.txt', 'authorised-persons.json', 'manifest.json', 'manifest.sig', 'processing-record.json', `streams/assistance-request-${assistance.id}.jsonl`, `streams/breach-notice-${notice.id}.jsonl`, `streams/contract-${a}.jsonl`, `streams/instruction-${instruction.id}.jsonl`, 'verify.mjs'].sort(),
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

    // Offline, with the processor's published keys (no key needed to read them).
    const jwks = await stack.request('GET', '/.well-known/dpa-signing-keys', { role: null });
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: 'dev-evidence-1', status: 'active' })]);
    const keyFile = path.join(dir, 'dpa-signing-keys.json');
    fs.writeFileSync(keyFile, JSON.stringify(jwks.body));
    const intact = path.join(dir, 'intact');
    extract(zip, intact);
    const ok = verify(intact, '--key', keyFile);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^VERIFIED: contract .+, 8 files, \d+ events in 4 hash chains; signature dev-evidence-1 checked against .*dpa-signing-keys\.json/);

    // One event changed: its file's sha256 and its hash no longer match.
    const tampered = path.join(dir, 'tampered');
    extract(zip, tampered);
    const stream = path.join(tampered, `streams/contract-${a}.jsonl`);
    fs.writeFileSync(stream, fs.readFileSync(stream, 'utf8').replace('"kilo"', '"kilo & co"'));
    const bad = verify(tampered, '--key', keyFile);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`streams/contract-${a}.jsonl: sha256 does not match the manifest`);
    expect(bad.stderr).toMatch(/event 1: hash does not match its content/);

    // The manifest rewritten to match: its signature no longer verifies.
    const manifestAt = path.join(tampered, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestAt, 'utf8'));
    manifest.files = manifest.files.filter((f: { path: string }) => f.path !== 'authorised-persons.json');
    fs.writeFileSync(manifestAt, JSON.stringify(manifest, null, 2));
    expect(verify(tampered, '--key', keyFile).stderr).toContain('manifest.sig: the signature does not verify');

    // Another key than the processor's: refused.
    const other = path.join(dir, 'other.pem');
    fs.writeFileSync(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const foreign = verify(intact, '--key', other);
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toContain('manifest.sig: the signature does not verify');
  });
});
