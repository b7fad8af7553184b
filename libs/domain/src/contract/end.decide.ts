import { FIELDS } from '../fields';
import { addDuration, isAfter, isBefore, type Instant } from '../calendar';
import { ruleError } from '../errors';
import type { CancelContract, ExpireContract, RevokeCredentials, TerminateContract } from './contract.commands';
import type { ContractEvent } from './contract.events';
import { allowed, guards } from './contract.guards';
import type { ActiveContract, OpenContract } from './contract.state';
import { requireInstant, requireText } from './contract.validation';

/** L5: the instant an active contract expires unless a renewal is accepted first. */
export const expiryDue = (s: ActiveContract): Instant => addDuration(s.termEnd, s.renewalGracePeriod);

/** L5: with no accepted renewal the contract ends at term end (plus the grace period, if any). */
export function expireContract(cmd: ExpireContract, state: OpenContract): ContractEvent[] {
  const actedAt = requireInstant(cmd.data.actedAt, 'actedAt');
  const s = allowed(guards.ExpireContract(state));
  const dueAt = expiryDue(s);
  if (isBefore(actedAt, dueAt)) {
    throw ruleError('expiry.too_early', `the contract runs until ${dueAt}: it cannot expire at ${actedAt}`, { expiresAt: dueAt });
  }
  return [{ type: 'ContractExpired', data: { dueAt, actedAt, termEnd: s.termEnd } }];
}

/** L6: early termination ends processing at once. */
export function terminateContract(cmd: TerminateContract, state: OpenContract): ContractEvent[] {
  const terminatedAt = requireInstant(cmd.data.terminatedAt, 'terminatedAt');
  const reason = requireText(cmd.data.reason, 'reason', FIELDS.reason);
  const s = allowed(guards.TerminateContract(state));
  if (isBefore(terminatedAt, s.processingStartedAt)) {
    throw ruleError('termination.before_processing', `termination at ${terminatedAt} precedes the start of processing at ${s.processingStartedAt}`);
  }
  const expiresAt = addDuration(s.termEnd, s.renewalGracePeriod);
  if (isAfter(terminatedAt, expiresAt)) {
    throw ruleError('termination.after_expiry', `the term ended at ${expiresAt} without an accepted renewal: the contract expires instead (L5)`, {
      expiresAt,
    });
  }
  return [{ type: 'ContractTerminated', data: { terminatedAt, reason } }];
}

/** L6: an ordered contract can be withdrawn before any credentials are handed over. */
export function cancelContract(cmd: CancelContract, state: OpenContract): ContractEvent[] {
  const cancelledAt = requireInstant(cmd.data.cancelledAt, 'cancelledAt');
  const reason = requireText(cmd.data.reason, 'reason', FIELDS.reason);
  const s = allowed(guards.CancelContract(state));
  if (isBefore(cancelledAt, s.orderedAt)) {
    throw ruleError('cancellation.before_order', `cancellation at ${cancelledAt} precedes the order at ${s.orderedAt}`);
  }
  return [{ type: 'ContractCancelled', data: { cancelledAt, reason } }];
}

/** L7, P3, P10: every handed-over credential is revoked at once by destroying its key. */
export function revokeCredentials(cmd: RevokeCredentials, state: OpenContract): ContractEvent[] {
  const revokedAt = requireInstant(cmd.data.revokedAt, 'revokedAt');
  const s = allowed(guards.RevokeCredentials(state));
  if (isBefore(revokedAt, s.endedAt)) {
    throw ruleError('credentials.revoked_before_end', `revocation at ${revokedAt} precedes the end of processing at ${s.endedAt}`);
  }
  const credentialIds = s.credentials.map((c) => c.credentialId);
  return [{ type: 'CredentialsRevoked', data: { revokedAt, credentialIds, method: 'crypto-shredding' } }];
}
