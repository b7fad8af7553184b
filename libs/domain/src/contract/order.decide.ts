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
import { narrowCatalog } from '../catalog';
import { conflictError, ruleError } from '../errors';
import type { HandOverCredentials, OrderContract } from './contract.commands';
import type { ContractEvent } from './contract.events';
import { allowed, guards } from './contract.guards';
import type { ContractState, OpenContract } from './contract.state';
import { optionalEmail, optionalText, requireEmail, requireInstant, requireObject, requireText } from './contract.validation';

/** L1: ordering records the contract; processing does not begin. */
export function orderContract(cmd: OrderContract, state: ContractState): ContractEvent[] {
  const d = cmd.data;
  const contractId = requireText(d.contractId, 'contractId', 100);
  const reference = optionalText(d.reference, 'reference', 100);
  const c = requireObject(d.controller, 'controller');
  const controller = {
    name: requireText(c['name'], 'controller.name'),
    email: requireEmail(c['email'], 'controller.email'),
    address: optionalText(c['address'], 'controller.address'),
    dpoEmail: optionalEmail(c['dpoEmail'], 'controller.dpoEmail'),
  };
  const billingPeriod = parseDuration(d.billingPeriod);
  const returnWindow = parseOptionalDuration(d.returnWindow);
  const renewalGracePeriod = parseOptionalDuration(d.renewalGracePeriod);
  const catalog = narrowCatalog(d.catalog);
  const orderedAt = requireInstant(d.orderedAt, 'orderedAt');
  // Bounds that keep every date the contract will compute (term ends, grace, deadline) computable.
  for (const [field, duration, limit] of [['billingPeriod', billingPeriod, 'P10Y'], ['renewalGracePeriod', renewalGracePeriod, 'P1Y']] as const) {
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
  allowed(guards.OrderContract(state));
  return [
    {
      type: 'ContractOrdered',
      data: {
        contractId,
        reference,
        controller,
        billingPeriod,
        catalog,
        returnWindow,
        renewalGracePeriod,
        orderedAt,
      },
    },
  ];
}

/** L2: the first hand-over starts processing and the first term; later ones only add credentials. */
export function handOverCredentials(cmd: HandOverCredentials, state: OpenContract): ContractEvent[] {
  const d = cmd.data;
  const credentialId = requireText(d.credentialId, 'credentialId', 100);
  const kind = requireText(d.kind, 'kind', 50);
  const host = requireText(d.host, 'host', 255);
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
  return [{ type: 'CredentialsHandedOver', data: { credentialId, kind, host, handedOverAt, firstTerm } }];
}
