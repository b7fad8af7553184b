import type { Instant } from '../calendar';

/**
 * What is known of a breach (GDPR 33(3), clauses 2021/915 cl. 9.2): the nature with categories
 * and approximate numbers, likely consequences, measures. Everything but the summary may still
 * be unknown: a notice lists it as "to follow" (33(4)). Categories are catalog ids (§4); nothing
 * here names a data subject.
 */
export interface IncidentContent {
  readonly summary: string;
  readonly nature: string | null;
  readonly dataCategories: readonly string[] | null;
  readonly subjectCategories: readonly string[] | null;
  readonly approxSubjects: number | null;
  readonly approxRecords: number | null;
  readonly likelyConsequences: string | null;
  readonly measures: string | null;
}

export const CONTENT_FIELDS = ['nature', 'dataCategories', 'subjectCategories', 'approxSubjects', 'approxRecords', 'likelyConsequences', 'measures'] as const;
export type ContentField = (typeof CONTENT_FIELDS)[number];

/** DESIGN §3.1: storage locations over a time window, or an explicit list of contracts. */
export type IncidentScope =
  | { readonly locations: readonly string[]; readonly from: Instant; readonly to: Instant }
  | { readonly contracts: readonly string[] };

export const isLocationScope = (scope: IncidentScope): scope is Extract<IncidentScope, { locations: readonly string[] }> => 'locations' in scope;

/** An instant given by a person may run this far ahead of the engine's clock (clock skew). */
export const INCIDENT_CLOCK_SKEW = 'PT5M';

/** At most this many contracts in an explicit scope (beyond it, scope by location). */
export const MAX_SCOPE_CONTRACTS = 1_000;

export interface IncidentUpdate {
  readonly number: number;
  /** Only the fields this update made known or changed. */
  readonly changes: Partial<IncidentContent>;
  readonly updatedAt: Instant;
}

export interface IncidentResolution {
  readonly count: number;
  /** sha256 of the affected contract ids, sorted, one a line: binds the notices to this resolution. */
  readonly digest: string;
  readonly resolvedAt: Instant;
}

export interface NoticesOpened {
  readonly count: number;
  readonly openedAt: Instant;
  /** The updates already in the content the notices opened with (those are not sent again as supplements). */
  readonly includesUpdates: number;
}

export type IncidentCommand =
  | {
      readonly type: 'RecordIncident';
      readonly data: {
        readonly incidentId: string;
        readonly detectedAt: unknown;
        readonly scope: unknown;
        readonly content: Record<string, unknown>;
        readonly recordedAt: Instant;
        /** Locations sub-processor changes added (DESIGN §3.8), which a scope may name besides the catalog's. */
        readonly addedLocations?: readonly string[];
      };
    }
  | { readonly type: 'ConfirmIncident'; readonly data: { readonly awareAt: unknown; readonly confirmedAt: Instant } }
  | { readonly type: 'DismissIncident'; readonly data: { readonly reason: unknown; readonly dismissedAt: Instant } }
  | { readonly type: 'UpdateIncident'; readonly data: { readonly changes: Record<string, unknown>; readonly updatedAt: Instant } }
  | { readonly type: 'RecordAffectedContracts'; readonly data: IncidentResolution }
  | { readonly type: 'RecordNoticesOpened'; readonly data: NoticesOpened }
  | { readonly type: 'CloseIncident'; readonly data: { readonly summary: unknown; readonly closedAt: Instant } }
  | { readonly type: 'RecordNoticesClosed'; readonly data: { readonly count: number; readonly closedAt: Instant } };

export type IncidentEvent =
  | {
      readonly type: 'IncidentRecorded';
      readonly data: { readonly incidentId: string; readonly detectedAt: Instant; readonly scope: IncidentScope; readonly content: IncidentContent; readonly recordedAt: Instant };
    }
  | { readonly type: 'IncidentConfirmed'; readonly data: { readonly awareAt: Instant; readonly confirmedAt: Instant } }
  | { readonly type: 'IncidentDismissed'; readonly data: { readonly reason: string; readonly dismissedAt: Instant } }
  | { readonly type: 'IncidentUpdated'; readonly data: IncidentUpdate }
  | { readonly type: 'AffectedContractsResolved'; readonly data: IncidentResolution }
  | { readonly type: 'BreachNoticesOpened'; readonly data: NoticesOpened }
  | { readonly type: 'IncidentClosed'; readonly data: { readonly summary: string; readonly closedAt: Instant } }
  | { readonly type: 'BreachNoticesClosed'; readonly data: { readonly count: number; readonly closedAt: Instant } };

export type IncidentStatus = 'investigating' | 'confirmed' | 'dismissed' | 'closed';

export type IncidentState =
  | { readonly status: 'none' }
  | {
      readonly status: IncidentStatus;
      readonly incidentId: string;
      readonly detectedAt: Instant;
      readonly recordedAt: Instant;
      readonly scope: IncidentScope;
      /** As it stands: the recorded content with every update applied. */
      readonly content: IncidentContent;
      /** As recorded, before any update. */
      readonly recordedContent: IncidentContent;
      readonly awareAt: Instant | null;
      readonly confirmedAt: Instant | null;
      readonly dismissal: { readonly reason: string; readonly dismissedAt: Instant } | null;
      readonly updates: readonly IncidentUpdate[];
      readonly resolution: IncidentResolution | null;
      readonly noticesOpened: NoticesOpened | null;
      readonly closure: { readonly summary: string; readonly closedAt: Instant } | null;
      readonly noticesClosed: { readonly count: number; readonly closedAt: Instant } | null;
    };

export type RecordedIncident = Exclude<IncidentState, { status: 'none' }>;
