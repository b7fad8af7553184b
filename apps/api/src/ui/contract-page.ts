import { type Router } from 'express';
import { type DataSource } from 'typeorm';
import { authorisationsOn, callerCommands, CANONICAL_UUID, controllerIdentity, FILE_TYPES, fileTypeNamed, isEnded, isLate, isOverdue, staffType, toStaffView, type OrderedOrLater, type StaffState } from '#domain';
import { DEADLINES_TABLE } from '#infra/event-store/deadlines-projection';
import { controllerFileId } from '#infra/ids';
import { type ApiError } from '../common/api-error';
import { toApiError } from '../common/error.filter';
import { type ContractQueries } from '../contracts/contract-queries.service';
import { controllerPageOf } from './controllers';
import { filePageOf, openFileForms, type Refused } from './file-forms';
import { field, fieldError } from './forms';
import { dateTime, dateWithCountdown, html, Html } from './html';
import { type Signed } from './sessions';
import { timeline } from './timeline';
import { filesOf, TRAIL_ROLES, type FileFilter } from './trail';
import { type UiContext } from './ui-context';

/*
 * DESIGN §7 the contract's page: its facts, its timeline, its locations, the controller's open
 * clocks, the persons authorised on it, its files, and a form for each command the caller may send
 * it now. A refused command shows this page again, with what was typed and why (contract-commands.ts,
 * file-forms.ts), so the page is built by a function they are given.
 */

/** The file types a controller has one of, with clocks: shown on each of its contracts. */
const CONTROLLER_CLOCK_TYPES = FILE_TYPES.filter((t) => t.parent === 'controller' && t.clocks);

/** The contract's page, with a refused form's error, what was typed in it, or a refused declared file's form. */
export type ContractPage = (req: Signed, id: string, error?: ApiError | null, values?: Record<string, string>, refused?: Refused | null) => Promise<string>;

/** The file types under a contract, for the files' filter: by type, then by one of its statuses. */
const FILTER_TYPES = FILE_TYPES.filter((t) => t.parent === 'contract');
const FILTER_STATUSES = [...new Set(FILTER_TYPES.flatMap((t) => Object.keys(t.statuses)))].sort();

/** The files' filter as the query gives it: only values a filter can take (anything else is no filter). */
function fileFilterOf(query: Record<string, unknown>): FileFilter {
  const type = typeof query.type === 'string' && FILTER_TYPES.some((t) => t.name === query.type) ? query.type : undefined;
  const status = typeof query.status === 'string' && FILTER_STATUSES.includes(query.status) ? query.status : undefined;
  return { ...(type ? { type } : {}), ...(status ? { status } : {}), ...(query.overdue === '1' ? { overdue: true } : {}) };
}

function fileFilterForm(id: string, filter: FileFilter): Html {
  return html`<form method="get" action="/ui/contracts/${id}" class="filters" aria-label="Filter the files">
    <div class="field"><label for="files-type">Kind of file</label><select id="files-type" name="type"><option value="">Any</option>${FILTER_TYPES.map((t) => html`<option value="${t.name}"${filter.type === t.name ? new Html(' selected') : ''}>${t.noun}</option>`)}</select></div>
    <div class="field"><label for="files-status">Status</label><select id="files-status" name="status"><option value="">Any</option>${FILTER_STATUSES.map((st) => html`<option value="${st}"${filter.status === st ? new Html(' selected') : ''}>${st.replace(/_/g, ' ')}</option>`)}</select></div>
    <div class="field"><label><input type="checkbox" name="overdue" value="1"${filter.overdue ? new Html(' checked') : ''}> Overdue only</label></div>
    <button type="submit">Filter</button></form>`;
}

/** Registers GET /contracts/:id; returns the page's builder, for the forms that post from it. */
export function contractPageRoutes(router: Router, ui: UiContext, queries: ContractQueries, dataSource: DataSource): ContractPage {
  const { page, csrfField } = ui;
  const contractPage = async (req: Signed, id: string, error: ApiError | null = null, values: Record<string, string> = {}, refused: Refused | null = null) => {
    const filter = fileFilterOf(req.method === 'GET' ? (req.query as Record<string, unknown>) : {});
    const filtered = Object.keys(filter).length > 0;
    const { state } = await queries.found(id);
    const s = state as OrderedOrLater;
    const manager = req.session!.role === 'account_manager';
    const d = s.destruction;
    const actions: Html[] = [];
    // What a role may not do, it is not shown: the forms are those of the commands the contract takes now.
    const allowed = manager ? callerCommands(s) : [];
    if (allowed.includes('HandOverCredentials')) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/credentials">${csrfField(req)}<h2>Hand over credentials</h2>
        ${field('kind', 'Kind', values.kind ?? 'ssh', error, 'kind')}${field('host', 'Host', values.host, error, 'host')}${field('username', 'Username', values.username, error, 'username')}
        <div class="field"><label for="secret">Secret (write-only)</label><input id="secret" type="password" name="secret" autocomplete="new-password" required>${fieldError(error, 'secret')}</div>
        <button type="submit">Hand over</button></form>`);
    }
    if (allowed.includes('NoticeNonRenewal') && !s.nonRenewalNoticedAt) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/non-renewal">${csrfField(req)}<h2>Non-renewal notice</h2>
        <p class="muted">The contract then expires at the end of its term (${dateTime(s.termEnd)}) unless billing accepts a renewal.</p>
        ${field('nonRenewalReason', 'Reason (optional)', values.nonRenewalReason, error, 'nonRenewalReason')}
        <button type="submit">Record the notice</button></form>`);
    }
    if (allowed.includes('CancelContract')) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/cancellation">${csrfField(req)}<h2>Cancel the order</h2>
        ${field('cancelReason', 'Reason', values.cancelReason, error, 'cancelReason')}
        <div class="field"><label><input type="checkbox" name="confirm" value="yes" required> I understand: the order is cancelled for good.</label></div>
        <button type="submit" class="danger">Cancel the order</button></form>`);
    }
    if (allowed.includes('RequestDataExport')) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/export">${csrfField(req)}<h2>Give the data back</h2>
        <p class="muted">Inside the return window (until ${dateTime(d.returnWindowEndsAt)}): destruction waits until the export is served.</p>
        <button type="submit">Request a data export</button></form>`);
    }
    if (allowed.includes('TerminateContract')) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/termination">${csrfField(req)}<h2>Terminate</h2>
        ${field('reason', 'Reason', values.reason, error, 'reason')}
        <div class="field"><label><input type="checkbox" name="confirm" value="yes" required> I understand: processing ends now, the credentials are shredded and the data will be destroyed.</label>${fieldError(error, 'confirm')}</div>
        <button type="submit" class="danger">Terminate the contract</button></form>`);
    }
    // Each declared file type the role may open, from its declaration (its create command's schema and roles).
    if (s.status !== 'cancelled') actions.push(...openFileForms(req, ui, id, refused));
    const files = await filesOf(dataSource, id, filter);
    const now = new Date().toISOString();
    const staff = (await dataSource.query(`SELECT state FROM staff WHERE state->'assignments' @> $1::jsonb ORDER BY received_at, id`, [JSON.stringify([{ contractId: id }])])) as { state: StaffState }[];
    const persons = staff.flatMap((r) => authorisationsOn(r.state, id, now));
    // The roster's authorise and revoke commands, for the roles its declaration names, while the contract is open.
    const mayAuthorise = (staffType.commands!.authorise!.roles as readonly string[]).includes(req.session!.role) && s.status !== 'destroyed' && s.status !== 'cancelled';
    const current = new Set(persons.filter((p) => p.authorisedUntil === null).map((p) => p.staffId));
    const candidates = mayAuthorise
      ? // Without their authorisations (a person on many contracts carries many): clearance does not depend on them.
        ((await dataSource.query(`SELECT jsonb_set(state, '{assignments}', '[]') AS state FROM staff ORDER BY received_at, id LIMIT 500`)) as { state: StaffState }[]).map((r) => toStaffView(r.state, now)).filter((p) => p.cleared && !current.has(p.id))
      : [];
    const auditor = TRAIL_ROLES.includes(req.session!.role);
    const links: Html[] = [];
    if (d.certificate) {
      links.push(
        html`<a href="/ui/contracts/${id}/certificate.json" download>Download the destruction certificate (JSON)</a>`,
        html`<a href="/ui/contracts/${id}/certificate.pdf" download>Download the destruction certificate (PDF)</a>`,
      );
    }
    if (auditor) links.push(html`<a href="/ui/contracts/${id}/evidence.zip" download>Download the evidence pack</a>`, html`<a href="/ui/contracts/${id}/trail">Audit trail</a>`);
    const lateDeadline = d.deadline !== null && (d.completedAt ? isLate(d.deadline, d.completedAt) : isOverdue(d.deadline, new Date().toISOString()));
    // The controller's own files (a contact check) with an open clock show on each of its contracts.
    const identity = controllerIdentity(s.controller);
    const controllerClocks = CONTROLLER_CLOCK_TYPES.length
      ? ((await dataSource.query(
          `SELECT stream_type, kind, due_at FROM ${DEADLINES_TABLE} WHERE (stream_type, stream_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY due_at`,
          [CONTROLLER_CLOCK_TYPES.map((t) => t.name), CONTROLLER_CLOCK_TYPES.map((t) => controllerFileId(t.name, identity))],
        )) as { stream_type: string; kind: string; due_at: Date }[])
      : [];
    return page(
      req,
      `Contract ${s.reference ?? s.contractId}`,
      'contracts',
      html`${error && !error.details ? html`<p class="notice" role="alert">${error.message}</p>` : ''}
      <p><span class="status">${s.status}</span> <a href="${controllerPageOf(identity)}">${s.controller.name}</a> · <span class="muted">${s.controller.email}</span></p>
      <dl class="facts">
        <dt>Ordered</dt><dd>${dateTime(s.orderedAt)}</dd>
        <dt>Processing since</dt><dd>${dateTime(s.processingStartedAt)}</dd>
        <dt>Term ends</dt><dd>${s.status === 'active' ? dateWithCountdown(s.termEnd) : '—'}</dd>
        <dt>Ended</dt><dd>${s.endedAt ? html`${dateTime(s.endedAt)} (${s.endKind})` : '—'}</dd>
        <dt>Destruction deadline</dt><dd>${d.deadline ? dateWithCountdown(d.deadline, lateDeadline) : '—'}</dd>
        <dt>Destruction</dt><dd>${d.status === 'none' ? '—' : html`${d.status}: ${d.locations.filter((l) => l.status === 'destroyed').length} of ${d.locations.length} locations destroyed`}</dd>
        <dt>Certificate</dt><dd>${d.certificate ? html`${d.certificate.certificateId} · ${dateTime(d.completedAt)} · ${d.certificate.withinDeadline ? html`<span class="ok">within the deadline</span>` : html`<span class="late">after the deadline</span>`}` : '—'}</dd>
      </dl>
      <h2>Timeline</h2>
      ${timeline(s)}
      ${isEnded(s) || s.status === 'destroyed' ? html`<h2>Locations</h2><ul>${d.locations.map((l) => html`<li>${l.name}: ${l.status}${l.status === 'destroyed' ? html` · ${dateTime(l.destroyedAt)}` : ''}</li>`)}</ul>` : ''}
      ${links.length ? html`<p class="links">${links.map((l, i) => html`${i ? ' · ' : ''}${l}`)}</p>` : ''}
      ${controllerClocks.length ? html`<h2>The controller</h2><ul>${controllerClocks.map((c) => html`<li><span class="late">${fileTypeNamed(c.stream_type)?.noun}: ${c.kind.replace(/-/g, ' ')}</span>, due ${dateWithCountdown(c.due_at.toISOString(), isOverdue(c.due_at.toISOString(), new Date().toISOString()))}</li>`)}</ul>` : ''}
      <h2>Authorised persons</h2>
      ${persons.length === 0 ? html`<p class="muted">Nobody is authorised on this contract yet.</p>` : html`<ul>${persons.map((p) => html`<li>${p.name}: from ${dateTime(p.authorisedFrom)}${p.authorisedUntil ? html` until ${dateTime(p.authorisedUntil)}` : ''} · ${p.cleared ? html`<span class="ok">cleared</span>` : html`<span class="late">gap: ${p.gaps.join(', ').replace(/_/g, ' ')}</span>`}${mayAuthorise && p.authorisedUntil === null ? html` <form method="post" action="/ui/contracts/${id}/authorised-persons/${p.staffId}/revoke" class="inline" aria-label="Revoke ${p.name}">${csrfField(req)}<button type="submit">Revoke</button></form>` : ''}</li>`)}</ul>`}
      ${mayAuthorise ? html`<form method="post" action="/ui/contracts/${id}/authorised-persons" class="card" aria-labelledby="authorise-title">${csrfField(req)}<h2 id="authorise-title">Authorise a person on this contract</h2>
        ${candidates.length === 0 ? html`<p class="muted">Nobody else on the roster is cleared (a signed undertaking and a valid training).</p>` : html`<div class="field"><label for="authorise-staff">Person (cleared)</label><select id="authorise-staff" name="staffId">${candidates.map((c) => html`<option value="${c.id}">${c.name} · ${c.email}</option>`)}</select></div><button type="submit">Authorise</button>`}</form>` : ''}
      <h2 id="files">Files</h2>
      ${fileFilterForm(id, filter)}
      ${files.length === 0 ? html`<p class="muted">${filtered ? 'No file matches this filter.' : 'No breach notice, request, instruction, audit or other file yet.'}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">File</th><th scope="col">Status</th><th scope="col">Opened</th><th scope="col">Clocks</th>${auditor ? html`<th scope="col">Trail</th>` : ''}</tr></thead><tbody>${files.map((f) => html`<tr><td>${filePageOf(id, f.stream, f.id) ? html`<a href="${filePageOf(id, f.stream, f.id)!}">${f.type}</a>` : f.type}</td><td><span class="status">${f.status}</span></td><td>${f.at ? dateTime(f.at.toISOString()) : '—'}</td><td>${f.overdue ? html`<span class="late">overdue</span>` : '—'}</td>${auditor ? html`<td><a href="/ui/contracts/${id}/trail?file=${f.id}">events</a></td>` : ''}</tr>`)}</tbody></table></div>`}
      ${actions.length ? html`<h2>Actions</h2><div class="actions">${actions}</div>` : ''}`,
    );
  };

  router.get('/contracts/:id', async (req: Signed, res, next) => {
    try {
      const id = String(req.params.id);
      if (!CANONICAL_UUID.test(id)) return void res.status(404).send(page(req, 'Not found', 'contracts', html`<p>No such contract.</p>`));
      res.send(await contractPage(req, id));
    } catch (e) {
      const error = toApiError(e);
      if (error.status === 404) return void res.status(404).send(page(req, 'Not found', 'contracts', html`<p>No such contract.</p>`));
      next(e);
    }
  });

  return contractPage;
}
