import { listedAtColumnOf, type Clock, type FileType, type ReadModelColumn } from './file-type';

/*
 * A declared file type's read model as a pure function (DESIGN §5): the row a file's events leave
 * behind, computed from the row before and the events alone. The store writes exactly these
 * columns in the append's own statement (fileReadModel in the event store), and a projection's
 * spec states what the row holds after given events, with no database (`projected`).
 */

/** The columns of a type's row besides id, version, state and updated_at: its parent, status, listing instant and own columns. */
export function readModelColumns<S extends { readonly status: string }>(type: FileType<S>): ReadModelColumn<S>[] {
  const model = type.readModel;
  if ('custom' in model) throw new Error(`the ${type.name} read model is its own`);
  return [
    ...(type.parent === 'contract' ? [{ name: 'contract_id', type: 'uuid' as const, of: type.parentIdOf!, updatable: false }] : []),
    { name: 'status', type: 'text', of: (s) => s.status, updatable: true },
    { name: listedAtColumnOf(model), type: 'timestamptz', of: model.listedAt, updatable: true },
    ...(model.columns ?? []),
  ];
}

/** One file's read model: its row and its open clocks (the inbox's rows of it). */
export interface FileRow<S> {
  readonly version: number;
  readonly state: S;
  /** Each column of `readModelColumns`, by name. */
  readonly columns: Readonly<Record<string, unknown>>;
  readonly clocks: readonly Clock[];
}

/** The row after `events`, from the row before (none: the file is new). Null while the file does not exist. */
export function projectRow<S extends { readonly status: string }>(type: FileType<S>, before: Pick<FileRow<S>, 'state' | 'version'> | null, events: readonly { readonly type: string }[]): FileRow<S> | null {
  const state = events.reduce((s, e) => type.stream.evolve(s, e), before?.state ?? (type.stream.initialState() as S));
  if (state.status === 'none') return null;
  return {
    version: (before?.version ?? 0) + events.length,
    state,
    columns: Object.fromEntries(readModelColumns(type).map((c) => [c.name, c.of(state)])),
    clocks: type.clocks?.of(state) ?? [],
  };
}

/**
 * For a projection's spec: the row `history` leaves, appended in the given batches (each batch one
 * append, folded onto the row the one before left, as the store folds it). Null while no file exists.
 */
export function projected<S extends { readonly status: string }>(type: FileType<S>, ...appends: (readonly { readonly type: string }[])[]): FileRow<S> | null {
  return appends.reduce<FileRow<S> | null>((row, events) => projectRow(type, row, events), null);
}
