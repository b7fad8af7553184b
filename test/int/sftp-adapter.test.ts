import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SftpAdapter } from '../../apps/worker/src/storage/sftp-adapter';
import { StorageError } from '../../apps/worker/src/storage/storage-adapter';
import { terminateUpdate } from '#infra/temporal/messages';
import { dataOf, MANAGER, timeSkippingEngine, type TimeSkippingEngine } from '../support/engine';
import { startSshd, stopAllSshd, type RunningSshd, type SshdOptions } from '../support/sshd';
import { execFileSync } from 'node:child_process';

// The seed's "Data transfer security" (SSH, AES CBC or better, RSA 4096 bits or more) and
// "Data Recovery Method" (remote connection via SSH), against a real OpenSSH sshd on loopback.

const servers: RunningSshd[] = [];
async function sshd(options: SshdOptions = {}): Promise<RunningSshd> {
  const server = await startSshd(options);
  servers.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await stopAllSshd();
});

function adapterFor(server: RunningSshd, overrides: Partial<ConstructorParameters<typeof SftpAdapter>[0]> = {}): SftpAdapter {
  return new SftpAdapter({
    host: '127.0.0.1',
    port: server.port,
    username: 'root',
    privateKeyFile: server.clientKeyFile,
    hostKeyFingerprint: server.hostKeyFingerprint,
    root: server.root,
    batchSize: 3,
    ...overrides,
  });
}

/** Files on the server's own disk, written there directly (not through the adapter). */
function seedOnServer(server: RunningSshd, folder: string, count: number): { bytes: number; lines: string[] } {
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const relative = i % 2 === 0 ? `db/customers-${i}.csv` : `www/orders/${i}.json`;
    const body = `sample ${i} ${'x'.repeat(i * 7)}\n`;
    fs.mkdirSync(path.dirname(path.join(server.root, folder, relative)), { recursive: true });
    fs.writeFileSync(path.join(server.root, folder, relative), body);
    bytes += Buffer.byteLength(body);
    lines.push(`${relative}\t${Buffer.byteLength(body)}`);
  }
  return { bytes, lines };
}

const expectedHash = (lines: string[]) => `sha256:${createHash('sha256').update([...lines].sort().join('\n')).digest('hex')}`;

async function refusal(work: Promise<unknown>): Promise<StorageError> {
  const e = await work.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof StorageError)) throw new Error(`expected a StorageError, got ${String(e)}`);
  return e;
}

describe('SftpAdapter against a real sshd (RSA 4096 host key)', () => {
  let server: RunningSshd;
  beforeAll(async () => {
    server = await sshd({ hostKey: 'rsa:4096' });
  });

  it('inventories, exports, destroys and verifies a contract folder, with evidence computed from the server disk', async () => {
    const contractId = randomUUID();
    const other = randomUUID();
    const seeded = seedOnServer(server, contractId, 11);
    seedOnServer(server, other, 2);
    const adapter = adapterFor(server);

    expect(await adapter.inventory(contractId)).toEqual({ objectCount: 11, bytes: seeded.bytes, manifestHash: expectedHash(seeded.lines) });

    const exportDir = path.join(server.root, '..', `export-${contractId}`);
    expect(await adapter.exportTo(contractId, exportDir)).toMatchObject({ objectCount: 11, bytes: seeded.bytes });
    expect(fs.readFileSync(path.join(exportDir, 'db/customers-4.csv'), 'utf8')).toBe(fs.readFileSync(path.join(server.root, contractId, 'db/customers-4.csv'), 'utf8'));

    const progress: number[] = [];
    await adapter.destroy(contractId, (n) => progress.push(n));
    expect(progress).toEqual([3, 6, 9, 11]);
    expect(fs.existsSync(path.join(server.root, contractId))).toBe(false);
    expect(fs.existsSync(path.join(server.root, `.destroying-${contractId}`))).toBe(false);
    expect(await adapter.remaining(contractId)).toBe(0);
    // Another contract's data at the same site is untouched.
    expect(await adapter.remaining(other)).toBe(3);
    expect(fs.readdirSync(path.join(server.root, other), { recursive: true })).toHaveLength(5); // db, its file, www, www/orders, its file
  });

  it('finishes what a worker that died half-way left: the folder renamed aside, and new files in the live one', async () => {
    const contractId = randomUUID();
    seedOnServer(server, `.destroying-${contractId}`, 4);
    seedOnServer(server, contractId, 3);
    const adapter = adapterFor(server);
    expect((await adapter.inventory(contractId)).objectCount).toBe(7);
    await adapter.destroy(contractId, () => {});
    expect(fs.readdirSync(server.root).filter((n) => n.includes(contractId))).toEqual([]);
    expect(await adapter.remaining(contractId)).toBe(0);
    // Idempotent: destroying again finds nothing and succeeds.
    await adapter.destroy(contractId, () => {});
  });

  it('reports a missing root as unavailable, never as nothing to destroy', async () => {
    const e = await refusal(adapterFor(server, { root: '/nonexistent-backup-root' }).remaining(randomUUID()));
    expect(e.code).toBe('storage.unavailable');
  });

  it('refuses a host key other than the pinned one', async () => {
    const pinned = `SHA256:${createHash('sha256').update('another server').digest('base64').replace(/=+$/, '')}`;
    const e = await refusal(adapterFor(server, { hostKeyFingerprint: pinned }).inventory(randomUUID()));
    expect(e).toMatchObject({ code: 'storage.ssh_policy' });
    expect(e.message).toMatch(/does not match the pinned fingerprint/);
  });

  it('refuses when a stricter configured cipher list meets a server that offers none of it', async () => {
    const ctrOnly = await sshd({ hostKey: 'ed25519', ciphers: 'aes128-ctr' });
    await expect(adapterFor(ctrOnly).remaining(randomUUID())).resolves.toBe(0);
    const e = await refusal(adapterFor(ctrOnly, { ciphers: ['aes256-gcm@openssh.com'] }).remaining(randomUUID()));
    expect(e).toMatchObject({ code: 'storage.ssh_policy' });
    expect(e.message).toMatch(/no cipher the policy allows/);
  });

  it('refuses a key the server does not accept, naming no key', async () => {
    // A valid private key (the server's own host key) that is not in authorized_keys.
    const unauthorised = path.join(path.dirname(server.clientKeyFile), 'host_key');
    const e = await refusal(adapterFor(server, { privateKeyFile: unauthorised }).remaining(randomUUID()));
    expect(e.code).toBe('storage.ssh_auth');
    expect(e.message).not.toContain('host_key');
  });
});

describe('SSH policy refusals, each against its own real sshd', () => {
  it('refuses a server with a 2048-bit RSA host key, even when it is the pinned one', async () => {
    const weak = await sshd({ hostKey: 'rsa:2048' });
    const e = await refusal(adapterFor(weak).inventory(randomUUID()));
    expect(e).toMatchObject({ code: 'storage.ssh_policy' });
    expect(e.message).toBe("refused the server: the server's host key is RSA of 2048 bits; the policy requires 4096 bits or more");
  });

  it('refuses a server offering only weak ciphers (3des-cbc)', async () => {
    const weak = await sshd({ hostKey: 'rsa:4096', ciphers: '3des-cbc' });
    const e = await refusal(adapterFor(weak).inventory(randomUUID()));
    expect(e).toMatchObject({ code: 'storage.ssh_policy' });
    expect(e.message).toMatch(/offers no cipher the policy allows/);
  });

  it('refuses a server whose only host key is ECDSA, and accepts Ed25519', async () => {
    const ecdsa = await sshd({ hostKey: 'ecdsa' });
    const e = await refusal(adapterFor(ecdsa).inventory(randomUUID()));
    expect(e).toMatchObject({ code: 'storage.ssh_policy' });
    expect(e.message).toMatch(/no host key the policy allows/);
    const ed25519 = await sshd({ hostKey: 'ed25519', ciphers: 'aes256-cbc' });
    await expect(adapterFor(ed25519).remaining(randomUUID())).resolves.toBe(0);
  });
});

describe('the client side of the policy', () => {
  let server: RunningSshd;
  beforeAll(async () => {
    server = await sshd({ hostKey: 'ed25519' });
  });

  /** A client key made by ssh-keygen and authorised on the server. */
  function clientKey(type: string, bits?: number, passphrase = ''): string {
    const file = path.join(server.root, '..', `client-${type}-${bits ?? 0}-${passphrase ? 'locked' : 'open'}`);
    execFileSync('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', passphrase, '-f', file]);
    fs.appendFileSync(path.join(server.root, '..', 'authorized_keys'), fs.readFileSync(`${file}.pub`));
    return file;
  }

  it('refuses a client key weaker than the policy (RSA 2048), and accepts RSA 4096', async () => {
    const weak = await refusal(adapterFor(server, { privateKeyFile: clientKey('rsa', 2048) }).remaining(randomUUID()));
    expect(weak).toMatchObject({ code: 'storage.ssh_policy' });
    expect(weak.message).toBe('refused to connect: the configured client key is RSA of 2048 bits; the policy requires 4096 bits or more');
    await expect(adapterFor(server, { privateKeyFile: clientKey('rsa', 4096) }).remaining(randomUUID())).resolves.toBe(0);
  });

  it('reports a passphrase-protected key as unusable, naming no path', async () => {
    const file = clientKey('ed25519', undefined, 'a passphrase');
    const e = await refusal(adapterFor(server, { privateKeyFile: file }).remaining(randomUUID()));
    expect(e.code).toBe('storage.ssh_key_unreadable');
    expect(e.message).not.toContain(file);
  });

  it('refuses a server whose only key exchange is a 2048-bit Diffie-Hellman group', async () => {
    const weak = await sshd({ hostKey: 'ed25519', kex: 'diffie-hellman-group14-sha256' });
    const e = await refusal(adapterFor(weak).remaining(randomUUID()));
    expect(e).toMatchObject({ code: 'storage.ssh_policy' });
    expect(e.message).toMatch(/no key exchange the policy allows/);
  });
});

describe('destruction through the workflow, with a backup site over SFTP', () => {
  let engine: TimeSkippingEngine;
  let site: RunningSshd;
  const REMOTE = 'ovh-sbg-2';
  beforeAll(async () => {
    site = await sshd({ hostKey: 'rsa:4096' });
    engine = await timeSkippingEngine({
      env: {
        STORAGE_LOCATIONS: JSON.stringify({
          [REMOTE]: { adapter: 'sftp', host: '127.0.0.1', port: site.port, username: 'root', privateKeyFile: site.clientKeyFile, hostKeyFingerprint: site.hostKeyFingerprint, root: site.root },
        }),
      },
    });
  });
  afterAll(async () => engine?.teardown());

  it("L10: the remote site's files are removed, verified gone, and evidenced per location in the certificate", async () => {
    const { contractId, handle } = await engine.order();
    const seeded = seedOnServer(site, contractId, 9);
    await engine.handOver(contractId);
    await handle.executeUpdate(terminateUpdate, { args: [{ reason: 'client left', actor: MANAGER }] });
    await engine.waitForDestruction(contractId);

    expect(fs.existsSync(path.join(site.root, contractId))).toBe(false);
    expect(fs.readdirSync(site.root).filter((n) => n.includes(contractId))).toEqual([]);
    const destroyed = dataOf(await engine.events(contractId), 'LocationDestroyed');
    const remote = destroyed.find((d) => d.locationId === REMOTE)!;
    expect(remote.evidence).toMatchObject({ method: 'sftp-remove', objectCount: 9, bytes: seeded.bytes, manifestHash: expectedHash(seeded.lines) });
    // The folder locations were destroyed beside it, by their own adapter.
    expect(destroyed.filter((d) => d.locationId !== REMOTE).every((d) => d.evidence.method === 'filesystem-unlink' && d.evidence.objectCount === 6)).toBe(true);
    expect(destroyed).toHaveLength(4);
  });
});
