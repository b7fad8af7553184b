/**
 * The `contracts` rows (aliased `c`) of the controller an identity names (controllerIdentity:
 * `customer:<id>`, else `email:<normalised address>`), as a condition on parameter `$n`.
 */
export function contractsOfController(identity: string, n: number): { readonly where: string; readonly value: string } {
  const [kind, ...rest] = identity.split(':');
  const value = rest.join(':');
  return kind === 'customer'
    ? { where: `c.state->'controller'->>'customerId' = $${n}`, value }
    : { where: `lower(c.controller_email) = $${n} AND coalesce(c.state->'controller'->>'customerId', '') = ''`, value };
}

/**
 * A contract row's controller identity in SQL (alias `c`), as controllerIdentity computes it: its
 * customer id when it has one, else its normalised email.
 */
export const CONTROLLER_IDENTITY_SQL = (alias: string): string =>
  `(CASE WHEN coalesce(btrim(${alias}.state->'controller'->>'customerId'), '') <> '' THEN 'customer:' || btrim(${alias}.state->'controller'->>'customerId') ELSE 'email:' || lower(btrim(${alias}.state->'controller'->>'email')) END)`;

/** A controller's language and time zone as its record says (null where it has no record), found by a contract of its or by its key. */
export async function preferencesOf(dataSource: { query(sql: string, params: unknown[]): Promise<unknown> }, of: { readonly contractId: string } | { readonly identity: string }): Promise<{ locale: string | null; timeZone: string | null }> {
  const [row] = (await dataSource.query(
    'identity' in of
      ? `SELECT state->>'locale' AS locale, state->>'timeZone' AS time_zone FROM controllers WHERE identity = $1`
      : `SELECT r.state->>'locale' AS locale, r.state->>'timeZone' AS time_zone FROM contracts c JOIN controllers r ON r.identity = ${CONTROLLER_IDENTITY_SQL('c')} WHERE c.id = $1`,
    ['identity' in of ? of.identity : of.contractId],
  )) as { locale: string | null; time_zone: string | null }[];
  return { locale: row?.locale ?? null, timeZone: row?.time_zone ?? null };
}
