import { FIELDS } from '../fields';
import { MAX_BILLING_PERIOD } from './renewal.decide';
import {
  addDuration,
  DESTRUCTION_PERIOD,
  destructionDeadline,
  isBefore,
  maxLengthMs,
  minLengthMs,
  parseDuration,
  parseOptionalDuration,
  termEnd,
} from '../calendar';
import { narrowCatalog, type CatalogSelection } from '../catalog';
import { conflictError, ruleError } from '../errors';
import type { ControllerInput, HandOverCredentials, OrderContract } from './contract.commands';
import type { ContractEvent, ContractOrdered } from './contract.events';
import { allowed, guards, openContract } from './contract.guards';
import type { ContractState, OpenContract, OrderedOrLater } from './contract.state';
import { optionalEmail, optionalText, requireEmail, requireInstant, requireObject, requireText } from './contract.validation';

/** L1: ordering records the contract; processing does not begin. */
export function orderContract(cmd: OrderContract, state: ContractState): ContractEvent[] {
  const d = cmd.data;
  const contractId = requireText(d.contractId, 'contractId', 100);
  const reference = optionalText(d.reference, 'reference', FIELDS.reference)?.trim() ?? null;
  const c = requireObject(d.controller, 'controller');
  const controller = {
    customerId: optionalText(c['customerId'], 'controller.customerId', FIELDS.customerId)?.trim() ?? null,
    name: requireText(c['name'], 'controller.name', FIELDS.controllerName),
    email: requireEmail(c['email'], 'controller.email'),
    address: optionalText(c['address'], 'controller.address', FIELDS.controllerAddress),
    dpoEmail: optionalEmail(c['dpoEmail'], 'controller.dpoEmail'),
  };
  const billingPeriod = parseDuration(d.billingPeriod);
  const returnWindow = parseOptionalDuration(d.returnWindow);
  const renewalGracePeriod = parseOptionalDuration(d.renewalGracePeriod);
  const catalog = narrowCatalog(d.catalog);
  const orderedAt = requireInstant(d.orderedAt, 'orderedAt');
  // Bounds that keep every date the contract will compute (term ends, grace, deadline) computable.
  for (const [field, duration, limit] of [['billingPeriod', billingPeriod, MAX_BILLING_PERIOD], ['renewalGracePeriod', renewalGracePeriod, 'P1Y']] as const) {
    if (maxLengthMs(duration) > maxLengthMs(limit)) {
      throw ruleError('contract.duration_too_long', `${field} ${duration} is longer than ${limit}`, { field, limit });
    }
  }
  // L9: the return window must end before the P2M deadline whatever the end instant.
  if (maxLengthMs(returnWindow) >= minLengthMs(DESTRUCTION_PERIOD)) {
    throw ruleError(
      'contract.return_window_too_long',
      `the return window ${returnWindow} can last as long as the ${DESTRUCTION_PERIOD} destruction deadline: it must always be shorter`,
      { returnWindow, destructionPeriod: DESTRUCTION_PERIOD },
    );
  }
  const data = { contractId, reference, controller, billingPeriod, catalog, returnWindow, renewalGracePeriod, orderedAt };
  // The same order again (a retry, or the client's reference repeated with the same terms) is the
  // contract already there, whatever became of it; other terms under that reference are refused.
  if (state.status !== 'none') {
    // L12 outranks the repeat: a destroyed contract's reference answers with the refusal.
    allowed(openContract(state));
    const differs = differingTerms(state, data);
    if (differs.length === 0) return [];
    throw conflictError('contract.reference_conflict', `this order repeats an existing contract with other terms (${differs.join(', ')})`, { differs });
  }
  return [{ type: 'ContractOrdered', data }];
}

/** The normalised form references are compared in: trimmed and case-folded. */
export const normaliseReference = (reference: string): string => reference.trim().toLowerCase();

/** Who the controller is: the provider's customer id when given, else its normalised email. */
export function controllerIdentity(controller: Pick<ControllerInput, 'customerId' | 'email'>): string {
  const customerId = controller.customerId?.trim();
  return customerId ? `customer:${customerId}` : `email:${controller.email.trim().toLowerCase()}`;
}

/**
 * The key a client's reference names a contract by: one controller's reference, compared after
 * normalisation, is one contract; two controllers may use the same reference.
 */
export function orderKey(controller: Pick<ControllerInput, 'customerId' | 'email'>, reference: string): string {
  return `${controllerIdentity(controller)}\n${normaliseReference(reference)}`;
}

const sameController = (a: ControllerInput, b: ControllerInput) =>
  controllerIdentity(a) === controllerIdentity(b) &&
  a.name.trim() === b.name.trim() &&
  a.email.trim().toLowerCase() === b.email.trim().toLowerCase() &&
  (a.address?.trim() ?? null) === (b.address?.trim() ?? null) &&
  (a.dpoEmail?.trim().toLowerCase() ?? null) === (b.dpoEmail?.trim().toLowerCase() ?? null);

// Both lists come from narrowCatalog, in catalog order.
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** "The same terms": controller, billing period, catalog selection, return window and grace period. */
function differingTerms(s: OrderedOrLater, order: ContractOrdered['data']): string[] {
  const differs: string[] = [];
  if (!sameController(s.controller, order.controller)) differs.push('controller');
  if (s.billingPeriod !== order.billingPeriod) differs.push('billingPeriod');
  const catalogs = Object.keys(s.catalog) as (keyof CatalogSelection)[];
  if (catalogs.some((k) => !sameList(s.catalog[k], order.catalog[k]))) differs.push('catalog');
  if (s.returnWindow !== order.returnWindow) differs.push('returnWindow');
  if (s.renewalGracePeriod !== order.renewalGracePeriod) differs.push('renewalGracePeriod');
  if ((s.reference === null) !== (order.reference === null) || (s.reference !== null && normaliseReference(s.reference) !== normaliseReference(order.reference!))) {
    differs.push('reference');
  }
  return differs;
}

/** L2: the first hand-over starts processing and the first term; later ones only add credentials. */
export function handOverCredentials(cmd: HandOverCredentials, state: OpenContract): ContractEvent[] {
  const d = cmd.data;
  const credentialId = requireText(d.credentialId, 'credentialId', 100);
  const kind = requireText(d.kind, 'kind', FIELDS.credentialKind);
  const host = requireText(d.host, 'host', FIELDS.host);
  const handedOverAt = requireInstant(d.handedOverAt, 'handedOverAt');

  const known = state.credentials.find((c) => c.credentialId === credentialId);
  if (known !== undefined) {
    if (known.kind === kind && known.host === host) return [];
    throw conflictError('credentials.id_conflict', `credential ${credentialId} was already handed over with another kind or host`, { credentialId });
  }

  const s = allowed(guards.HandOverCredentials(state));
  if (isBefore(handedOverAt, s.orderedAt)) {
    throw ruleError('handover.before_order', `credentials handed over at ${handedOverAt}, before the order at ${s.orderedAt}`);
  }
  const firstTerm = s.status === 'ordered' ? { start: handedOverAt, end: termEnd(handedOverAt, s.billingPeriod, 1) } : null;
  // Every instant the first term leads to must be computable (calendar.out_of_range otherwise).
  if (firstTerm) destructionDeadline(addDuration(firstTerm.end, s.renewalGracePeriod));
  const handedOver: ContractEvent = { type: 'CredentialsHandedOver', data: { credentialId, kind, host, handedOverAt, firstTerm } };
  // P12: the DPO is communicated once processing starts, in the same append (the email follows).
  const dpo = d.dpo && !s.dpoCommunicated ? [{ type: 'DpoCommunicated' as const, data: { name: d.dpo.name, email: d.dpo.email, phone: d.dpo.phone, dpoVersion: d.dpo.dpoVersion, communicatedAt: handedOverAt } }] : [];
  return [handedOver, ...dpo];
}

