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
