import type { Instant } from '../calendar';
import type { StreamType } from './decider';

/** Whose file it is: a contract's, a controller's, or the processor's own (DESIGN §3). */
export type FileParent = 'contract' | 'controller' | 'processor';

/** One open clock of a file, as its type's rule names it (DESIGN §3.9, the inbox). */
export interface Clock {
  readonly kind: string;
  readonly at: Instant;
}

/** A file type's clocks: every kind it may hold, the events that may move one, and the rule. */
export interface ClockRule<S> {
  readonly kinds: readonly string[];
  /** The event types that may open, move or close a clock; an append of none leaves them alone. */
  readonly handles: ReadonlySet<string>;
  /** The clocks open in a state, each of a kind listed in `kinds`. */
  of(state: S): readonly Clock[];
}

/** A column of a file's read-model row besides id, version, state and updated_at. */
export interface ReadModelColumn<S> {
  readonly name: string;
  readonly type: 'uuid' | 'text' | 'timestamptz';
  readonly of: (state: S) => unknown;
  /** False for what never changes once the file exists (its parent, its receipt). */
  readonly updatable: boolean;
}

/**
 * Where a file type's read model lives: one row per file in `table` holding its whole state, with
 * the columns it is queried by. Every file's list is ordered by `listedAt` (`received_at` unless
 * `listedAtColumn` names another) and, under a contract, found by `contract_id`. A type whose read
 * model is more than its row (the contract: renewals, locations) says `custom`.
 */
export type ReadModel<S> =
  | {
      readonly table: string;
      readonly listedAt: (state: S) => Instant;
      readonly listedAtColumn?: string;
      /** Further columns to query by (a breach notice's incident, a change's location). */
      readonly columns?: readonly ReadModelColumn<S>[];
    }
  | { readonly table: string; readonly custom: true };

/**
 * A file type, declared once (DESIGN §5): its decider and timers (the stream), whose it is, the
 * shape of its ids, every status it can be in and which of them end it, its clocks, and its read
 * model. The registry (file-types.ts) lists every declaration; the store, the projections, the
 * inbox, the metrics, the evidence pack and the pages are derived from it.
 */
export interface FileType<S extends { readonly status: string } = { readonly status: string }> {
  /** The stream type: the `stream_type` column and the first part of the workflow id. */
  readonly name: string;
  /** As people name one file of the type ("data-subject request"). */
  readonly noun: string;
  readonly parent: FileParent;
  /** The parent's id in a state that exists (a contract's file: the contract id). */
  readonly parentIdOf?: (state: S) => string;
  readonly idPattern: RegExp;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds stream types of every command and event
  readonly stream: StreamType<any, any, S>;
  /** Every status a file can be in once it exists, and whether it is final (the file is closed). */
  readonly statuses: Readonly<Record<Exclude<S['status'], 'none'>, 'open' | 'final'>>;
  readonly clocks: ClockRule<S> | null;
  readonly readModel: ReadModel<S>;
}

/** Declares a file type, checking what the compiler cannot: its name is its stream's, its clocks' kinds are distinct. */
export function fileType<S extends { readonly status: string }>(declaration: FileType<S>): FileType<S> {
  if (declaration.name !== declaration.stream.name) throw new Error(`file type ${declaration.name} declares the stream ${declaration.stream.name}`);
  if (declaration.parent === 'contract' && !declaration.parentIdOf) throw new Error(`file type ${declaration.name} is under a contract but names no parentIdOf`);
  const kinds = declaration.clocks?.kinds ?? [];
  if (new Set(kinds).size !== kinds.length) throw new Error(`file type ${declaration.name} names a clock kind twice`);
  return declaration;
}

/** The statuses a file type can be in, and those that close a file. */
export const statusesOf = (type: Pick<FileType, 'statuses'>): string[] => Object.keys(type.statuses);
export const finalStatusesOf = (type: Pick<FileType, 'statuses'>): string[] => Object.entries(type.statuses).flatMap(([status, kind]) => (kind === 'final' ? [status] : []));
