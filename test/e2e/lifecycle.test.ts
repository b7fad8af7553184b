import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_LOCATIONS } from '#domain';
import { loadConfig } from '#infra/config/config';
import { projectRoot } from '#infra/dev/project-root';
import { waitFor } from '#infra/dev/processes';
import { storageRegistry } from '../../apps/worker/src/storage/registry';
import { seedSampleData } from '../../apps/worker/src/storage/seed';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  // Debug logging everywhere: the strictest test that nothing personal or secret is ever logged.
  stack = await startStack({ LOG_LEVEL: 'debug' });
});
afterAll(async () => stack?.stop());

const plus = (instant: string, seconds: number) => new Date(Date.parse(instant) + seconds * 1000).toISOString();

describe('a whole contract over real HTTP (real worker and API processes, Temporal dev server, PostgreSQL)', () => {
  it('order → hand-over → two renewals by billing → non-renewal → expiry → destruction of real files → certificate → verified event stream', async () => {
    const ordered = await stack.request('POST', '/contracts', {
      role: 'account_manager',
      body: { reference: `E2E-${Date.now()}`, controller: { name: 'Acme SAS', email: 'privacy@acme.example' }, billingPeriod: 'PT4S' },
    });
    expect(ordered.status).toBe(201);
    expect(ordered.body).toMatchObject({ status: 'ordered', processingStartedAt: null, destruction: { status: 'none' } });
    const id: string = ordered.body.id;
    await seedSampleData(storageRegistry(loadConfig({ STORAGE_ROOT: stack.env.STORAGE_ROOT })), id, STORAGE_LOCATIONS.map((l) => l.id));

    const handedOver = await stack.request('POST', `/contracts/${id}/credentials`, {
      role: 'account_manager',
      body: { kind: 'sftp', host: 'sftp.acme.example', username: 'acme-deploy', secret: 'e2e-very-secret-value' },
    });
    expect(handedOver.status).toBe(200);
    expect(handedOver.body.status).toBe('active');
    expect(JSON.stringify(handedOver.body)).not.toContain('e2e-very-secret-value');
    expect(JSON.stringify(handedOver.body)).not.toContain('acme-deploy');
    let termEnd: string = handedOver.body.termEnd;
    expect(Date.parse(termEnd) - Date.parse(handedOver.body.processingStartedAt)).toBe(4000);

    for (const invoiceId of ['inv-1', 'inv-2']) {
      const renewed = await stack.request('POST', `/contracts/${id}/renewals`, {
        role: 'billing',
        body: { invoiceId, coveredPeriod: { start: termEnd, end: plus(termEnd, 4) }, acceptedAt: new Date().toISOString() },
      });
      expect(renewed.status).toBe(200);
      expect(renewed.body.termEnd).toBe(plus(termEnd, 4));
      termEnd = renewed.body.termEnd;
    }
    const noticed = await stack.request('POST', `/contracts/${id}/non-renewal`, { role: 'billing', body: { reason: 'moving to another host' } });
    expect(noticed.status).toBe(200);
    expect(noticed.body.nonRenewalNoticedAt).not.toBeNull();

    await waitFor('destroyed', async () => (await stack.request('GET', `/contracts/${id}`, { role: 'dpo' })).body.status === 'destroyed', { timeoutMs: 60_000, intervalMs: 250 });
    const contract = (await stack.request('GET', `/contracts/${id}`, { role: 'dpo' })).body;
    expect(contract).toMatchObject({ status: 'destroyed', endedAt: termEnd, endKind: 'expired', destruction: { status: 'completed' } });
    expect(contract.renewals.map((r: { invoiceId: string }) => r.invoiceId)).toEqual(['inv-1', 'inv-2']);

    const destruction = await stack.request('GET', `/contracts/${id}/destruction`, { role: 'account_manager' });
    expect(destruction.status).toBe(200);
    expect(destruction.body.locations).toHaveLength(STORAGE_LOCATIONS.length);
    for (const l of destruction.body.locations) {
      expect(l).toMatchObject({ status: 'destroyed', evidence: { objectCount: 6, method: 'filesystem-unlink' } });
      expect(fs.existsSync(path.join(stack.env.STORAGE_ROOT!, l.id, id))).toBe(false);
    }
    expect(destruction.body.certificate).toMatchObject({ contractId: id, withinDeadline: true });
    expect(destruction.body.deadline).toBe(new Date(new Date(termEnd).setUTCMonth(new Date(termEnd).getUTCMonth() + 2)).toISOString());

    const mail = await stack.mail.waitFor((m) => m.to.includes('privacy@acme.example') && m.subject.startsWith('Certificate of destruction'));
    expect(mail.attachments[0]?.content).toContain(destruction.body.certificate.certificateId);

    // The evidence pack carries the certificate, as signed JSON and as a PDF a person reads, both in
    // the signed manifest; the published verifier accepts it; the PDF shows each location's method.
    const pack = new Uint8Array(await (await fetch(`${stack.api.url}/contracts/${id}/evidence`, { headers: { authorization: 'Bearer dev-dpo-key' } })).arrayBuffer());
    const packed = unzipSync(pack);
    const manifest = JSON.parse(Buffer.from(packed['manifest.json']!).toString('utf8')) as { files: { path: string }[] };
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['destruction-certificate.json', 'destruction-certificate.pdf']));
    expect(JSON.parse(Buffer.from(packed['destruction-certificate.json']!).toString('utf8'))).toEqual(destruction.body.certificate);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-'));
    fs.writeFileSync(path.join(dir, 'pack.zip'), pack);
    fs.writeFileSync(path.join(dir, 'keys.json'), JSON.stringify((await stack.request('GET', '/.well-known/dpa-signing-keys', { role: null })).body));
    const verified = spawnSync(process.execPath, [path.join(projectRoot(), 'bin', 'dpa-verify.mjs'), path.join(dir, 'pack.zip'), '--key', path.join(dir, 'keys.json')], { encoding: 'utf8' });
    expect(verified.stderr).toBe('');
    expect(verified.stdout).toMatch(/^VERIFIED: /);
    const pdfText = spawnSync('pdftotext', ['-layout', '-', '-'], { input: packed['destruction-certificate.pdf'], encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    expect(pdfText).toContain(destruction.body.certificate.certificateId);
    for (const l of destruction.body.locations) expect(pdfText).toContain(l.id);
    expect(pdfText).toContain('filesystem-unlink');
    expect(pdfText).toContain(destruction.body.deadline);
    fs.rmSync(dir, { recursive: true, force: true });

    const events = await stack.request('GET', `/contracts/${id}/events`, { role: 'dpo' });
    expect(events.status).toBe(200);
    expect(events.body.events.map((e: { version: number }) => e.version)).toEqual(events.body.events.map((_: unknown, i: number) => i + 1));
    expect(events.body.events[0]).toMatchObject({ type: 'ContractOrdered', schemaVersion: 3, metadata: { actor: 'account_manager' } });
    // P12: the DPO communicated once, in the hand-over's append, and its email emailed once.
    const types = events.body.events.map((e: { type: string }) => e.type);
    expect(types.slice(1, 3)).toEqual(['CredentialsHandedOver', 'DpoCommunicated']);
    expect(types.filter((t: string) => t === 'DpoCommunicated')).toHaveLength(1);
    expect(stack.mail.messages.filter((m) => m.to.includes('privacy@acme.example') && m.subject.startsWith('Our data protection officer'))).toHaveLength(1);
    expect(JSON.stringify(events.body)).not.toContain('e2e-very-secret-value');
    expect((await stack.request('GET', `/contracts/${id}/events/verify`, { role: 'dpo' })).body).toEqual({ valid: true });

    const logs = [...stack.api.lines, ...stack.worker.lines].join('\n');
    expect(logs.length).toBeGreaterThan(1000);
    for (const secretOrPersonal of ['e2e-very-secret-value', 'acme-deploy', 'privacy@acme.example', 'Acme SAS']) expect(logs).not.toContain(secretOrPersonal);

    // L12: nothing changes a destroyed contract.
    const late = await stack.request('POST', `/contracts/${id}/termination`, { role: 'account_manager', body: { reason: 'too late' } });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('contract.destroyed');
  });
});
