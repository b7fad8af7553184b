import { DomainError, type DomainErrorKind } from '../errors';
import type { ContractCommandType } from './contract.commands';
import {
  pendingLocationIds,
  unservedExports,
  type ActiveContract,
  type ContractState,
  type EndedContract,
  type OrderedContract,
  type OpenContract,
  type PlannedDestruction,
  type UnorderedContract,
} from './contract.state';

/** Why a command cannot apply to a state, judged from the state alone. */
export interface Refusal {
  readonly refused: true;
  readonly kind: Exclude<DomainErrorKind, 'validation'>;
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

type Guarded<T> = T | Refusal;
type WithPlan = EndedContract & { readonly destruction: PlannedDestruction };

const refuse = (kind: Refusal['kind'], code: string, message: string, details?: Record<string, unknown>): Refusal => ({
  refused: true,
  kind,
  code,
  message,
  ...(details === undefined ? {} : { details }),
});

export function isRefusal<T extends object>(r: Guarded<T>): r is Refusal {
  return 'refused' in r;
}

export function allowed<T extends object>(r: Guarded<T>): T {
  if (isRefusal(r)) {
    const { kind, code, message, details } = r;
    throw new DomainError({ kind, code, message, details });
  }
  return r;
}

/** The contract exists and can still change. */
export function openContract(s: ContractState): Guarded<OpenContract> {
  if (s.status === 'none') return refuse('not_found', 'contract.not_ordered', 'no contract has been ordered yet');
  // L12: after destruction the contract only answers reads.
  if (s.status === 'destroyed') {
    return refuse('conflict', 'contract.destroyed', `the contract's data was destroyed at ${s.destruction.completedAt}: it can no longer change`);
  }
  return s;
}

const notStarted = (s: OrderedContract, what: string) =>
  refuse('conflict', 'contract.wrong_state', `processing has not started (the contract is ordered): ${what}`, { status: s.status });

const ended = (s: EndedContract, what: string) =>
  refuse('conflict', 'contract.ended', `processing ended at ${s.endedAt} (${s.status}): ${what}`, { status: s.status, endedAt: s.endedAt });

const stillRunning = (s: OrderedContract | ActiveContract, what: string) =>
  refuse('conflict', 'contract.not_ended', `the contract is still ${s.status}: ${what}`, { status: s.status });

function active(s: ContractState, ifOrdered: string, ifEnded: string): Guarded<ActiveContract> {
  const c = openContract(s);
  if (isRefusal(c) || c.status === 'active') return c;
  return c.status === 'ordered' ? notStarted(c, ifOrdered) : ended(c, ifEnded);
}

function endedContract(s: ContractState, what: string): Guarded<EndedContract> {
  const c = openContract(s);
  if (isRefusal(c)) return c;
  return c.status === 'ordered' || c.status === 'active' ? stillRunning(c, what) : c;
}

function withPlan(s: ContractState, what: string): Guarded<WithPlan> {
  const c = endedContract(s, what);
  if (isRefusal(c)) return c;
  const d = c.destruction;
  if (d.status === 'none') {
    return refuse('conflict', 'destruction.not_scheduled', `destruction has not been scheduled yet: ${what}`);
  }
  return { ...c, destruction: d };
}

function beforeStart(s: ContractState, what: string): Guarded<WithPlan> {
  const c = withPlan(s, what);
  if (isRefusal(c) || c.destruction.status === 'scheduled') return c;
  return refuse('conflict', 'destruction.already_started', `destruction started at ${c.destruction.startedAt}: ${what}`);
}

function underway(s: ContractState, what: string): Guarded<WithPlan> {
  const c = withPlan(s, what);
  if (isRefusal(c) || c.destruction.status === 'in_progress') return c;
  return refuse('conflict', 'destruction.not_started', `destruction has not started yet: ${what}`);
}

export const guards = {
  OrderContract: (s: ContractState): Guarded<UnorderedContract> => {
    if (s.status === 'none') return s;
    const c = openContract(s);
    if (isRefusal(c)) return c;
    return refuse('conflict', 'contract.already_ordered', `the contract was already ordered at ${c.orderedAt}`);
  },

  HandOverCredentials: (s: ContractState): Guarded<OrderedContract | ActiveContract> => {
    const c = openContract(s);
    if (isRefusal(c) || c.status === 'ordered' || c.status === 'active') return c;
    return ended(c, 'no credentials can be handed over after the end of processing (L7)');
  },

  AcceptRenewal: (s: ContractState): Guarded<ActiveContract> => {
    const c = openContract(s);
    if (isRefusal(c) || c.status === 'active') return c;
    if (c.status === 'ordered') return notStarted(c, 'there is no term to renew yet');
    return refuse('conflict', 'renewal.late_acceptance', `processing ended at ${c.endedAt} (${c.status}): the renewal was accepted too late to extend it`, {
      status: c.status,
      endedAt: c.endedAt,
    });
  },

  RejectRenewal: (s: ContractState): Guarded<ActiveContract | EndedContract> => {
    const c = openContract(s);
    return !isRefusal(c) && c.status === 'ordered' ? notStarted(c, 'there is no renewal invoice to reject') : c;
  },

  WithdrawRenewal: (s: ContractState): Guarded<ActiveContract | EndedContract> => {
    const c = openContract(s);
    return !isRefusal(c) && c.status === 'ordered' ? notStarted(c, 'there is no renewal invoice to withdraw') : c;
  },

  NoticeNonRenewal: (s: ContractState) =>
    active(s, 'there is no term to leave unrenewed', 'a non-renewal notice no longer means anything'),

  ExpireContract: (s: ContractState) => active(s, 'an ordered contract is cancelled, it does not expire (L6)', 'it cannot expire again'),

  TerminateContract: (s: ContractState) => active(s, 'cancel the order instead (L6)', 'there is nothing left to terminate'),

  CancelContract: (s: ContractState): Guarded<OrderedContract> => {
    const c = openContract(s);
    if (isRefusal(c) || c.status === 'ordered') return c;
    if (c.status === 'active') {
      return refuse('conflict', 'contract.wrong_state', `processing started at ${c.processingStartedAt}: terminate the contract instead (L6)`, { status: c.status });
    }
    return ended(c, 'there is nothing left to cancel');
  },

  RevokeCredentials: (s: ContractState): Guarded<EndedContract> => {
    const c = endedContract(s, 'credentials are revoked at the end of processing (L7)');
    if (isRefusal(c) || c.credentialsRevokedAt === null) return c;
    return refuse('conflict', 'credentials.already_revoked', `the credentials were already revoked at ${c.credentialsRevokedAt}`);
  },

  ScheduleDestruction: (s: ContractState): Guarded<EndedContract> => {
    const c = endedContract(s, 'destruction is scheduled at the end of processing (L8)');
    if (isRefusal(c)) return c;
    if (c.destruction.status !== 'none') {
      return refuse('conflict', 'destruction.already_scheduled', `destruction was already scheduled at ${c.destruction.scheduledAt}`);
    }
    return c;
  },

  RequestDataExport: (s: ContractState): Guarded<WithPlan> => {
    const c = withPlan(s, 'the data can be asked back only once its destruction is planned (L9)');
    if (isRefusal(c) || c.destruction.status === 'scheduled') return c;
    return refuse('rule', 'export.outside_return_window', `destruction started at ${c.destruction.startedAt}: the return window is over (L9)`, {
      returnWindowEndsAt: c.destruction.returnWindowEndsAt,
    });
  },

  ServeDataExport: (s: ContractState) => beforeStart(s, 'exports are served before destruction starts (L9)'),

  StartDestruction: (s: ContractState): Guarded<WithPlan> => {
    const c = beforeStart(s, 'it cannot start twice');
    if (isRefusal(c)) return c;
    if (c.credentialsRevokedAt === null) {
      return refuse('conflict', 'credentials.not_revoked', 'the credentials must be revoked before destruction starts (L7)');
    }
    const pending = unservedExports(c.destruction).map((r) => r.requestId);
    if (pending.length > 0) {
      return refuse('rule', 'destruction.export_pending', `${pending.length} data export request(s) must be served before destruction starts (L9)`, {
        pendingRequests: pending,
      });
    }
    return c;
  },

  RecordLocationDestroyed: (s: ContractState) => underway(s, 'no location can be destroyed before destruction starts'),

  RecordLocationDestructionFailed: (s: ContractState) => underway(s, 'no location can fail before destruction starts'),

  CompleteDestruction: (s: ContractState): Guarded<WithPlan> => {
    const c = underway(s, 'there is nothing to complete');
    if (isRefusal(c)) return c;
    const pending = pendingLocationIds(c.destruction);
    if (pending.length > 0) {
      return refuse('rule', 'destruction.locations_pending', `${pending.length} storage location(s) are not destroyed yet (L10): ${pending.join(', ')}`, {
        pendingLocations: pending,
      });
    }
    return c;
  },

  EscalateDestruction: (s: ContractState) => withPlan(s, 'only a planned destruction can be escalated (L11)'),

  MarkDeadlineMissed: (s: ContractState) => withPlan(s, 'only a planned destruction has a deadline (L11)'),

  // DESIGN §3.8: a contract takes a sub-processor change while it is processing; once processing
  // ended its data stays where it is until destroyed there.
  ChangeStorageLocations: (s: ContractState): Guarded<OrderedContract | ActiveContract> => {
    const c = openContract(s);
    if (isRefusal(c) || c.status === 'ordered' || c.status === 'active') return c;
    return ended(c, 'its data stays where it is until it is destroyed there');
  },
} satisfies Record<ContractCommandType, (s: ContractState) => Guarded<object>>;
