import type { z } from 'zod';
import type { Instant, IsoDuration } from '../calendar';
import type { StreamType } from './decider';

/** The staff roles an API key or a browser session has (DESIGN §6). */
export const STAFF_ROLES = ['account_manager', 'billing', 'dpo', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Whom a contract's file writes to, and how its emails name the contract. */
export interface ContractParties {
  readonly controllerName: string;
  readonly controllerEmail: string;
  readonly controllerDpoEmail: string | null;
  readonly contractReference: string | null;
}

/** What a command's rules may need of the contract a file is under. */
export interface ContractFacts {
  readonly orderedAt: Instant;
}

/** What a command is translated with, besides its body: whose file, and when the engine records it. */
export interface CommandContext {
  /** The file's id (a new one for the command that creates it). */
  readonly id: string;
  /** The contract's id, for a file under a contract. */
  readonly contractId: string | null;
  readonly contract: ContractFacts | null;
  /** The controller, for the controller's record and the files under it. */
  readonly controller?: { readonly id: string; readonly identity: string } | null;
  /** The engine's settings a command's rules take (configuration), recorded in the events that use them. */
  readonly settings?: EngineSettings;
  /** The id of the part of the file the command is about (CommandSpec.part): from its path, or minted for a new one. */
  readonly partId?: string;
  readonly recordedAt: Instant;
}

/** The engine's own settings that commands read (DESIGN §4 configuration): set once for the processor. */
export interface EngineSettings {
  /** DSR_ASSISTANCE_MARGIN: how long before a data-subject request's deadline the processor's help is due. */
  readonly assistanceMargin: IsoDuration;
}

/**
 * A command the outside world may send a file: its body's schema (from which its validation, its
 * TypeScript type, its OpenAPI operation, its browser form and its fuzz generator are derived), the
 * roles that may send it, and its translation into the domain's command.
 */
export interface CommandSpec<C = unknown> {
  /**
   * Built on first use, once (`fileType` keeps what it built): the API, the forms and the fuzz call
   * it; a workflow never does, so no schema (and no zod) is built in the workflow sandbox, where
   * every cached workflow would hold a copy of its own.
   */
  readonly schema: () => z.ZodType;
  /** The staff roles that may send it; none for a command only the engine (or a signed link) sends. */
  readonly roles: readonly StaffRole[];
  /** True for the command that opens a file (update-with-start of its workflow). */
  readonly creates?: boolean;
  /**
   * The path after the file's id (`delivery` in `…/{aid}/delivery`); none for the one that creates
   * it. A command about one part of the file names the part's id in it: `findings/{fid}/remediation`.
   */
  readonly path?: string;
  /**
   * A command about one part of a file (an audit's finding): `param` names it in the path, or, when
   * `minted`, the command makes a new one whose id comes from the request's Idempotency-Key as a
   * file's does (a retry makes no second one). The id reaches `toCommand` as `context.partId`.
   * `options` lists the parts a form may choose from in a state (the open findings).
   */
  readonly part?: { readonly noun: string; readonly param?: string; readonly minted?: boolean; options?(state: never): readonly { readonly id: string; readonly label: string }[] };
  /** What it does, in the domain's words: the OpenAPI summary and the form's heading. */
  readonly summary: string;
  /** It cannot be undone: the browser asks for a confirmation. */
  readonly irreversible?: boolean;
  /**
   * Sent by following a signed, expiring link from one of the file's emails (no staff role): the
   * page says `title` and `explanation` and shows one `button`, whose POST sends the command (opening
   * the link changes nothing: mail scanners open links); `done` is said once it is recorded.
   */
  readonly link?: { readonly title: string; readonly explanation: string; readonly button: string; readonly done: string };
  /**
   * The controller may send it itself, from its portal (DESIGN §8), and the act is recorded as its
   * own. `act` names it as the controller reads it (its form's heading and button), `done` is said
   * once it is recorded; `preset` fills what the portal knows itself (when: now; by which channel:
   * the portal), so the form asks only for the rest. The staff roles above still send it for the
   * controller, recorded as done on its behalf.
   */
  readonly portal?: PortalAct;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the body is whatever the schema parsed
  toCommand(body: any, context: CommandContext): C;
}

/** A command as the controller sends it from its portal (CommandSpec.portal, FileType.controllerActs). */
export interface PortalAct {
  /** The act as the controller reads it: its form's heading and button. */
  readonly act: string;
  /** Said once it is recorded. */
  readonly done: string;
  /** The fields the portal fills itself, from the instant of the act and the file's state (none for one that opens a file); the form asks for the rest. */
  readonly preset?: (at: Instant, state: never) => Readonly<Record<string, unknown>>;
  /**
   * Offered in such a state only (an answer to an objection: while the instruction is on hold), and,
   * when it says so, to the address the controller signed in with only (its breach contact confirms
   * itself); else whenever the file is open.
   */
  readonly offered?: (state: never, at: Instant, address: string) => boolean;
}

/** An email a file owes, as the mail adapter words it: its kind and the facts it states. */
export interface Mail {
  readonly kind: string;
}

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
  /**
   * The kinds that are the controller's own deadline, not the processor's (the 72 hours to tell its
   * authority, its month to answer a data subject): the processor tracks them, the controller meets them.
   */
  readonly controllers?: readonly string[];
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
  /**
   * A file the controller must not learn of, in this state: a transfer the law forbids telling it
   * about (GDPR 28(3)(a)). Its portal and the evidence pack it downloads leave such a file out.
   */
  readonly hiddenFromController?: (state: S) => boolean;
  /**
   * DESIGN §9: what an event out says of a file in this state beyond its type, id, status and
   * contract (each status a file enters is an event kind subscribers may choose): ids, instants and
   * kinds only, never a name, an email or a secret.
   */
  readonly outFacts?: (state: S) => Readonly<Record<string, string | number | boolean | null>>;
  /**
   * For a type run by a workflow of its own (its commands not declared here): what the controller
   * may do to one of its files from its portal, each with the schema of what its form asks. The
   * portal sends it through the type's own service, as the staff's route does.
   */
  readonly controllerActs?: Readonly<Record<string, PortalAct & { readonly schema: () => z.ZodType }>>;
  /**
   * A type run by the generic file workflow and served by the generic routes declares these: its
   * commands by name, where its files are reached, its view with its schema, and the emails it owes.
   */
  readonly commands?: Readonly<Record<string, CommandSpec>>;
  /**
   * For a file of a controller that follows its contracts' processing: the commands the engine sends
   * it when one of them starts processing (its first hand-over) or ends it (destroyed), and when the
   * controller's breach contact changes (one command may serve both). The first two get
   * `{ contracts, countedAt, contact, period, backfill }` — how many of the controller's contracts are
   * in processing, counted then; `period`: CONTACT_CHECK_PERIOD — the third `{ contact }`.
   */
  readonly follows?: { readonly started: string; readonly ended: string; readonly contact: string };
  /** Where the files are: `contracts/{id}/<path>/{<param>}` under a contract, `controllers/{key}/<path>` under a controller (one each). */
  readonly route?: { readonly path: string; readonly param: string; readonly plural: string };
  /** `schema` built on first use, as a command's is. */
  readonly view?: { readonly schema: () => z.ZodType; of(state: S, at: Instant): unknown };
  /**
   * Every email the file owes in this state, as a pure function of it: the workflow puts each in
   * the outbox once (by its Message-ID), however often it is owed.
   */
  emails?(state: S, parties: ContractParties): readonly Mail[];
}

/** Declares a file type, checking what the compiler cannot: its name is its stream's, its clocks' kinds are distinct. */
export function fileType<S extends { readonly status: string }>(declaration: FileType<S>): FileType<S> {
  if (declaration.name !== declaration.stream.name) throw new Error(`file type ${declaration.name} declares the stream ${declaration.stream.name}`);
  if (declaration.parent === 'contract' && !declaration.parentIdOf) throw new Error(`file type ${declaration.name} is under a contract but names no parentIdOf`);
  const commands = Object.entries(declaration.commands ?? {});
  if (commands.length && commands.filter(([, c]) => c.creates).length !== 1) throw new Error(`file type ${declaration.name} has no single command that creates a file`);
  for (const [name, c] of commands) {
    // Routes under a contract or a controller are derived from the paths; a processor's register
    // may take a command from elsewhere (the roster's authorisations, addressed from the contract).
    if (!c.creates && !c.path && declaration.parent !== 'processor') throw new Error(`file type ${declaration.name}: command ${name} names no path`);
    // A part is named in the path, or minted: never both, never neither; the command that opens the file has none.
    const placeholders = [...(c.path ?? '').matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
    if (!c.part && placeholders.length) throw new Error(`file type ${declaration.name}: command ${name}'s path names a part it does not declare`);
    if (c.part) {
      if (c.creates) throw new Error(`file type ${declaration.name}: command ${name} opens the file and cannot be about a part of it`);
      if (c.part.minted && (c.part.param !== undefined || placeholders.length)) throw new Error(`file type ${declaration.name}: command ${name}'s part is both minted and named`);
      if (!c.part.minted && (placeholders.length !== 1 || placeholders[0] !== c.part.param)) throw new Error(`file type ${declaration.name}: command ${name}'s part is neither named in its path nor minted`);
      // Named like a route parameter, and not like the contract's or the file's own.
      if (c.part.param !== undefined && (!/^[a-z][A-Za-z0-9]*$/.test(c.part.param) || c.part.param === 'id' || c.part.param === declaration.route?.param)) {
        throw new Error(`file type ${declaration.name}: command ${name}'s part parameter ${c.part.param} cannot name a path segment of its own`);
      }
    }
  }
  if (commands.length && (!declaration.route || !declaration.view)) throw new Error(`file type ${declaration.name} declares commands but no route or view`);
  const kinds = declaration.clocks?.kinds ?? [];
  for (const kind of declaration.clocks?.controllers ?? []) if (!kinds.includes(kind)) throw new Error(`file type ${declaration.name}: the controller's clock ${kind} is not one of its kinds`);
  if (new Set(kinds).size !== kinds.length) throw new Error(`file type ${declaration.name} names a clock kind twice`);
  return {
    ...declaration,
    ...(declaration.commands ? { commands: Object.fromEntries(commands.map(([name, c]) => [name, { ...c, schema: once(c.schema) }])) } : {}),
    ...(declaration.view ? { view: { ...declaration.view, schema: once(declaration.view.schema) } } : {}),
    ...(declaration.controllerActs ? { controllerActs: Object.fromEntries(Object.entries(declaration.controllerActs).map(([name, a]) => [name, { ...a, schema: once(a.schema) }])) } : {}),
  };
}

/** `make`, called on first use only; later calls answer what it made. */
function once<T>(make: () => T): () => T {
  let made: { readonly value: T } | null = null;
  return () => (made ??= { value: make() }).value;
}

/** The statuses a file type can be in, and those that close a file. */
export const statusesOf = (type: Pick<FileType, 'statuses'>): string[] => Object.keys(type.statuses);
export const finalStatusesOf = (type: Pick<FileType, 'statuses'>): string[] => Object.entries(type.statuses).flatMap(([status, kind]) => (kind === 'final' ? [status] : []));
export const openStatusesOf = (type: Pick<FileType, 'statuses'>): string[] => Object.entries(type.statuses).flatMap(([status, kind]) => (kind === 'open' ? [status] : []));

/** The read-model column a type's files are listed by (`received_at` unless its read model names another). */
export const listedAtColumnOf = (model: ReadModel<never>): string => ('custom' in model ? 'received_at' : (model.listedAtColumn ?? 'received_at'));
