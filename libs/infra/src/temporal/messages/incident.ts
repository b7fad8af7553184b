import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { type BreachNoticeState, type ContractParties, type IncidentContent, type IncidentState, type IsoDuration } from '#domain';
import { type Actor, type Snapshot, workflowIdOf } from './common';

/**
 * Incidents and the breach notices they fan out to (DESIGN §3.1): the incident's workflow and its
 * commands, each notice's workflow, and the signals that relay the incident's news to its notices.
 */

/** DESIGN §3.1: one workflow per incident, processor-wide. */
export const incidentWorkflowId = (incidentId: string) => workflowIdOf('incident', incidentId);
export type IncidentSnapshot = Snapshot<IncidentState>;

export interface IncidentWorkflowInput {
  readonly incidentId: string;
  /** BREACH_NOTICE_TARGET: each notice is due this long after awareAt. */
  readonly noticeTarget: IsoDuration;
  readonly carried?: IncidentSnapshot;
  /** How many updates (and whether the closure) were passed on to the notices: carried through continue-as-new. */
  readonly relayed?: { readonly updates: number };
}

export interface RecordIncidentInput {
  readonly record: { readonly incidentId: string; readonly detectedAt: unknown; readonly scope: unknown; readonly content: Record<string, unknown>; readonly addedLocations?: readonly string[] };
  readonly actor: Actor;
}

export const recordIncidentUpdate = defineUpdate<IncidentSnapshot & { created: boolean }, [RecordIncidentInput]>('recordIncident');
export const confirmIncidentUpdate = defineUpdate<IncidentSnapshot, [{ readonly awareAt: unknown; readonly actor: Actor }]>('confirmIncident');
export const dismissIncidentUpdate = defineUpdate<IncidentSnapshot, [{ readonly reason: unknown; readonly actor: Actor }]>('dismissIncident');
export const updateIncidentUpdate = defineUpdate<IncidentSnapshot, [{ readonly changes: Record<string, unknown>; readonly actor: Actor }]>('updateIncident');
export const closeIncidentUpdate = defineUpdate<IncidentSnapshot, [{ readonly summary: unknown; readonly actor: Actor }]>('closeIncident');
export const incidentSnapshotQuery = defineQuery<IncidentSnapshot>('incidentSnapshot');

/** DESIGN §3.1: one workflow per breach notice (one per affected contract). */
export const breachNoticeWorkflowId = (noticeId: string) => workflowIdOf('breach-notice', noticeId);
export type BreachNoticeSnapshot = Snapshot<BreachNoticeState>;

/** Who a notice's emails go to, and how they name the contract. */
/** Whom a breach notice goes to: the contract's parties, and the breach contact its controller's record names (DESIGN §3.10), if any. */
export type BreachNoticeParties = ContractParties & { readonly breachContact?: string | null };

export interface BreachNoticeWorkflowInput {
  readonly noticeId: string;
  readonly parties: BreachNoticeParties;
  /** What the notice opens with: the incident as confirmed. */
  readonly open: { readonly incidentId: string; readonly contractId: string; readonly awareAt: string; readonly target: IsoDuration; readonly content: IncidentContent; readonly openedAt: string };
  readonly carried?: BreachNoticeSnapshot;
}

/** The incident's updates and closure, relayed to each of its notices. */
export const incidentUpdatedSignal = defineSignal<[{ readonly number: number; readonly changes: Partial<IncidentContent>; readonly updatedAt: string }]>('incidentUpdated');
export const incidentClosedSignal = defineSignal<[{ readonly closedAt: string }]>('incidentClosed');
export const acknowledgeBreachNoticeUpdate = defineUpdate<BreachNoticeSnapshot, [{ readonly acknowledgedAt: unknown; readonly actor: Actor }]>('acknowledgeBreachNotice');
export const breachNoticeSnapshotQuery = defineQuery<BreachNoticeSnapshot>('breachNoticeSnapshot');
