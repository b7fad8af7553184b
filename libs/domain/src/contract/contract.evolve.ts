import type { ContractEvent } from './contract.events';
import { storageLocation } from '../catalog';
import { assertNever } from '../errors';
import {
  EXPIRY_AFTER_NOTICE_REASON,
  EXPIRY_REASON,
  NO_DESTRUCTION,
  hasDestructionPlan,
  initialState,
  isDestroyedLocation,
  isEnded,
  type ActiveContract,
  type ContractState,
  type EndedContract,
  type LocationDestruction,
  type PlannedDestruction,
} from './contract.state';

const isCatalogLocation = (id: string) => storageLocation(id) !== null;

const afterStart = (s: ContractState): ActiveContract | EndedContract | null => (s.status === 'active' || isEnded(s) ? s : null);

function onPlan(s: ContractState, change: (d: PlannedDestruction) => PlannedDestruction): ContractState {
  return hasDestructionPlan(s) ? { ...s, destruction: change(s.destruction) } : s;
}

function onLocation(
  d: PlannedDestruction,
  locationId: string,
  change: (l: LocationDestruction) => LocationDestruction,
): PlannedDestruction {
  return { ...d, locations: d.locations.map((l) => (l.id === locationId ? change(l) : l)) };
}

/**
 * Applies one event. Pure and total: an event that does not fit the state (never produced by
 * `decide` for it) leaves the state unchanged rather than throwing during replay.
 */
export function evolve(state: ContractState, event: ContractEvent): ContractState {
  switch (event.type) {
    case 'ContractOrdered': {
      if (state.status !== 'none') return state;
      const d = event.data;
      return {
        status: 'ordered',
        contractId: d.contractId,
        reference: d.reference,
        controller: d.controller,
        billingPeriod: d.billingPeriod,
        catalog: d.catalog,
        returnWindow: d.returnWindow,
        renewalGracePeriod: d.renewalGracePeriod,
        orderedAt: d.orderedAt,
        processingStartedAt: null,
        termStart: null,
        termEnd: null,
        renewals: [],
        rejectedRenewals: [],
        withdrawnRenewals: [],
        nonRenewalNoticedAt: null,
        nonRenewalReason: null,
        expiryRecordedAt: null,
        endedAt: null,
        endKind: null,
        endReason: null,
        credentials: [],
        credentialsRevokedAt: null,
        destruction: NO_DESTRUCTION,
      };
    }
    case 'CredentialsHandedOver': {
      const { credentialId, kind, host, handedOverAt, firstTerm } = event.data;
      const credential = { credentialId, kind, host, handedOverAt, revokedAt: null };
      if (state.status === 'ordered' && firstTerm !== null) {
        return {
          ...state,
          status: 'active',
          processingStartedAt: firstTerm.start,
          termStart: firstTerm.start,
          termEnd: firstTerm.end,
          credentials: [...state.credentials, credential],
        };
      }
      return state.status === 'active' ? { ...state, credentials: [...state.credentials, credential] } : state;
    }
    case 'RenewalAccepted': {
      if (state.status !== 'active') return state;
      const { invoiceId, coveredPeriod, acceptedAt, previousTermEnd } = event.data;
      return {
        ...state,
        // The new term starts where the last one ends: an early acceptance (a covered period that
        // starts before the term end) never moves a term's start back into the running term.
        termStart: previousTermEnd,
        termEnd: coveredPeriod.end,
        renewals: [...state.renewals, { invoiceId, coveredPeriod, acceptedAt }],
      };
    }
    case 'RenewalRejected': {
      const s = afterStart(state);
      return s === null ? state : { ...s, rejectedRenewals: [...s.rejectedRenewals, event.data] };
    }
    case 'RenewalWithdrawn': {
      const s = afterStart(state);
      return s === null ? state : { ...s, withdrawnRenewals: [...s.withdrawnRenewals, event.data] };
    }
    case 'NonRenewalNoticed':
      return state.status === 'active'
        ? { ...state, nonRenewalNoticedAt: event.data.noticedAt, nonRenewalReason: event.data.reason }
        : state;
    case 'ContractExpired':
      if (state.status !== 'active') return state;
      return {
        ...state,
        status: 'expired',
        endedAt: event.data.dueAt,
        expiryRecordedAt: event.data.actedAt,
        endKind: 'expired',
        endReason: state.nonRenewalNoticedAt === null ? EXPIRY_REASON : EXPIRY_AFTER_NOTICE_REASON,
      };
    case 'ContractTerminated':
      if (state.status !== 'active') return state;
      return { ...state, status: 'terminated', endedAt: event.data.terminatedAt, endKind: 'terminated', endReason: event.data.reason };
    case 'ContractCancelled':
      if (state.status !== 'ordered') return state;
      return { ...state, status: 'cancelled', endedAt: event.data.cancelledAt, endKind: 'cancelled', endReason: event.data.reason };
    case 'CredentialsRevoked': {
      if (!isEnded(state)) return state;
      const { revokedAt, credentialIds } = event.data;
      return {
        ...state,
        credentialsRevokedAt: revokedAt,
        credentials: state.credentials.map((c) => (credentialIds.includes(c.credentialId) ? { ...c, revokedAt } : c)),
      };
    }
    case 'DestructionScheduled': {
      if (!isEnded(state) || state.destruction.status !== 'none') return state;
      const d = event.data;
      return {
        ...state,
        destruction: {
          status: 'scheduled',
          scheduledAt: d.scheduledAt,
          deadline: d.deadline,
          returnWindowEndsAt: d.returnWindowEndsAt,
          escalationMargin: d.escalationMargin,
          escalationAt: d.escalationAt,
          escalatedAt: null,
          deadlineMissedAt: null,
          startedAt: null,
          startDueAt: null,
          completedAt: null,
          locations: d.locations.map(({ id, name }) => ({
            id,
            name,
            status: 'pending',
            destroyedAt: null,
            evidence: null,
            failures: 0,
            lastFailure: null,
          })),
          exportRequests: [],
          certificate: null,
        },
      };
    }
    case 'DataExportRequested':
      return onPlan(state, (d) => ({
        ...d,
        exportRequests: [...d.exportRequests, { ...event.data, servedAt: null, locations: null }],
      }));
    case 'DataExportServed': {
      const { requestId, servedAt, locations } = event.data;
      return onPlan(state, (d) => ({
        ...d,
        exportRequests: d.exportRequests.map((r) => (r.requestId === requestId ? { ...r, servedAt, locations } : r)),
      }));
    }
    case 'DestructionStarted':
      return onPlan(state, (d) => ({
        ...d,
        status: 'in_progress',
        startedAt: event.data.actedAt,
        startDueAt: event.data.dueAt,
        locations: d.locations.map((l) => (l.status === 'pending' ? { ...l, status: 'in_progress' } : l)),
      }));
    case 'LocationDestructionFailed': {
      const { locationId, failedAt, attempt, reason } = event.data;
      return onPlan(state, (d) =>
        onLocation(d, locationId, (l) =>
          isDestroyedLocation(l)
            ? l
            : { ...l, status: 'failed', failures: l.failures + 1, lastFailure: { at: failedAt, attempt, reason } },
        ),
      );
    }
    case 'LocationDestroyed': {
      const { locationId, destroyedAt, evidence } = event.data;
      return onPlan(state, (d) => onLocation(d, locationId, (l) => ({ ...l, status: 'destroyed', destroyedAt, evidence })));
    }
    case 'DestructionEscalated':
      return onPlan(state, (d) => ({ ...d, escalatedAt: event.data.actedAt }));
    case 'DestructionDeadlineMissed':
      return onPlan(state, (d) => ({ ...d, deadlineMissedAt: event.data.actedAt }));
    case 'DestructionCompleted': {
      if (!hasDestructionPlan(state)) return state;
      const { completedAt, certificate } = event.data;
      return {
        ...state,
        status: 'destroyed',
        destruction: { ...state.destruction, status: 'completed', completedAt, certificate },
      };
    }
    case 'DpoCommunicated':
      return state.status === 'none' ? state : { ...state, dpoCommunicated: event.data };
    case 'StorageLocationsChanged': {
      if (state.status === 'none') return state;
      const { changeId, added, removed, storageLocations } = event.data;
      const addedLocations = state.addedLocations ?? [];
      const former = (state.formerLocations ?? []).filter((id) => !storageLocations.includes(id));
      return {
        ...state,
        catalog: { ...state.catalog, storageLocations },
        addedLocations: added && !isCatalogLocation(added.id) && !addedLocations.some((l) => l.id === added.id) ? [...addedLocations, added] : addedLocations,
        formerLocations: removed && !former.includes(removed) && !storageLocations.includes(removed) ? [...former, removed] : former,
        locationChanges: [...(state.locationChanges ?? []), changeId],
      };
    }
    default:
      return assertNever(event);
  }
}

export function fold(events: readonly ContractEvent[], state: ContractState = initialState()): ContractState {
  return events.reduce(evolve, state);
}
