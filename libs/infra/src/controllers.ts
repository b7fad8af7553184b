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
