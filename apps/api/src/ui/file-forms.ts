import { type Router } from 'express';
import { CANONICAL_UUID, isOverdue, type CommandSpec, type EmailFailedData, type EmailSentData } from '#domain';
import { ApiError } from '../common/api-error';
import { toApiError } from '../common/error.filter';
import { CommandBodyPipe, DECLARED_FILE_TYPES, type DeclaredFiles } from '../kit/declared-files';
import { type FileTrails } from '../kit/trail';
import { dateTime, html, Html } from './html';
import { bodyOf, clockLabel, fieldHtml, formFieldsOf, labelOf } from './schema-forms';
import { type Signed } from './sessions';
import { TRAIL_ROLES } from './trail';
import { type UiContext } from './ui-context';
import { staffWords } from './words';

/*
 * DESIGN §7: every declared file type of a contract in the browser, from its declaration alone —
 * the form that opens one on the contract's page, the file's own page (its view) with a form for
 * each further command, each form read from the command's schema and shown only to the roles that
 * may send it. A POST goes through the same service as the API's route, so both refuse alike.
 */

const say = staffWords('fileForms');

type Declared = (typeof DECLARED_FILE_TYPES)[number];

/** A form that was refused: which one, what was typed, and why (shown in place of the blank form). */
export interface Refused {
  readonly form: string;
  readonly values: Record<string, string>;
  readonly error: ApiError;
}

const typeNamed = (name: string): Declared | undefined => DECLARED_FILE_TYPES.find((t) => t.name === name);
const allowed = (req: Signed, spec: CommandSpec) => spec.roles.includes(req.session!.role as never);

/** The parts a command about one part of the file may be about (an audit's open findings), for its form's first field. */
type Parts = readonly { readonly id: string; readonly label: string }[];

/** A command's form, read from its declared schema: its fields, and what a refusal said beside them. */
export function commandForm(req: Signed, ui: UiContext, action: string, formId: string, spec: CommandSpec, refused: Refused | null, parts: Parts | null = null): Html {
  const mine = refused?.form === formId ? refused : null;
  const fields = formFieldsOf(spec.schema());
  const partId = `${formId}-part`;
  // Named by its heading, so a person (and a screen reader) finds each form by what it does.
  return html`<form method="post" action="${action}" class="card" aria-labelledby="${formId}-title">${ui.csrfField(req)}<h2 id="${formId}-title">${spec.summary}</h2>
    ${mine && !(mine.error.details as { fields?: unknown } | undefined)?.fields ? html`<p class="notice" role="alert">${mine.error.message}</p>` : ''}
    ${parts ? html`<div class="field"><label for="${partId}">${labelOf(spec.part!.noun)}</label><select id="${partId}" name="_part" required>${parts.map((p) => html`<option value="${p.id}"${mine?.values._part === p.id ? new Html(' selected') : ''}>${p.label}</option>`)}</select></div>` : ''}
    ${fields.map((f) => fieldHtml(f, formId, mine?.values[f.name], mine?.error ?? null))}
    ${spec.irreversible ? html`<div class="field"><label><input type="checkbox" name="_confirm" value="yes" required> ${say('irreversible')}</label></div>` : ''}
    <button type="submit"${spec.irreversible ? new Html(' class="danger"') : ''}>${say('record')}</button></form>`;
}

/** The forms that open a file of each declared type the caller's role may open, for the contract's page. */
export function openFileForms(req: Signed, ui: UiContext, contractId: string, refused: Refused | null): Html[] {
  return DECLARED_FILE_TYPES.flatMap((type) =>
    Object.entries(type.commands)
      .filter(([, spec]) => spec.creates && allowed(req, spec))
      .map(([name, spec]) => commandForm(req, ui, `/ui/contracts/${contractId}/files/${type.name}/${name}`, `${type.name}-${name}`, spec, refused)),
  );
}

/** Where a declared file's own page is, for the contract's list of files (none for other types). */
export const filePageOf = (contractId: string, typeName: string, fileId: string): string | null => (typeNamed(typeName) ? `/ui/contracts/${contractId}/files/${typeName}/${fileId}` : null);

/** A view's facts as a list: each field by its label, instants as dates, lists and objects as text. */
export function facts(view: Record<string, unknown>): Html {
  const shown = (v: unknown): Html | string =>
    v === null || v === undefined || (Array.isArray(v) && v.length === 0)
      ? '—'
      : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)
        ? dateTime(v)
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v);
  return html`<dl class="facts">${Object.entries(view).map(([k, v]) => html`<dt>${labelOf(k)}</dt><dd>${shown(v)}</dd>`)}</dl>`;
}

/** The file's open clocks, as its type's rule names them from its state: what is due, and whether it is overdue. */
export function clocksOf(type: Pick<Declared, 'clocks'>, state: unknown, now: string): Html {
  const clocks = type.clocks?.of(state as never) ?? [];
  if (clocks.length === 0) return html`<h2>${say('clocks')}</h2><p class="muted">${say('noClock')}</p>`;
  return html`<h2>${say('clocks')}</h2><table><thead><tr><th scope="col">${say('whatIsDue')}</th><th scope="col">${say('due')}</th><th scope="col">${say('clockState')}</th></tr></thead><tbody>${clocks.map(
    (c) => html`<tr><td>${clockLabel(c.kind)}</td><td>${dateTime(c.at)}</td><td>${isOverdue(c.at, now) ? html`<span class="late">${say('overdue')}</span>` : html`<span class="ok">${say('running')}</span>`}</td></tr>`,
  )}</tbody></table>`;
}

/** The file's emails, as its trail records them: sent (accepted by the relay) or refused for good, to whom, with their Message-ID. */
export function emailsOf(events: readonly { type: string; data: unknown }[]): Html {
  const emails = events.filter((e) => e.type === 'EmailSent' || e.type === 'EmailFailed');
  if (emails.length === 0) return html`<h2>${say('emails')}</h2><p class="muted">${say('noEmail')}</p>`;
  return html`<h2>${say('emails')}</h2><table><thead><tr><th scope="col">${say('emailColumn')}</th><th scope="col">${say('toColumn')}</th><th scope="col">${say('sentColumn')}</th><th scope="col">${say('messageIdColumn')}</th></tr></thead><tbody>${emails.map((e) => {
    const d = e.data as EmailSentData & Partial<EmailFailedData>;
    return html`<tr><td>${d.kind.replace(/-/g, ' ')}</td><td>${[...d.to, ...d.cc].join(', ')}</td><td>${e.type === 'EmailSent' ? dateTime(d.acceptedAt) : html`<span class="late">${d.smtpCode ? say('refusedWithCode', { code: d.smtpCode, at: dateTime(d.failedAt!) }) : say('refused', { at: dateTime(d.failedAt!) })}</span>`}</td><td><code>${d.messageId}</code></td></tr>`;
  })}</tbody></table>`;
}

export function declaredFileRoutes(router: Router, ui: UiContext, declared: DeclaredFiles, trails: FileTrails, contractPage: (req: Signed, id: string, refused: Refused) => Promise<string>): void {
  const filePage = async (req: Signed, type: Declared, contractId: string, fileId: string, refused: Refused | null = null) => {
    // One read of the row: its state gives the view and the parts a form may choose from.
    const stored = await declared.store(type).stored(fileId);
    if (!stored || stored.contractId !== contractId) throw new ApiError(404, 'not_found', `No such ${type.noun} for this contract.`);
    const { state } = stored;
    const now = new Date().toISOString();
    const view = type.view.of(state, now) as Record<string, unknown>;
    const { events } = await trails.events(fileId);
    const open = type.statuses[view.status as keyof typeof type.statuses] === 'open';
    // A command about one named part (an audit's finding) is offered for the parts it may be about, when there are any.
    const partsOf = (spec: CommandSpec): Parts | null => (spec.part?.param ? (spec.part.options?.(state as never) ?? []) : null);
    const offered = open ? Object.entries(type.commands).filter(([, spec]) => !spec.creates && spec.path && allowed(req, spec) && partsOf(spec)?.length !== 0) : [];
    const forms = offered.map(([name, spec]) => commandForm(req, ui, `/ui/contracts/${contractId}/files/${type.name}/${fileId}/${name}`, `${type.name}-${name}`, spec, refused, partsOf(spec)));
    // A refusal whose form is no longer offered (the file moved on meanwhile) is said at the top.
    const orphan = refused && !offered.some(([name]) => `${type.name}-${name}` === refused.form) ? refused.error : null;
    return ui.page(
      req,
      `${type.noun.charAt(0).toUpperCase()}${type.noun.slice(1)} ${fileId.slice(0, 8)}`,
      'contracts',
      html`<p><a href="/ui/contracts/${contractId}">${say('backToContract')}</a></p>
      ${orphan ? html`<p class="notice" role="alert">${orphan.message}</p>` : ''}
      <p><span class="status">${String(view.status)}</span></p>
      ${facts(view)}
      ${clocksOf(type, state, now)}
      ${emailsOf(events)}
      ${forms.length ? html`<h2>${say('actions')}</h2><div class="actions">${forms}</div>` : ''}
      ${TRAIL_ROLES.includes(req.session!.role) ? html`<p><a href="/ui/contracts/${contractId}/trail?file=${fileId}">${say('trailOfFile', { noun: type.noun })}</a> ${say('trailOfFileAfter')}</p>` : ''}`,
    );
  };

  const params = (req: Signed): { type: Declared; contractId: string; fileId?: string } => {
    const type = typeNamed(String(req.params.type));
    const contractId = String(req.params.id);
    const fileId = req.params.fid === undefined ? undefined : String(req.params.fid);
    if (!type || !CANONICAL_UUID.test(contractId) || (fileId !== undefined && !type.idPattern.test(fileId))) throw new ApiError(404, 'not_found', 'No such file.');
    return { type, contractId, ...(fileId ? { fileId } : {}) };
  };
  const texts = (body: unknown): Record<string, string> => Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string') as [string, string][]);
  const spec = (type: Declared, name: string, req: Signed): CommandSpec => {
    const found = type.commands[name];
    if (!found) throw new ApiError(404, 'not_found', 'No such command.');
    if (!allowed(req, found)) throw new ApiError(403, 'forbidden', `The role ${req.session!.role} may not send this command.`);
    if (found.irreversible && (req.body as Record<string, unknown>)?._confirm !== 'yes') throw new ApiError(400, 'confirmation_required', 'Tick the box to confirm: this cannot be undone.');
    return found;
  };

  router.get('/contracts/:id/files/:type/:fid', async (req: Signed, res, next) => {
    try {
      const { type, contractId, fileId } = params(req);
      res.send(await filePage(req, type, contractId, fileId!));
    } catch (e) {
      next(e);
    }
  });

  // Opening a file: its create command's form on the contract's page; refused, the page again with what was typed.
  router.post('/contracts/:id/files/:type/:command', async (req: Signed, res, next) => {
    let at: { type: Declared; contractId: string } | null = null;
    const values = texts(req.body);
    try {
      at = params(req);
      const command = String(req.params.command);
      const s = spec(at.type, command, req);
      if (!s.creates) throw new ApiError(404, 'not_found', 'No such command.');
      // Checked by the command's schema as the API checks it, then the domain's rules.
      const body = new CommandBodyPipe(s).transform(bodyOf(formFieldsOf(s.schema()), values));
      const opened = await declared.open(at.type, command, at.contractId, body, ui.principalOf(req.session!), null);
      res.redirect(303, `/ui/contracts/${at.contractId}/files/${at.type.name}/${(opened.view as { id: string }).id}`);
    } catch (e) {
      const error = toApiError(e);
      if (!at || error.status >= 500 || error.status === 403 || error.status === 404) return next(e);
      res.status(error.status).send(await contractPage(req, at.contractId, { form: `${at.type.name}-${String(req.params.command)}`, values, error }));
    }
  });

  router.post('/contracts/:id/files/:type/:fid/:command', async (req: Signed, res, next) => {
    let at: { type: Declared; contractId: string; fileId?: string } | null = null;
    const values = texts(req.body);
    try {
      at = params(req);
      const command = String(req.params.command);
      const s = spec(at.type, command, req);
      if (s.creates) throw new ApiError(404, 'not_found', 'No such command.');
      // The part a command is about, chosen in its form; a new part (minted) gets a fresh id.
      const part = s.part?.param ? values._part : undefined;
      if (s.part?.param && !CANONICAL_UUID.test(part ?? '')) throw new ApiError(400, 'validation_failed', `Choose the ${s.part.noun}.`);
      const body = new CommandBodyPipe(s).transform(bodyOf(formFieldsOf(s.schema()), values));
      await declared.command(at.type, command, at.contractId, at.fileId!, body, ui.principalOf(req.session!), part ?? null);
      res.redirect(303, `/ui/contracts/${at.contractId}/files/${at.type.name}/${at.fileId}`);
    } catch (e) {
      const error = toApiError(e);
      if (!at || error.status >= 500 || error.status === 403 || error.status === 404) return next(e);
      res.status(error.status).send(await filePage(req, at.type, at.contractId, at.fileId!, { form: `${at.type.name}-${String(req.params.command)}`, values, error }));
    }
  });
}
