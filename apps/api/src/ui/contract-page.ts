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
import { staffWords } from './words';

/*
 * DESIGN §7 the contract's page: its facts, its timeline, its locations, the controller's open
 * clocks, the persons authorised on it, its files, and a form for each command the caller may send
 * it now. A refused command shows this page again, with what was typed and why (contract-commands.ts,
 * file-forms.ts), so the page is built by a function they are given.
 */

const say = staffWords('contractPage');

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
  return html`<form method="get" action="/ui/contracts/${id}" class="filters" aria-label="${say('filterLabel')}">
    <div class="field"><label for="files-type">${say('filterKind')}</label><select id="files-type" name="type"><option value="">${say('filterAny')}</option>${FILTER_TYPES.map((t) => html`<option value="${t.name}"${filter.type === t.name ? new Html(' selected') : ''}>${t.noun}</option>`)}</select></div>
    <div class="field"><label for="files-status">${say('filterStatus')}</label><select id="files-status" name="status"><option value="">${say('filterAny')}</option>${FILTER_STATUSES.map((st) => html`<option value="${st}"${filter.status === st ? new Html(' selected') : ''}>${st.replace(/_/g, ' ')}</option>`)}</select></div>
    <div class="field"><label><input type="checkbox" name="overdue" value="1"${filter.overdue ? new Html(' checked') : ''}> ${say('filterOverdue')}</label></div>
    <button type="submit">${say('filter')}</button></form>`;
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
      actions.push(html`<form method="post" action="/ui/contracts/${id}/credentials">${csrfField(req)}<h2>${say('credentialsTitle')}</h2>
        ${field('kind', say('credentialsKind'), values.kind ?? 'ssh', error, 'kind')}${field('host', say('credentialsHost'), values.host, error, 'host')}${field('username', say('credentialsUsername'), values.username, error, 'username')}
        <div class="field"><label for="secret">${say('credentialsSecret')}</label><input id="secret" type="password" name="secret" autocomplete="new-password" required>${fieldError(error, 'secret')}</div>
        <button type="submit">${say('credentialsSubmit')}</button></form>`);
    }
    if (allowed.includes('NoticeNonRenewal') && !s.nonRenewalNoticedAt) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/non-renewal">${csrfField(req)}<h2>${say('nonRenewalTitle')}</h2>
        <p class="muted">${say('nonRenewalHelp', { termEnd: dateTime(s.termEnd) })}</p>
        ${field('nonRenewalReason', say('nonRenewalReason'), values.nonRenewalReason, error, 'nonRenewalReason')}
        <button type="submit">${say('nonRenewalSubmit')}</button></form>`);
    }
    if (allowed.includes('CancelContract')) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/cancellation">${csrfField(req)}<h2>${say('cancelTitle')}</h2>
        ${field('cancelReason', say('cancelReason'), values.cancelReason, error, 'cancelReason')}
        <div class="field"><label><input type="checkbox" name="confirm" value="yes" required> ${say('cancelConfirm')}</label></div>
        <button type="submit" class="danger">${say('cancelSubmit')}</button></form>`);
    }
    if (allowed.includes('RequestDataExport')) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/export">${csrfField(req)}<h2>${say('exportTitle')}</h2>
        <p class="muted">${say('exportHelp', { until: dateTime(d.returnWindowEndsAt) })}</p>
        <button type="submit">${say('exportSubmit')}</button></form>`);
    }
    if (allowed.includes('TerminateContract')) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/termination">${csrfField(req)}<h2>${say('terminateTitle')}</h2>
        ${field('reason', say('terminateReason'), values.reason, error, 'reason')}
        <div class="field"><label><input type="checkbox" name="confirm" value="yes" required> ${say('terminateConfirm')}</label>${fieldError(error, 'confirm')}</div>
        <button type="submit" class="danger">${say('terminateSubmit')}</button></form>`);
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
        html`<a href="/ui/contracts/${id}/certificate.json" download>${say('certificateJson')}</a>`,
        html`<a href="/ui/contracts/${id}/certificate.pdf" download>${say('certificatePdf')}</a>`,
      );
    }
    if (auditor) links.push(html`<a href="/ui/contracts/${id}/evidence.zip" download>${say('evidencePack')}</a>`, html`<a href="/ui/contracts/${id}/trail">${say('auditTrail')}</a>`);
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
      say('title', { name: s.reference ?? s.contractId }),
      'contracts',
      html`${error && !error.details ? html`<p class="notice" role="alert">${error.message}</p>` : ''}
      <p><span class="status">${s.status}</span> <a href="${controllerPageOf(identity)}">${s.controller.name}</a> · <span class="muted">${s.controller.email}</span></p>
      <dl class="facts">
        <dt>${say('ordered')}</dt><dd>${dateTime(s.orderedAt)}</dd>
        <dt>${say('processingSince')}</dt><dd>${dateTime(s.processingStartedAt)}</dd>
        <dt>${say('termEnds')}</dt><dd>${s.status === 'active' ? dateWithCountdown(s.termEnd) : '—'}</dd>
        <dt>${say('ended')}</dt><dd>${s.endedAt ? html`${dateTime(s.endedAt)} (${s.endKind})` : '—'}</dd>
        <dt>${say('destructionDeadline')}</dt><dd>${d.deadline ? dateWithCountdown(d.deadline, lateDeadline) : '—'}</dd>
        <dt>${say('destruction')}</dt><dd>${d.status === 'none' ? '—' : html`${d.status}: ${say('locationsDestroyed', { destroyed: d.locations.filter((l) => l.status === 'destroyed').length, total: d.locations.length })}`}</dd>
        <dt>${say('certificate')}</dt><dd>${d.certificate ? html`${d.certificate.certificateId} · ${dateTime(d.completedAt)} · ${d.certificate.withinDeadline ? html`<span class="ok">${say('withinDeadline')}</span>` : html`<span class="late">${say('afterDeadline')}</span>`}` : '—'}</dd>
      </dl>
      <h2>${say('timeline')}</h2>
      ${timeline(s)}
      ${isEnded(s) || s.status === 'destroyed' ? html`<h2>${say('locations')}</h2><ul>${d.locations.map((l) => html`<li>${l.name}: ${l.status}${l.status === 'destroyed' ? html` · ${dateTime(l.destroyedAt)}` : ''}</li>`)}</ul>` : ''}
      ${links.length ? html`<p class="links">${links.map((l, i) => html`${i ? ' · ' : ''}${l}`)}</p>` : ''}
      ${controllerClocks.length ? html`<h2>${say('controller')}</h2><ul>${controllerClocks.map((c) => html`<li><span class="late">${fileTypeNamed(c.stream_type)?.noun}: ${c.kind.replace(/-/g, ' ')}</span>, ${say('due')} ${dateWithCountdown(c.due_at.toISOString(), isOverdue(c.due_at.toISOString(), new Date().toISOString()))}</li>`)}</ul>` : ''}
      <h2>${say('authorisedPersons')}</h2>
      ${persons.length === 0 ? html`<p class="muted">${say('nobodyAuthorised')}</p>` : html`<ul>${persons.map((p) => html`<li>${p.name}: ${say('authorisedFrom', { at: dateTime(p.authorisedFrom) })}${p.authorisedUntil ? ` ${say('authorisedUntil', { at: dateTime(p.authorisedUntil) })}` : ''} · ${p.cleared ? html`<span class="ok">${say('cleared')}</span>` : html`<span class="late">${say('gap', { gaps: p.gaps.join(', ').replace(/_/g, ' ') })}</span>`}${mayAuthorise && p.authorisedUntil === null ? html` <form method="post" action="/ui/contracts/${id}/authorised-persons/${p.staffId}/revoke" class="inline" aria-label="${say('revokeLabel', { name: p.name })}">${csrfField(req)}<button type="submit">${say('revoke')}</button></form>` : ''}</li>`)}</ul>`}
      ${mayAuthorise ? html`<form method="post" action="/ui/contracts/${id}/authorised-persons" class="card" aria-labelledby="authorise-title">${csrfField(req)}<h2 id="authorise-title">${say('authoriseTitle')}</h2>
        ${candidates.length === 0 ? html`<p class="muted">${say('noCandidates')}</p>` : html`<div class="field"><label for="authorise-staff">${say('authorisePerson')}</label><select id="authorise-staff" name="staffId">${candidates.map((c) => html`<option value="${c.id}">${c.name} · ${c.email}</option>`)}</select></div><button type="submit">${say('authorise')}</button>`}</form>` : ''}
      <h2 id="files">${say('files')}</h2>
      ${fileFilterForm(id, filter)}
      ${files.length === 0 ? html`<p class="muted">${filtered ? say('noFileMatches') : say('noFiles')}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">${say('fileColumn')}</th><th scope="col">${say('statusColumn')}</th><th scope="col">${say('openedColumn')}</th><th scope="col">${say('clocksColumn')}</th>${auditor ? html`<th scope="col">${say('trailColumn')}</th>` : ''}</tr></thead><tbody>${files.map((f) => html`<tr><td>${filePageOf(id, f.stream, f.id) ? html`<a href="${filePageOf(id, f.stream, f.id)!}">${f.type}</a>` : f.type}</td><td><span class="status">${f.status}</span></td><td>${f.at ? dateTime(f.at.toISOString()) : '—'}</td><td>${f.overdue ? html`<span class="late">${say('overdue')}</span>` : '—'}</td>${auditor ? html`<td><a href="/ui/contracts/${id}/trail?file=${f.id}">${say('events')}</a></td>` : ''}</tr>`)}</tbody></table></div>`}
      ${actions.length ? html`<h2>${say('actions')}</h2><div class="actions">${actions}</div>` : ''}`,
    );
  };

  router.get('/contracts/:id', async (req: Signed, res, next) => {
    try {
      const id = String(req.params.id);
      if (!CANONICAL_UUID.test(id)) return void res.status(404).send(page(req, say('notFoundTitle'), 'contracts', html`<p>${say('notFound')}</p>`));
      res.send(await contractPage(req, id));
    } catch (e) {
      const error = toApiError(e);
      if (error.status === 404) return void res.status(404).send(page(req, say('notFoundTitle'), 'contracts', html`<p>${say('notFound')}</p>`));
      next(e);
    }
  });

  return contractPage;
}
