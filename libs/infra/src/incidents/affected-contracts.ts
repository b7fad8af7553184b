import { createHash } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { affectedBy, controllerIdentity, isLocationScope, type ContractState, type IncidentScope } from '#domain';
import { breachNoticeId } from '../ids';

/** Contracts read per query while resolving: a page of states, never the whole table in memory. */
const PAGE = 1_000;

export interface Resolution {
  readonly count: number;
  /** sha256 of the sorted affected contract ids, one a line. */
  readonly digest: string;
}

/** The digest of a set of contract ids, as the incident's `AffectedContractsResolved` records it. */
export function affectedDigest(contractIds: readonly string[]): string {
  const hash = createHash('sha256');
  for (const id of [...contractIds].sort()) hash.update(`${id}\n`);
  return hash.digest('hex');
}

/**
 * DESIGN §3.1: the contracts an incident touches, read from the contracts' read model as every
 * query of the engine reads them, and the rule applied by the domain (`affectedBy`). The set is
 * written once, with each contract's notice id, in one transaction: a retried resolution answers
 * the set it wrote the first time.
 */
export async function resolveAffectedContracts(dataSource: DataSource, incidentId: string, scope: IncidentScope): Promise<Resolution> {
  return dataSource.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7724))`, [incidentId]);
    const existing = (await tx.query(`SELECT contract_id::text AS id FROM incident_contracts WHERE incident_id = $1`, [incidentId])) as { id: string }[];
    if (existing.length > 0) return { count: existing.length, digest: affectedDigest(existing.map((r) => r.id)) };

    const affected: string[] = [];
    for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
      const rows = (await (isLocationScope(scope)
        ? tx.query(
            `SELECT id::text AS id, state FROM contracts
             WHERE id > $1::uuid AND state ? 'processingStartedAt' AND state->>'processingStartedAt' IS NOT NULL
               AND (state->>'processingStartedAt')::timestamptz <= $2::timestamptz
               AND (state->'catalog'->'storageLocations' ?| $3::text[] OR coalesce(state->'formerLocations', '[]'::jsonb) ?| $3::text[])
             ORDER BY id LIMIT ${PAGE}`,
            [after, scope.to, scope.locations],
          )
        : tx.query(`SELECT id::text AS id, state FROM contracts WHERE id > $1::uuid AND id = ANY($2::uuid[]) ORDER BY id LIMIT ${PAGE}`, [after, scope.contracts]))) as {
        id: string;
        state: ContractState;
      }[];
      for (const row of rows) if (affectedBy(scope, row.state)) affected.push(row.id);
      if (rows.length < PAGE) break;
      after = rows.at(-1)!.id;
    }
    for (let i = 0; i < affected.length; i += PAGE) {
      const ids = affected.slice(i, i + PAGE);
      await tx.query(
        `INSERT INTO incident_contracts (incident_id, contract_id, notice_id) SELECT $1::uuid, c, n FROM unnest($2::uuid[], $3::uuid[]) AS x(c, n)`,
        [incidentId, ids, ids.map((id) => breachNoticeId(incidentId, id))],
      );
    }
    return { count: affected.length, digest: affectedDigest(affected) };
  });
}

export interface AffectedContract {
  readonly contractId: string;
  readonly noticeId: string;
  readonly controllerName: string;
  readonly controllerEmail: string;
  readonly controllerDpoEmail: string | null;
  readonly contractReference: string | null;
  /** The breach contact the controller's record names (DESIGN §3.10): the notice goes to it, else to controllerEmail. */
  readonly breachContact: string | null;
}

/** A page of an incident's affected contracts (after `afterContractId`), with whom each notice goes to. */
export async function affectedContractsPage(dataSource: DataSource, incidentId: string, afterContractId: string | null, limit: number): Promise<AffectedContract[]> {
  const rows = (await dataSource.query(
    `SELECT a.contract_id::text AS "contractId", a.notice_id::text AS "noticeId", c.controller_name AS "controllerName", c.controller_email AS "controllerEmail",
            c.state->'controller'->>'dpoEmail' AS "controllerDpoEmail", c.state->'controller'->>'customerId' AS "customerId", c.reference AS "contractReference"
     FROM incident_contracts a JOIN contracts c ON c.id = a.contract_id
     WHERE a.incident_id = $1::uuid AND a.contract_id > $2::uuid ORDER BY a.contract_id LIMIT $3`,
    [incidentId, afterContractId ?? '00000000-0000-0000-0000-000000000000', limit],
  )) as (Omit<AffectedContract, 'breachContact'> & { customerId: string | null })[];
  // Each controller's record, found by its identity as the domain states it (one query a page).
  const identities = rows.map((r) => controllerIdentity({ customerId: r.customerId, email: r.controllerEmail }));
  const contacts = new Map(
    ((await dataSource.query(`SELECT identity, state->>'breachContact' AS contact FROM controllers WHERE identity = ANY($1::text[])`, [[...new Set(identities)]])) as { identity: string; contact: string | null }[]).map((r) => [r.identity, r.contact]),
  );
  return rows.map(({ customerId: _customerId, ...r }, i) => ({ ...r, breachContact: contacts.get(identities[i]!) ?? null }));
}
