import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyRing } from '#infra/config/key-ring';
import { createDataSource } from '#infra/database/data-source';
import { CredentialVault, VaultError } from '#infra/vault/credential-vault';
import { createTestDatabase, type TestDatabase } from '../support/database';

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');

let db: TestDatabase;
let dataSource: DataSource;
let vault: CredentialVault;

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = createDataSource({ url: db.url });
  await dataSource.initialize();
  vault = new CredentialVault(dataSource, parseKeyRing(`m1:${key(7)}`));
});
afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

/** Every text and bytea value of every table, as one string to search. */
async function everything(): Promise<string> {
  const tables: { table_name: string }[] = await dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
  const dumps = await Promise.all(tables.map(async (t) => JSON.stringify(await dataSource.query(`SELECT * FROM ${t.table_name}`))));
  return dumps.join('\n');
}

describe('credential vault (AES-256-GCM envelope, crypto-shredding)', () => {
  it('seals, stores and opens a credential; neither the secret nor the username is stored in plaintext', async () => {
    const contractId = randomUUID();
    const credentialId = randomUUID();
    const secret = `s3cr3t-${randomUUID()}`;
    const username = `ftp-user-${randomUUID().slice(0, 8)}`;
    const sealed = await vault.seal(contractId, credentialId, { username, secret });
    expect(sealed).not.toContain(secret);
    await vault.store(contractId, credentialId, 'ftp', 'ftp.acme.example', sealed);
    await vault.store(contractId, credentialId, 'ftp', 'ftp.acme.example', sealed);
    expect(await vault.open(contractId, credentialId)).toEqual({ username, secret });
    const dump = await everything();
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(username);
    expect(dump).not.toContain(Buffer.from(secret).toString('base64'));
  });

  it('a shredded credential cannot be decrypted, from the store or from a copy sealed earlier', async () => {
    const contractId = randomUUID();
    const credentialId = randomUUID();
    const sealed = await vault.seal(contractId, credentialId, { username: 'root', secret: 'hunter2-hunter2' });
    await vault.store(contractId, credentialId, 'ssh', 'web-1.acme.example', sealed);
    const shredded = await vault.shred(contractId);
    expect(shredded.credentialIds).toEqual([credentialId]);
    expect(await vault.shred(contractId)).toEqual(shredded);
    await expect(vault.open(contractId, credentialId)).rejects.toMatchObject({ code: 'vault.shredded' });
    await expect(vault.unseal(contractId, credentialId, sealed)).rejects.toBeInstanceOf(VaultError);
    await expect(vault.seal(contractId, randomUUID(), { username: 'x', secret: 'y' })).rejects.toMatchObject({ code: 'vault.shredded' });
    const [row] = await dataSource.query(`SELECT wrapped_key, shredded_at FROM contract_keys WHERE contract_id = $1`, [contractId]);
    expect(row.wrapped_key).toBeNull();
    expect(row.shredded_at).toBeInstanceOf(Date);
  });

  it('keeps old data keys readable after the master key rotates, and refuses a tampered credential', async () => {
    const contractId = randomUUID();
    const credentialId = randomUUID();
    const sealed = await vault.seal(contractId, credentialId, { username: 'u', secret: 'rotate-me' });
    const rotated = new CredentialVault(dataSource, parseKeyRing(`m1:${key(7)},m2:${key(8)}`, 'm2'));
    expect(await rotated.unseal(contractId, credentialId, sealed)).toEqual({ username: 'u', secret: 'rotate-me' });
    const other = await rotated.seal(randomUUID(), credentialId, { username: 'u', secret: 'v' });
    expect(other.startsWith('v1.')).toBe(true);
    const [row] = await dataSource.query(`SELECT master_key_id FROM contract_keys WHERE contract_id = $1`, [contractId]);
    expect(row.master_key_id).toBe('m1');
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await expect(vault.unseal(contractId, credentialId, tampered)).rejects.toMatchObject({ code: 'vault.corrupt' });
    const withoutOldKey = new CredentialVault(dataSource, parseKeyRing(`m2:${key(8)}`));
    await expect(withoutOldKey.unseal(contractId, credentialId, sealed)).rejects.toMatchObject({ code: 'vault.unknown_key' });
  });
});
