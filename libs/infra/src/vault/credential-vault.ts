import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { type KeyRing } from '../config/key-ring';
import { preparedQuery } from '../database/prepared';

/** What the controller hands over (P3: kept confidential). Only ever held sealed. */
export interface CredentialSecret {
  readonly username: string;
  readonly secret: string;
}

/** A credential sealed under its contract's data key: `v1.<iv>.<ciphertext>.<tag>` (base64url). */
export type SealedCredential = string;

export class VaultError extends Error {
  override readonly name = 'VaultError';
  constructor(
    readonly code: 'vault.shredded' | 'vault.unknown_key' | 'vault.not_found' | 'vault.corrupt',
    message: string,
  ) {
    super(message);
  }
}

const IV = 12;
const TAG = 16;

function encrypt(key: Buffer, plain: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function decrypt(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV), { authTagLength: TAG });
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([decipher.update(sealed.subarray(IV, sealed.length - TAG)), decipher.final()]);
}

/**
 * Envelope encryption with crypto-shredding (L7, P3, P10): each contract has its own random
 * AES-256 data key, stored only wrapped by a master key from configuration (its id kept for
 * rotation). Credentials are sealed with the data key before they travel anywhere — through
 * Temporal histories too — so deleting the wrapped key makes every copy unreadable at once.
 */
export class CredentialVault {
  constructor(
    private readonly dataSource: DataSource,
    private readonly masterKeys: KeyRing,
  ) {}

  async seal(contractId: string, credentialId: string, credential: CredentialSecret): Promise<SealedCredential> {
    const key = await this.dataKey(contractId, true);
    const sealed = encrypt(key, Buffer.from(JSON.stringify(credential)), `${contractId}:${credentialId}`);
    return `v1.${sealed.toString('base64url')}`;
  }

  /** Keeps a sealed credential (idempotent per credential id: activities are retried). */
  async store(contractId: string, credentialId: string, kind: string, host: string, sealed: SealedCredential): Promise<void> {
    if (!sealed.startsWith('v1.')) throw new VaultError('vault.corrupt', 'unknown sealed credential format');
    await preparedQuery(
      this.dataSource,
      `INSERT INTO credentials (credential_id, contract_id, kind, host, sealed) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (credential_id) DO NOTHING`,
      [credentialId, contractId, kind, host, Buffer.from(sealed.slice(3), 'base64url')],
    );
  }

  /** Removes a credential stored for a hand-over the contract refused: nothing in the trail refers to it. */
  async discard(contractId: string, credentialId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM credentials WHERE contract_id = $1 AND credential_id = $2`, [contractId, credentialId]);
  }

  async open(contractId: string, credentialId: string): Promise<CredentialSecret> {
    const rows: { sealed: Buffer }[] = await this.dataSource.query(
      `SELECT sealed FROM credentials WHERE contract_id = $1 AND credential_id = $2`,
      [contractId, credentialId],
    );
    if (!rows[0]) throw new VaultError('vault.not_found', 'no such credential');
    return this.unseal(contractId, credentialId, `v1.${rows[0].sealed.toString('base64url')}`);
  }

  async unseal(contractId: string, credentialId: string, sealed: SealedCredential): Promise<CredentialSecret> {
    if (!sealed.startsWith('v1.')) throw new VaultError('vault.corrupt', 'unknown sealed credential format');
    const key = await this.dataKey(contractId, false);
    try {
      return JSON.parse(decrypt(key, Buffer.from(sealed.slice(3), 'base64url'), `${contractId}:${credentialId}`).toString()) as CredentialSecret;
    } catch {
      throw new VaultError('vault.corrupt', 'the sealed credential does not authenticate');
    }
  }

  /**
   * Crypto-shredding: deletes the contract's wrapped data key. Idempotent; returns the ids of the
   * credentials made unrecoverable. Later seals for the contract are refused.
   */
  async shred(contractId: string): Promise<{ credentialIds: string[]; shreddedAt: string }> {
    const rows: { shredded_at: Date }[] = await this.dataSource.query(
      `INSERT INTO contract_keys (contract_id, master_key_id, wrapped_key, shredded_at) VALUES ($1, '-', NULL, now())
       ON CONFLICT (contract_id) DO UPDATE SET wrapped_key = NULL,
         shredded_at = COALESCE(contract_keys.shredded_at, now())
       RETURNING shredded_at`,
      [contractId],
    );
    const credentials: { credential_id: string }[] = await this.dataSource.query(
      `SELECT credential_id FROM credentials WHERE contract_id = $1 ORDER BY stored_at, credential_id`,
      [contractId],
    );
    return { credentialIds: credentials.map((c) => c.credential_id), shreddedAt: rows[0]!.shredded_at.toISOString() };
  }

  private async dataKey(contractId: string, create: boolean): Promise<Buffer> {
    if (create) {
      const fresh = randomBytes(32);
      const masterId = this.masterKeys.activeId;
      await preparedQuery(
        this.dataSource,
        `INSERT INTO contract_keys (contract_id, master_key_id, wrapped_key) VALUES ($1, $2, $3) ON CONFLICT (contract_id) DO NOTHING`,
        [contractId, masterId, encrypt(this.masterKeys.keys.get(masterId)!, fresh, `contract:${contractId}`)],
      );
    }
    // Prepared, as the write above: every hand-over's seal reads the key here, and so does every unseal.
    const rows = await preparedQuery<{ master_key_id: string; wrapped_key: Buffer | null }>(this.dataSource, `SELECT master_key_id, wrapped_key FROM contract_keys WHERE contract_id = $1`, [contractId]);
    const row = rows[0];
    if (!row) throw new VaultError('vault.not_found', 'the contract has no data key');
    if (!row.wrapped_key) throw new VaultError('vault.shredded', 'the contract\'s credentials were crypto-shredded');
    const master = this.masterKeys.keys.get(row.master_key_id);
    if (!master) throw new VaultError('vault.unknown_key', `master key ${row.master_key_id} is not configured`);
    return decrypt(master, row.wrapped_key, `contract:${contractId}`);
  }
}
