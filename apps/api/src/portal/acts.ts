import { randomUUID } from 'node:crypto';
import { type Request, type Response, type Router } from 'express';
import { type DataSource } from 'typeorm';
import type { z } from 'zod';
import {
  CANONICAL_UUID,
  CONTRACT_FILE_TYPES,
  isBefore,
  isOverdue,
  parseBody,
  toBreachNoticeView,
  toFollow,
  toSubProcessorNoticeView,
  article33Content,
  type IncidentContent,
  type CommandSpec,
  type ContractState,
  type FileType,
  type PortalAct,
  type SubProcessorNoticeState,
} from '#domain';
import { ApiError } from '../common/api-error';
import { toApiError } from '../common/error.filter';
import { type ContractCommands } from '../contracts/contract-commands.service';
import { CONTROLLER_FILE_TYPES, type ControllerFiles } from '../controllers/controllers.service';
import { type Incidents } from '../incidents/incidents.service';
import { DECLARED_FILE_TYPES, type DeclaredFiles } from '../kit/declared-files';
import { type Who } from '../kit/file-commands';
import { type SubProcessorNotices } from '../sub-processors/sub-processors.service';
import { type Refused } from '../ui/file-forms';
import { filesOf } from '../ui/trail';
import { dateTime, html, Html } from '../ui/html';
import { bodyOf, fieldHtml, formFieldsOf, type FormField } from '../ui/schema-forms';
import { type PortalSession } from './portal-sign-in';
import { wordsOf, type PortalWords } from './words';

/*
 * DESIGN §8: what a controller does in its portal, each act recorded as its own — the actor
 * `controller`, and the sign-in it came through (`portal:<id>`: who signed in, when, and how). The
 * acts come from the file types' declarations: a command with `portal` (its wording, what the
 * portal fills itself, when it is offered), or, for a type run by a workflow of its own, its
 * `controllerActs`, sent through that type's service as the staff's route sends it. Nothing here
 * names a declared type; the two services below are the orchestrated types' own.
 */

type Portal = Request & { portal?: PortalSession };
type Declared = (typeof DECLARED_FILE_TYPES)[number];

/** What the portal's pages need of its router: how a page is sent, and the session's own agreement. */
export interface PortalPages {
  show(res: Response, status: number, title: string, body: Html, session: PortalSession | null): void;
  /** The 404 page in the session's words, saying the catalogue's `text`. */
  notFound(res: Response, session: PortalSession | null, text: string): void;
  ownContract(session: PortalSession, id: string): Promise<ContractState | null>;
  /** The agreement's page again, with a refused form's words beside it. */
  contractPage(res: Response, status: number, session: PortalSession, state: ContractState, refused: Refused | null): Promise<void>;
  /** The controller's home page again, with a refused form's words beside it. */
  home(res: Response, status: number, session: PortalSession, refused: Refused | null): Promise<void>;
}

export interface PortalServices {
  readonly dataSource: DataSource;
  readonly declared: DeclaredFiles;
  readonly incidents: Incidents;
  readonly notices: SubProcessorNotices;
  readonly commands: ContractCommands;
  readonly controllerFiles: ControllerFiles;
}

/** One act a file offers the controller: its declaration, and how it is sent. */
interface Offer {
  /** The file type it is of, and its name there: what its words are found by. */
  readonly type: string;
  readonly name: string;
  readonly act: PortalAct;
  readonly irreversible: boolean;
  readonly schema: () => z.ZodType;
  /** True when the schema is the whole command's (its preset fields included); false when it is the form's only. */
  readonly whole: boolean;
}

/** The views of the types that declare none of their own (their workflows are their own). */
const VIEWS: Readonly<Record<string, (state: never, at: string) => unknown>> = {
  'breach-notice': toBreachNoticeView,
  'sub-processor-notice': toSubProcessorNoticeView,
};
const viewOf = (type: FileType) => (type.view?.of ?? VIEWS[type.name]) as ((state: unknown, at: string) => Record<string, unknown>) | undefined;

const texts = (body: unknown): Record<string, string> => Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string') as [string, string][]);

/** What the portal fills itself in an act's body. */
const presetOf = (act: PortalAct, at: string, state: unknown) => act.preset?.(at, state as never) ?? {};
/** The state of a file not opened yet, for the act that opens one. */
const NONE = { status: 'none' };

/** The fields an act's form asks for: its schema's, less those the portal fills itself. */
function askedFields(offer: Pick<Offer, 'act' | 'schema'>, at: string, state: unknown): readonly FormField[] {
  const preset = presetOf(offer.act, at, state);
  return formFieldsOf(offer.schema()).filter((f) => !(f.name.split('.')[0]! in preset));
}

/** The acts a file offers in its state: while it is open, and when its declaration says so. */
function offersOf(type: FileType, state: { status: string }, at: string, address: string): Offer[] {
  if (type.statuses[state.status as keyof typeof type.statuses] !== 'open') return [];
  const offered = (a: PortalAct) => a.offered?.(state as never, at, address) ?? true;
  const commands = Object.entries(type.commands ?? {})
    .filter(([, c]) => !c.creates && !c.part && c.portal && offered(c.portal))
    .map(([name, c]): Offer => ({ type: type.name, name, act: c.portal!, irreversible: !!c.irreversible, schema: c.schema, whole: true }));
  const acts = Object.entries(type.controllerActs ?? {})
    .filter(([, a]) => offered(a))
    .map(([name, a]): Offer => ({ type: type.name, name, act: a, irreversible: false, schema: a.schema, whole: false }));
  return [...commands, ...acts];
}

/** The commands that open a file the controller may send from its agreement's page. */
const OPENERS: readonly { type: Declared; name: string; spec: CommandSpec & { portal: PortalAct } }[] = DECLARED_FILE_TYPES.flatMap((type) =>
  Object.entries(type.commands).flatMap(([name, spec]) => (spec.creates && spec.portal ? [{ type, name, spec: spec as CommandSpec & { portal: PortalAct } }] : [])),
);

/** What the controller said was recorded, by the act's name, for the page it comes back to: in its words. */
function doneOf(w: PortalWords, type: FileType | null, name: string): string | null {
  if (!type) return name === 'data-export' ? w.t('portal.contract.exportDone') : null;
  // Own names only: `toString` is no act.
  const declared = (Object.hasOwn(type.commands ?? {}, name) && type.commands![name]!.portal) || Object.hasOwn(type.controllerActs ?? {}, name);
  return declared ? w.act(type.name, name).done : null;
}

/** The form of one act: the fields it asks, a confirmation when it cannot be undone, one button named by the act. */
function actForm(session: PortalSession, w: PortalWords, action: string, formId: string, offer: Pick<Offer, 'type' | 'name' | 'act' | 'schema' | 'irreversible'>, refused: Refused | null, at: string, state: unknown, once: boolean): Html {
  const mine = refused?.form === formId ? refused : null;
  const fields = askedFields(offer, at, state);
  const field = (mine?.error.details as { field?: string } | undefined)?.field;
  const general = mine && !fields.some((f) => field === f.name) && !(mine.error.details as { fields?: unknown } | undefined)?.fields;
  // A refusal the catalogue words for its code is said beside its field in the controller's words.
  const error = mine && field && fields.some((f) => f.name === field) ? new ApiError(mine.error.status, mine.error.code, w.error(mine.error), mine.error.details as Record<string, unknown>) : (mine?.error ?? null);
  const { act } = w.act(offer.type, offer.name);
  return html`<form method="post" action="${action}" class="card" aria-labelledby="${formId}-title"><input type="hidden" name="_csrf" value="${session.csrfToken}">${once ? html`<input type="hidden" name="_once" value="${randomUUID()}">` : ''}<h2 id="${formId}-title">${act}</h2>
    ${general ? html`<p class="notice" role="alert">${w.error(mine.error)}</p>` : ''}
    ${fields.map((f) => fieldHtml(w.formField(f), formId, mine?.values[f.name], error, w.fieldWords))}
    ${offer.irreversible ? html`<div class="field"><label><input type="checkbox" name="_confirm" value="yes" required> ${w.t('portal.file.irreversible')}</label></div>` : ''}
    <button type="submit"${offer.irreversible ? new Html(' class="danger"') : ''}>${act}</button></form>`;
}

/** A body checked against a schema, every problem listed, as the API lists them. */
function checked(schema: z.ZodType, body: unknown): Record<string, unknown> {
  const parsed = parseBody(schema, body);
  if (parsed.ok) return parsed.value as Record<string, unknown>;
  throw new ApiError(400, 'validation_failed', `The request is invalid: ${parsed.problems.map((p) => p.problem).join('; ')}`, { fields: parsed.problems });
}

/** The controller, as its acts record it: the sign-in its session came through. */
export function controllerOf(session: PortalSession): Who {
  if (!session.signInId) throw new ApiError(403, 'portal.sign_in_again', wordsOf(session).t('portal.file.signInAgain'));
  return { role: 'controller', keyId: `portal:${session.signInId}` };
}

/** A retried form (a double click, a reload) names the same act: its one-time value scopes the new id. */
const onceOf = (session: PortalSession, values: Record<string, string>) => (CANONICAL_UUID.test(values._once ?? '') ? { apiKeyId: `portal:${session.signInId}`, key: values._once! } : null);

/** The agreement's files the controller may see (the staff's list of them, less those hidden from it), each with its type and state. */
export async function agreementFiles(dataSource: DataSource, contractId: string): Promise<{ id: string; type: FileType; state: { status: string }; at: Date | null; overdue: boolean }[]> {
  return (await filesOf(dataSource, contractId)).flatMap((f) => {
    const type = CONTRACT_FILE_TYPES.find((t) => t.name === f.stream)!;
    return type.hiddenFromController?.(f.state as never) ? [] : [{ id: f.id, type, state: f.state, at: f.at, overdue: f.overdue }];
  });
}

/** The forms on an agreement's page: each file the controller may open, and its data back inside the return window. */
export function askForms(session: PortalSession, w: PortalWords, state: ContractState, refused: Refused | null): Html {
  if (state.status === 'none') return html``;
  const at = new Date().toISOString();
  const id = state.contractId;
  const forms: Html[] = [];
  if (state.status === 'active') {
    for (const o of OPENERS) forms.push(actForm(session, w, `/portal/contracts/${id}/ask/${o.type.name}/${o.name}`, `${o.type.name}-${o.name}`, { type: o.type.name, name: o.name, act: o.spec.portal, schema: o.spec.schema, irreversible: false }, refused, at, NONE, true));
  }
  const d = state.destruction;
  if (d.status === 'scheduled' && isBefore(at, d.returnWindowEndsAt)) {
    forms.push(
      html`<form method="post" action="/portal/contracts/${id}/data-export" class="card" aria-labelledby="data-export-title"><input type="hidden" name="_csrf" value="${session.csrfToken}"><input type="hidden" name="_once" value="${randomUUID()}"><h2 id="data-export-title">${w.t('portal.contract.exportTitle')}</h2>
      ${refused?.form === 'data-export' ? html`<p class="notice" role="alert">${w.error(refused.error)}</p>` : ''}
      <p>${w.t('portal.contract.exportText', { until: w.timeZone === 'UTC' ? dateTime(d.returnWindowEndsAt) : w.when(d.returnWindowEndsAt) })}</p><button type="submit">${w.t('portal.contract.exportTitle')}</button></form>`,
    );
  }
  return forms.length ? html`<h2>${w.t('portal.contract.ask')}</h2><div class="actions">${forms}</div>` : html``;
}

export function portalActRoutes(router: Router, pages: PortalPages, services: PortalServices): void {
  const { dataSource, declared, incidents, notices, commands, controllerFiles } = services;
  const { show } = pages;

  // The orchestrated types' acts, through their own services. Each declared act must have its sender.
  const SENDERS: Readonly<Record<string, Readonly<Record<string, (contractId: string, fileId: string, state: unknown, body: Record<string, unknown>, who: Who) => Promise<unknown>>>>> = {
    'breach-notice': { acknowledge: (contractId, fileId, _state, body, who) => incidents.acknowledge(contractId, fileId, body as { acknowledgedAt: string }, who) },
    'sub-processor-notice': {
      object: (contractId, _fileId, state, body, who) => notices.object(contractId, (state as Exclude<SubProcessorNoticeState, { status: 'none' }>).change.changeId, body as { reason: string }, who),
    },
  };
  for (const type of CONTRACT_FILE_TYPES) for (const name of Object.keys(type.controllerActs ?? {})) if (!SENDERS[type.name]?.[name]) throw new Error(`the portal cannot send ${type.name}'s act ${name}`);

  /** The file of the path, if it is the session's controller's and not hidden from it; else null (the 404 page is sent). */
  const ownFile = async (req: Portal, res: Response) => {
    const session = req.portal!;
    const type = CONTRACT_FILE_TYPES.find((t) => t.name === String(req.params.type));
    const fileId = String(req.params.fid);
    const contract = await pages.ownContract(session, String(req.params.id));
    const [row] =
      contract && contract.status !== 'none' && type && type.idPattern.test(fileId) ? ((await dataSource.query(`SELECT state, contract_id::text AS contract_id FROM ${type.readModel.table} WHERE id = $1`, [fileId])) as { state: { status: string }; contract_id: string }[]) : [];
    if (!contract || contract.status === 'none' || !type || !row || row.contract_id !== contract.contractId || type.hiddenFromController?.(row.state as never) || !viewOf(type)) {
      pages.notFound(res, session, 'portal.notFound.file');
      return null;
    }
    return { contract, type, fileId, state: row.state };
  };

  const filePage = (res: Response, status: number, session: PortalSession, file: NonNullable<Awaited<ReturnType<typeof ownFile>>>, refused: Refused | null, done: string | null) => {
    const { contract, type, fileId, state } = file;
    const w = wordsOf(session);
    const at = new Date().toISOString();
    const view = viewOf(type)!(state, at);
    const clocks = type.clocks?.of(state as never) ?? [];
    const base = `/portal/contracts/${contract.contractId}/files/${type.name}/${fileId}`;
    const offers = offersOf(type, state, at, session.address);
    // A refusal whose form is no longer offered (the file moved on meanwhile) is said at the top.
    const orphan = refused && !offers.some((o) => o.name === refused.form) ? w.error(refused.error) : null;
    const noun = w.noun(type.name);
    const content = type.name === 'breach-notice' ? (view.content as IncidentContent) : null;
    show(
      res,
      status,
      w.t('portal.file.title', { noun: `${noun.charAt(0).toUpperCase()}${noun.slice(1)}`, id: fileId.slice(0, 8) }),
      html`<p><a href="/portal/contracts/${contract.contractId}">${w.t('portal.file.back')}</a></p>
      ${done ? html`<p class="done" role="status">${done}</p>` : ''}${orphan ? html`<p class="notice" role="alert">${orphan}</p>` : ''}
      <p><span class="status">${w.status(String(view.status))}</span></p>
      ${portalFacts(w, view)}
      ${content ? html`<h2>${w.t('portal.file.known')}</h2>${knownOf(w, content)}<p class="muted">${w.t('mail.asWritten')}</p><p class="links"><a href="/portal/contracts/${contract.contractId}/breach-notices/${fileId}.pdf" download>${w.t('portal.file.pdf')}</a> · <a href="/portal/contracts/${contract.contractId}/breach-notices/${fileId}.json" download>${w.t('portal.file.json')}</a></p>` : ''}
      <h2>${w.t('portal.contract.due')}</h2>
      ${clocks.length === 0 ? html`<p class="muted">${w.t('portal.file.nothingDue')}</p>` : html`<table><thead><tr><th scope="col">${w.t('portal.contract.what')}</th><th scope="col">${w.t('portal.contract.dueAt')}</th><th scope="col">${w.t('portal.contract.whose')}</th></tr></thead><tbody>${clocks.map((c) => html`<tr><td>${w.clock(c.kind)}</td><td>${w.at(c.at)}${isOverdue(c.at, at) ? html` <span class="late">${w.t('portal.contract.overdue')}</span>` : ''}</td><td>${type.clocks!.controllers?.includes(c.kind) ? w.t('portal.contract.yours') : w.t('portal.contract.ours')}</td></tr>`)}</tbody></table>`}
      ${offers.length ? html`<h2>${w.t('portal.file.can')}</h2><div class="actions">${offers.map((o) => actForm(session, w, `${base}/${o.name}`, o.name, o, refused, at, state, false))}</div>` : ''}`,
      session,
    );
  };

  router.get('/contracts/:id/files/:type/:fid', async (req: Portal, res, next) => {
    try {
      const file = await ownFile(req, res);
      if (!file) return;
      const done = typeof req.query.done === 'string' ? doneOf(wordsOf(req.portal), file.type, req.query.done) : null;
      filePage(res, 200, req.portal!, file, null, done);
    } catch (e) {
      next(e);
    }
  });

  // An act on a file: offered in its state, its form checked by its schema, sent as the controller's own.
  router.post('/contracts/:id/files/:type/:fid/:act', async (req: Portal, res, next) => {
    const values = texts(req.body);
    let file: Awaited<ReturnType<typeof ownFile>> = null;
    try {
      file = await ownFile(req, res);
      if (!file) return;
      const at = new Date().toISOString();
      const name = String(req.params.act);
      const offer = offersOf(file.type, file.state, at, req.portal!.address).find((o) => o.name === name);
      const w = wordsOf(req.portal);
      if (!offer) throw new ApiError(409, 'portal.not_offered', w.t('portal.file.notOffered'));
      if (offer.irreversible && values._confirm !== 'yes') throw new ApiError(400, 'confirmation_required', w.t('portal.file.confirmRequired'));
      const who = controllerOf(req.portal!);
      const typed = bodyOf(askedFields(offer, at, file.state), values);
      const preset = presetOf(offer.act, at, file.state);
      if (offer.whole) await declared.command(file.type as Declared, name, file.contract.contractId, file.fileId, checked(offer.schema(), { ...typed, ...preset }), who, null);
      else await SENDERS[file.type.name]![name]!(file.contract.contractId, file.fileId, file.state, { ...checked(offer.schema(), typed), ...preset }, who);
      res.redirect(303, `/portal/contracts/${file.contract.contractId}/files/${file.type.name}/${file.fileId}?done=${encodeURIComponent(name)}`);
    } catch (e) {
      const error = toApiError(e);
      if (!file || error.status >= 500 || error.status === 404) return next(e);
      filePage(res, error.status, req.portal!, file, { form: String(req.params.act), values, error }, null);
    }
  });

  // Opening a file from the agreement's page (an instruction, an audit, a request for help).
  router.post('/contracts/:id/ask/:type/:command', async (req: Portal, res, next) => {
    const values = texts(req.body);
    const session = req.portal!;
    let state: ContractState | null = null;
    const formId = `${String(req.params.type)}-${String(req.params.command)}`;
    try {
      state = await pages.ownContract(session, String(req.params.id));
      const opener = OPENERS.find((o) => o.type.name === String(req.params.type) && o.name === String(req.params.command));
      if (!state || state.status === 'none' || !opener) return void pages.notFound(res, session, 'portal.notFound.request');
      // Offered while the agreement is in processing only, as its page offers it.
      if (state.status !== 'active') throw new ApiError(409, 'portal.not_offered', wordsOf(session).t('portal.file.notOffered'));
      const at = new Date().toISOString();
      const who = controllerOf(session);
      const offer = { act: opener.spec.portal, schema: opener.spec.schema };
      const body = checked(opener.spec.schema(), { ...bodyOf(askedFields(offer, at, NONE), values), ...presetOf(opener.spec.portal, at, NONE) });
      const opened = await declared.open(opener.type, opener.name, state.contractId, body, who, onceOf(session, values));
      res.redirect(303, `/portal/contracts/${state.contractId}/files/${opener.type.name}/${(opened.view as { id: string }).id}?done=${encodeURIComponent(opener.name)}`);
    } catch (e) {
      const error = toApiError(e);
      if (!state || state.status === 'none' || error.status >= 500 || error.status === 404) return next(e);
      await pages.contractPage(res, error.status, session, state, { form: formId, values, error });
    }
  });

  // An act on one of the controller's own files (its breach contact confirmed), from its home page.
  router.post('/files/:type/:act', async (req: Portal, res, next) => {
    const session = req.portal!;
    const values = texts(req.body);
    const type = CONTROLLER_FILE_TYPES.find((t) => t.name === String(req.params.type));
    const formId = `${String(req.params.type)}-${String(req.params.act)}`;
    try {
      const name = String(req.params.act);
      const stored = type && session.controller ? await controllerFiles.stored(type, session.controller) : null;
      const at = new Date().toISOString();
      const offer = stored ? offersOf(type!, stored.state, at, session.address).find((o) => o.name === name) : undefined;
      if (!stored || !offer) {
        if (!stored || !type?.commands[name]?.portal) return void pages.notFound(res, session, 'portal.notFound.file');
        throw new ApiError(409, 'portal.not_offered', wordsOf(session).t('portal.file.notOffered'));
      }
      const body = checked(offer.schema(), { ...bodyOf(askedFields(offer, at, stored.state), values), ...presetOf(offer.act, at, stored.state) });
      await controllerFiles.command(type!, name, session.controller!, body, controllerOf(session));
      res.redirect(303, `/portal/?done=${encodeURIComponent(formId)}`);
    } catch (e) {
      const error = toApiError(e);
      if (error.status >= 500 || error.status === 404) return next(e);
      await pages.home(res, error.status, session, { form: formId, values, error });
    }
  });

  // L9: its data back, inside the return window.
  router.post('/contracts/:id/data-export', async (req: Portal, res, next) => {
    const session = req.portal!;
    let state: ContractState | null = null;
    try {
      state = await pages.ownContract(session, String(req.params.id));
      if (!state || state.status === 'none') return void pages.notFound(res, session, 'portal.notFound.agreement');
      await commands.requestDataExport(state.contractId, controllerOf(session), onceOf(session, texts(req.body)));
      res.redirect(303, `/portal/contracts/${state.contractId}?done=data-export`);
    } catch (e) {
      const error = toApiError(e);
      if (!state || state.status === 'none' || error.status >= 500 || error.status === 404) return next(e);
      await pages.contractPage(res, error.status, session, state, { form: 'data-export', values: {}, error });
    }
  });
}

/** The files the controller has one of (its breach contact's check), each with what it may do there: for its home page. */
export async function controllerSection(files: ControllerFiles, session: PortalSession, refused: Refused | null): Promise<Html> {
  if (!session.controller) return html``;
  const w = wordsOf(session);
  const at = new Date().toISOString();
  const sections: Html[] = [];
  for (const type of CONTROLLER_FILE_TYPES) {
    if (!Object.values(type.commands).some((c) => c.portal)) continue;
    const stored = await files.stored(type, session.controller).catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    });
    if (!stored) continue;
    const view = type.view.of(stored.state, at) as Record<string, unknown>;
    // What a person reads: the file's plain facts, not its ids nor its nested records.
    const plain = Object.fromEntries(Object.entries(view).filter(([k, v]) => !/(^id|Id|^key)$/.test(k) && (v === null || typeof v !== 'object')));
    const offers = offersOf(type, stored.state, at, session.address);
    const noun = w.noun(type.name);
    sections.push(
      html`<h2>${noun.charAt(0).toUpperCase()}${noun.slice(1)}</h2>${portalFacts(w, plain)}${offers.length ? html`<div class="actions">${offers.map((o) => actForm(session, w, `/portal/files/${type.name}/${o.name}`, `${type.name}-${o.name}`, o, refused, at, stored.state, false))}</div>` : ''}`,
    );
  }
  return html`${sections}`;
}

/** What the controller's act on its home page said was recorded (`<type>-<act>`). */
export const homeDone = (w: PortalWords, done: unknown): string | null => {
  if (typeof done !== 'string') return null;
  const type = CONTROLLER_FILE_TYPES.find((t) => done.startsWith(`${t.name}-`));
  return type ? doneOf(w, type, done.slice(type.name.length + 1)) : null;
};

/** What the controller's act on its agreement's page said was recorded (its data asked back). */
export const contractDone = (w: PortalWords, done: unknown): string | null => (typeof done === 'string' ? doneOf(w, null, done) : null);

/** A file's facts as the controller reads them: each by its name in its words, instants in its zone, its parties by name. */
export function portalFacts(w: PortalWords, view: Record<string, unknown>): Html {
  const shown = (k: string, v: unknown): Html | string => {
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return '—';
    if (k === 'status' && typeof v === 'string') return w.status(v);
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) return w.at(v);
    if (typeof v === 'boolean') return w.t(v ? 'portal.yes' : 'portal.no');
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
    if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.name === 'string' && typeof o.site === 'string') return `${o.name}: ${o.site}`;
      if (typeof o.name === 'string' && typeof o.country === 'string') return `${o.name} (${String(o.role ?? '')}, ${o.country})`;
      return JSON.stringify(v);
    }
    return String(v);
  };
  const hidden = new Set(['content', 'supplements', 'toFollow']);
  return html`<dl class="facts">${Object.entries(view)
    .filter(([k]) => !hidden.has(k))
    .map(([k, v]) => html`<dt>${w.field(k)}</dt><dd>${shown(k, v)}</dd>`)}</dl>`;
}

/** What is known of a breach (GDPR 33(3)), each part by its label in the controller's words; what is not known yet says so. */
function knownOf(w: PortalWords, content: IncidentContent): Html {
  const unknown = new Set(toFollow(content));
  return html`<dl class="facts">${Object.entries(article33Content(content)).map(([k, v]) => html`<dt>${w.t(`mail.article33.${k}`)}</dt><dd>${unknown.has(k) ? w.t('mail.article33.toFollow') : v}</dd>`)}</dl>`;
}
