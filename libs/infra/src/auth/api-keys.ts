import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { type DataSource } from 'typeorm';

export const ROLES = ['account_manager', 'billing', 'dpo', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  readonly keyId: string;
  readonly role: Role;
  readonly name: string;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly prefix: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** Accepted outside production only (DESIGN §6 "Running locally"). */
export const DEVELOPMENT_KEYS: Readonly<Record<string, Role>> = {
  'dev-account-manager-key': 'account_manager',
  'dev-billing-key': 'billing',
  'dev-dpo-key': 'dpo',
  'dev-admin-key': 'admin',
};

const hash = (key: string) => createHash('sha256').update(key).digest();

/** Keys look like `dpa_<8-char prefix>_<43-char secret>`: the prefix finds the row, the hash proves the key. */
const KEY_FORMAT = /^dpa_([A-Za-z0-9_-]{8})_[A-Za-z0-9_-]{43}$/;

/**
 * API keys, stored as sha256 hashes (a key is 256 random bits: no slow hash is needed) and
 * compared in constant time. Each request looks its key up (one indexed row): a key revoked
 * through any API replica is refused by every replica from the next request on.
 */
export class ApiKeys {
  private readonly devKeys: { hash: Buffer; principal: Principal }[];

  constructor(
    private readonly dataSource: DataSource,
    options: { allowDevelopmentKeys: boolean },
  ) {
    this.devKeys = options.allowDevelopmentKeys
      ? Object.entries(DEVELOPMENT_KEYS).map(([key, role]) => ({ hash: hash(key), principal: { keyId: `dev:${role}`, role, name: `development ${role}` } }))
      : [];
  }

  async create(name: string, role: Role): Promise<{ key: string; record: ApiKeyRecord }> {
    const prefix = randomBytes(6).toString('base64url');
    const key = `dpa_${prefix}_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    const rows: { created_at: Date }[] = await this.dataSource.query(
      `INSERT INTO api_keys (id, name, role, prefix, key_hash) VALUES ($1, $2, $3, $4, $5) RETURNING created_at`,
      [id, name, role, prefix, hash(key).toString('hex')],
    );
    return { key, record: { id, name, role, prefix, createdAt: rows[0]!.created_at.toISOString(), revokedAt: null } };
  }

  async revoke(id: string): Promise<ApiKeyRecord | null> {
    const rows: Row[] = await this.dataSource.query(
      // As a CTE: TypeORM answers a bare UPDATE with [rows, count], a SELECT with rows.
      `WITH revoked AS (UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING *) SELECT * FROM revoked`,
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Oldest first, `limit` of them after `after` (the creation instant in UTC with its microseconds,
   * and the id of the last one seen): each with its own `after`, for a cursor.
   */
  async list(limit: number, after: { readonly createdAt: string; readonly id: string } | null): Promise<(ApiKeyRecord & { readonly after: { createdAt: string; id: string } })[]> {
    const rows: (Row & { created_key: string })[] = await this.dataSource.query(
      `SELECT *, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key FROM api_keys
        WHERE $1::text IS NULL OR (created_at, id) > ($1::timestamptz, $2::uuid)
        ORDER BY created_at, id LIMIT $3`,
      [after?.createdAt ?? null, after?.id ?? null, limit],
    );
    return rows.map((r) => ({ ...toRecord(r), after: { createdAt: r.created_key, id: r.id } }));
  }

  /** The principal a presented key stands for, or null for a missing, unknown or revoked key. */
  async verify(presented: string): Promise<Principal | null> {
    const digest = hash(presented);
    for (const dev of this.devKeys) if (timingSafeEqual(dev.hash, digest)) return dev.principal;
    const match = KEY_FORMAT.exec(presented);
    if (!match) return null;
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM api_keys WHERE prefix = $1`, [match[1]]);
    const row = rows[0];
    return row && row.revoked_at === null && timingSafeEqual(Buffer.from(row.key_hash, 'hex'), digest) ? { keyId: row.id, role: row.role, name: row.name } : null;
  }
}

interface Row {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  key_hash: string;
  created_at: Date;
  revoked_at: Date | null;
}

const toRecord = (r: Row): ApiKeyRecord => ({
  id: r.id,
  name: r.name,
  role: r.role,
  prefix: r.prefix,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
});
