import { FIELDS } from '../fields';
import { addDuration, compareInstants, destructionDeadline, isAfter, isBefore, maxLengthMs, type Instant } from '../calendar';
import { conflictError, ruleError, validationError } from '../errors';
import type { AcceptRenewal, NoticeNonRenewal, RejectRenewal, WithdrawRenewal } from './contract.commands';
import type { ContractEvent } from './contract.events';
import { allowed, guards } from './contract.guards';
import type { OpenContract } from './contract.state';
import { optionalText, requireInstant, requireObject, requireText } from './contract.validation';

function invoiceOutcome(state: OpenContract, invoiceId: string): 'accepted' | 'rejected' | 'withdrawn' | null {
  if (state.renewals.some((x) => x.invoiceId === invoiceId)) return 'accepted';
  if (state.rejectedRenewals.some((x) => x.invoiceId === invoiceId)) return 'rejected';
  if (state.withdrawnRenewals.some((x) => x.invoiceId === invoiceId)) return 'withdrawn';
  return null;
}

/** L2: the longest term a contract may have; a covered period is bounded the same. */
export const MAX_BILLING_PERIOD = 'P10Y';
/** How far `acceptedAt` may lie after the instant the engine received the acceptance. */
export const ACCEPTANCE_CLOCK_SKEW = 'PT5M';

/** L3, L4: an accepted invoice extends the term to the end of its covered period, once. */
export function acceptRenewal(cmd: AcceptRenewal, state: OpenContract): ContractEvent[] {
  const d = cmd.data;
  const invoiceId = requireText(d.invoiceId, 'invoiceId', FIELDS.invoiceId);
  const period = requireObject(d.coveredPeriod, 'coveredPeriod');
  const start = requireInstant(period['start'], 'coveredPeriod.start');
  const end = requireInstant(period['end'], 'coveredPeriod.end');
  const acceptedAt = requireInstant(d.acceptedAt, 'acceptedAt');
  const receivedAt = requireInstant(d.receivedAt, 'receivedAt');
  if (!isBefore(start, end)) {
    throw validationError('renewal.invalid_period', `the covered period ${start}…${end} must start before it ends`);
  }
  // A covered period is bounded like a billing period (L2): no renewal pushes the data's end past it.
  if (Date.parse(end) - Date.parse(start) > maxLengthMs(MAX_BILLING_PERIOD)) {
    throw ruleError('renewal.period_too_long', `the covered period ${start}…${end} is longer than ${MAX_BILLING_PERIOD}, the longest term`, { maxPeriod: MAX_BILLING_PERIOD });
  }
  // Billing and the engine may disagree on the time by a few minutes, not more.
  if (isAfter(acceptedAt, addDuration(receivedAt, ACCEPTANCE_CLOCK_SKEW))) {
    throw ruleError('renewal.accepted_in_future', `accepted at ${acceptedAt}, more than ${ACCEPTANCE_CLOCK_SKEW} after the engine received it (${receivedAt})`, {
      receivedAt,
      maxSkew: ACCEPTANCE_CLOCK_SKEW,
    });
  }

  const previous = state.renewals.find((x) => x.invoiceId === invoiceId);
  if (previous !== undefined) {
    const same = compareInstants(previous.coveredPeriod.start, start) === 0 && compareInstants(previous.coveredPeriod.end, end) === 0;
    if (same) return [];
    throw conflictError('renewal.invoice_conflict', `invoice ${invoiceId} was already accepted for another covered period`, {
      invoiceId,
      acceptedPeriod: previous.coveredPeriod,
    });
  }
  const outcome = invoiceOutcome(state, invoiceId);
  if (outcome !== null) {
    throw conflictError('renewal.invoice_closed', `invoice ${invoiceId} was ${outcome}: it cannot be accepted`, { invoiceId, outcome });
  }

  const s = allowed(guards.AcceptRenewal(state));
  if (isBefore(acceptedAt, s.orderedAt)) {
    throw ruleError('renewal.accepted_before_order', `accepted at ${acceptedAt}, before the contract was ordered (${s.orderedAt})`, { orderedAt: s.orderedAt });
  }
  if (isAfter(start, s.termEnd)) {
    throw ruleError('renewal.gap', `renewal covers ${start}…${end} but the term ends ${s.termEnd}: a gap is not allowed`, { termEnd: s.termEnd });
  }
  if (!isAfter(end, s.termEnd)) {
    throw ruleError('renewal.not_extending', `renewal covers ${start}…${end} but the term already runs to ${s.termEnd}: it must end later`, {
      termEnd: s.termEnd,
    });
  }
  const lastAcceptance = addDuration(s.termEnd, s.renewalGracePeriod);
  if (isAfter(acceptedAt, lastAcceptance)) {
    throw ruleError('renewal.after_term_end', `accepted at ${acceptedAt}, after the term ended at ${lastAcceptance}: the contract expires instead (L5)`, {
      termEnd: s.termEnd,
      lastAcceptance,
    });
  }
  // Every instant the new term leads to must be computable (calendar.out_of_range otherwise).
  destructionDeadline(addDuration(end, s.renewalGracePeriod));
  return [{ type: 'RenewalAccepted', data: { invoiceId, coveredPeriod: { start, end }, acceptedAt, previousTermEnd: s.termEnd } }];
}

function closeInvoice(
  outcome: 'rejected' | 'withdrawn',
  invoiceIdInput: string,
  atInput: Instant,
  reasonInput: string | null,
  state: OpenContract,
): { invoiceId: string; at: Instant; reason: string | null } | null {
  const invoiceId = requireText(invoiceIdInput, 'invoiceId', FIELDS.invoiceId);
  const at = requireInstant(atInput, outcome === 'rejected' ? 'rejectedAt' : 'withdrawnAt');
  const reason = optionalText(reasonInput, 'reason', FIELDS.reason);
  const previous = invoiceOutcome(state, invoiceId);
  if (previous === outcome) return null;
  if (previous !== null) {
    throw conflictError('renewal.invoice_conflict', `invoice ${invoiceId} was already ${previous}: it cannot be ${outcome}`, { invoiceId, outcome: previous });
  }
  return { invoiceId, at, reason };
}

/** Recorded for the audit trail only: a rejected invoice never changes the term (L3). */
export function rejectRenewal(cmd: RejectRenewal, state: OpenContract): ContractEvent[] {
  const closed = closeInvoice('rejected', cmd.data.invoiceId, cmd.data.rejectedAt, cmd.data.reason, state);
  if (closed === null) return [];
  allowed(guards.RejectRenewal(state));
  return [{ type: 'RenewalRejected', data: { invoiceId: closed.invoiceId, rejectedAt: closed.at, reason: closed.reason } }];
}

export function withdrawRenewal(cmd: WithdrawRenewal, state: OpenContract): ContractEvent[] {
  const closed = closeInvoice('withdrawn', cmd.data.invoiceId, cmd.data.withdrawnAt, cmd.data.reason, state);
  if (closed === null) return [];
  allowed(guards.WithdrawRenewal(state));
  return [{ type: 'RenewalWithdrawn', data: { invoiceId: closed.invoiceId, withdrawnAt: closed.at, reason: closed.reason } }];
}

/** L5: a non-renewal notice records intent only; expiry still waits for term end. */
export function noticeNonRenewal(cmd: NoticeNonRenewal, state: OpenContract): ContractEvent[] {
  const noticedAt = requireInstant(cmd.data.noticedAt, 'noticedAt');
  const reason = optionalText(cmd.data.reason, 'reason', FIELDS.reason);
  if (state.nonRenewalNoticedAt !== null) return [];
  const s = allowed(guards.NoticeNonRenewal(state));
  return [{ type: 'NonRenewalNoticed', data: { noticedAt, reason, termEnd: s.termEnd } }];
}
