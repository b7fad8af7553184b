import { type Router } from 'express';
import { CANONICAL_UUID, incidentType, STORAGE_LOCATIONS } from '#domain';
import { type Role } from '#infra/auth/api-keys';
import { ApiError } from '../common/api-error';
import { toApiError } from '../common/error.filter';
import { CloseIncidentDto, ConfirmIncidentDto, DismissIncidentDto, RecordIncidentDto, UpdateIncidentDto } from '../incidents/dto/incidents.dto';
import { type Incidents } from '../incidents/incidents.service';
import { field, fieldError } from './forms';
import { dateTime, html, Html } from './html';
import { utcOfLocal } from './schema-forms';
import { type Signed } from './sessions';
import { fileTrailLink } from './trail';
import { type UiContext } from './ui-context';

const READERS: readonly Role[] = ['dpo', 'admin'];
/** An instant as a datetime-local field shows it (UTC, to the second). */
const local = (iso: string) => iso.slice(0, 19);
/** Awareness offered by default: now, or the detection if later, rounded up to the second the field holds (never before the detection). */
const awareDefault = (detectedAt: string) => new Date(Math.ceil(Math.max(Date.now(), Date.parse(detectedAt)) / 1_000) * 1_000).toISOString();

/**
 * DESIGN §7 Incidents: record one (DPO), confirm it, send updates; see the affected contracts and
 * each controller's notice. The same service as POST /incidents and its sub-resources.
 */
export function incidentRoutes(router: Router, ui: UiContext, incidents: Incidents): void {
  const readers = (req: Signed) => {
    if (!READERS.includes(req.session!.role)) throw new ApiError(403, 'forbidden', 'Incidents are for the DPO and admins.');
  };
  const dpo = (req: Signed) => {
    if (req.session!.role !== 'dpo') throw new ApiError(403, 'forbidden', 'Only the DPO records and confirms incidents.');
  };

  const recordForm = (req: Signed, values: Record<string, unknown>, error: ApiError | null) => {
    const chosen = ([] as unknown[]).concat(values.locations ?? []);
    return html`<form method="post" action="/ui/incidents" class="card">${ui.csrfField(req)}<h2>Record an incident</h2>
      ${error ? html`<p class="notice" role="alert">${error.message}</p>` : ''}
      ${field('summary', 'What happened', String(values.summary ?? ''), error, 'summary')}
      ${field('detectedAt', 'Detected at (UTC)', String(values.detectedAt ?? local(new Date().toISOString())), error, 'detectedAt', 'datetime-local')}
      <fieldset><legend>Storage locations touched</legend>${STORAGE_LOCATIONS.map((l) => html`<label class="inline"><input type="checkbox" name="locations" value="${l.id}"${chosen.includes(l.id) ? new Html(' checked') : ''}> ${l.name}</label>`)}${fieldError(error, 'scope.locations')}</fieldset>
      ${field('from', 'Window from (UTC)', String(values.from ?? ''), error, 'scope.from', 'datetime-local')}
      ${field('to', 'Window to (UTC)', String(values.to ?? ''), error, 'scope.to', 'datetime-local')}
      <button type="submit">Record</button></form>`;
  };

  const listPage = async (req: Signed, values: Record<string, unknown> = {}, error: ApiError | null = null) => {
    const cursor = req.method === 'GET' && typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
    const { items, nextCursor } = await incidents.list({ limit: 50, ...(cursor ? { cursor } : {}) });
    return ui.page(
      req,
      'Incidents',
      'incidents',
      html`<div class="table-wrap"><table><caption class="muted">${items.length === 0 ? 'No incident recorded.' : `${items.length} incident(s), latest first`}</caption>
        <thead><tr><th scope="col">Incident</th><th scope="col">Status</th><th scope="col">Detected</th><th scope="col">Affected contracts</th><th scope="col" class="wide">Notices</th></tr></thead>
        <tbody>${items.map((i) => html`<tr><td><a href="/ui/incidents/${i.id}">${i.content.summary}</a></td><td><span class="status">${i.status}</span></td><td>${dateTime(i.detectedAt)}</td><td>${i.affectedContracts ?? '—'}</td><td class="wide">${Object.entries(i.notices).map(([k, n]) => `${n} ${k}`).join(', ') || '—'}</td></tr>`)}</tbody></table></div>
      ${nextCursor ? html`<p><a href="/ui/incidents?cursor=${encodeURIComponent(nextCursor)}" rel="next">Older incidents</a></p>` : ''}
      ${req.session!.role === 'dpo' ? recordForm(req, values, error) : ''}`,
    );
  };

  router.get('/incidents', async (req: Signed, res, next) => {
    try {
      readers(req);
      res.send(await listPage(req));
    } catch (e) {
      next(e);
    }
  });

  router.post('/incidents', async (req: Signed, res, next) => {
    const body = req.body as Record<string, unknown>;
    try {
      dpo(req);
      const dto = (await ui.pipe.transform(
        { summary: body.summary, detectedAt: utcOfLocal(body.detectedAt), scope: { locations: ([] as unknown[]).concat(body.locations ?? []), from: utcOfLocal(body.from), to: utcOfLocal(body.to) } },
        { type: 'body', metatype: RecordIncidentDto },
      )) as RecordIncidentDto;
      const { view } = await incidents.record(dto, ui.principalOf(req.session!), null);
      res.redirect(303, `/ui/incidents/${view.id}`);
    } catch (e) {
      const error = toApiError(e);
      if (error.status >= 500 || error.status === 403) return next(e);
      res.status(error.status).send(await listPage(req, body, error));
    }
  });

  const incidentPage = async (req: Signed, id: string, error: ApiError | null = null, values: Record<string, unknown> = {}) => {
    const i = await incidents.found(id);
    const { items: affected } = await incidents.affected(id, { limit: 200 });
    const forms: Html[] = [];
    if (req.session!.role === 'dpo' && i.status === 'investigating') {
      forms.push(html`<form method="post" action="/ui/incidents/${id}/confirmation" aria-labelledby="confirm-title">${ui.csrfField(req)}<h2 id="confirm-title">Confirm: personal data was breached</h2>
        ${field('awareAt', 'Aware at (UTC): the notices\u2019 clocks run from here', String(values.awareAt ?? local(awareDefault(i.detectedAt))), error, 'awareAt', 'datetime-local')}
        <div class="field"><label><input type="checkbox" name="confirm" value="yes" required> I confirm: every affected controller is notified at once.</label></div>
        <button type="submit" class="danger">Confirm the breach</button></form>`);
    }
    if (req.session!.role === 'dpo' && i.status === 'investigating') {
      forms.push(html`<form method="post" action="/ui/incidents/${id}/dismissal" aria-labelledby="dismiss-title">${ui.csrfField(req)}<h2 id="dismiss-title">Dismiss: no personal data was breached</h2>
        ${field('reason', 'Why it is not a personal data breach', String(values.reason ?? ''), error, 'reason')}
        <div class="field"><label><input type="checkbox" name="confirm" value="yes" required> I confirm: the incident is closed for good, and no controller is notified.</label></div>
        <button type="submit" class="danger">Dismiss the incident</button></form>`);
    }
    if (req.session!.role === 'dpo' && i.status === 'confirmed') {
      forms.push(html`<form method="post" action="/ui/incidents/${id}/updates" aria-labelledby="update-title">${ui.csrfField(req)}<h2 id="update-title">Send an update</h2>
        ${field('measures', 'Measures taken or proposed', String(values.measures ?? ''), error, 'measures')}
        ${field('likelyConsequences', 'Likely consequences', String(values.likelyConsequences ?? ''), error, 'likelyConsequences')}
        <button type="submit">Send to every notice</button></form>`);
      forms.push(html`<form method="post" action="/ui/incidents/${id}/closure" aria-labelledby="close-title">${ui.csrfField(req)}<h2 id="close-title">Close the incident</h2>
        ${field('summary', 'How it ended', String(values.summary ?? ''), error, 'summary')}
        <div class="field"><label><input type="checkbox" name="confirm" value="yes" required> I confirm: the incident is over; its notices are closed.</label></div>
        <button type="submit" class="danger">Close the incident</button></form>`);
    }
    return ui.page(
      req,
      `Incident: ${i.content.summary}`,
      'incidents',
      html`${error && !fieldErrorNamed(error) ? html`<p class="notice" role="alert">${error.message}</p>` : ''}
      <p><span class="status">${i.status}</span></p>
      <dl class="facts"><dt>Detected</dt><dd>${dateTime(i.detectedAt)}</dd><dt>Aware</dt><dd>${dateTime(i.awareAt)}</dd><dt>Scope</dt><dd>${'locations' in i.scope && i.scope.locations ? `${i.scope.locations.join(', ')} from ${dateTime(i.scope.from)} to ${dateTime(i.scope.to)}` : `${(i.scope as { contracts?: string[] }).contracts?.length ?? 0} named contract(s)`}</dd>
      <dt>Affected contracts</dt><dd>${i.affectedContracts ?? '—'}</dd><dt>Updates sent</dt><dd>${i.updates.length}</dd></dl>
      <h2>Affected contracts and their notices</h2>
      ${affected.length === 0 ? html`<p class="muted">${i.status === 'investigating' ? 'Resolved once the incident is confirmed.' : 'No contract was affected.'}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">Controller</th><th scope="col">Notice</th><th scope="col">Sent</th></tr></thead><tbody>${affected.map((a) => html`<tr><td><a href="/ui/contracts/${a.contractId}">${a.controllerName}</a></td><td><span class="status">${a.noticeStatus ?? 'opening'}</span></td><td>${dateTime(a.sentAt)}</td></tr>`)}</tbody></table></div>`}
      ${forms.length ? html`<div class="actions">${forms}</div>` : ''}
      ${fileTrailLink(req, incidentType, id, `/ui/incidents/${id}`)}`,
    );
  };

  router.get('/incidents/:id', async (req: Signed, res, next) => {
    try {
      readers(req);
      const id = String(req.params.id);
      if (!CANONICAL_UUID.test(id)) throw new ApiError(404, 'not_found', 'No such incident.');
      res.send(await incidentPage(req, id));
    } catch (e) {
      next(e);
    }
  });

  const command = (path: string, run: (req: Signed, id: string, body: Record<string, unknown>) => Promise<unknown>) =>
    router.post(`/incidents/:id/${path}`, async (req: Signed, res, next) => {
      const id = String(req.params.id);
      const body = req.body as Record<string, unknown>;
      try {
        dpo(req);
        if (!CANONICAL_UUID.test(id)) throw new ApiError(404, 'not_found', 'No such incident.');
        await run(req, id, body);
        res.redirect(303, `/ui/incidents/${id}`);
      } catch (e) {
        const error = toApiError(e);
        if (error.status >= 500 || error.status === 403 || error.status === 404) return next(e);
        res.status(error.status).send(await incidentPage(req, id, error, body));
      }
    });
  command('confirmation', async (req, id, body) => {
    if (body.confirm !== 'yes') throw new ApiError(400, 'confirmation_required', 'Tick the box to confirm: every affected controller is notified at once.');
    const dto = (await ui.pipe.transform({ awareAt: utcOfLocal(body.awareAt) }, { type: 'body', metatype: ConfirmIncidentDto })) as ConfirmIncidentDto;
    await incidents.confirm(id, dto, ui.principalOf(req.session!));
  });
  command('dismissal', async (req, id, body) => {
    if (body.confirm !== 'yes') throw new ApiError(400, 'confirmation_required', 'Tick the box to confirm: a dismissal cannot be undone.');
    const dto = (await ui.pipe.transform({ reason: body.reason }, { type: 'body', metatype: DismissIncidentDto })) as DismissIncidentDto;
    await incidents.dismiss(id, dto, ui.principalOf(req.session!));
  });
  command('closure', async (req, id, body) => {
    if (body.confirm !== 'yes') throw new ApiError(400, 'confirmation_required', 'Tick the box to confirm: a closure cannot be undone.');
    const dto = (await ui.pipe.transform({ summary: body.summary }, { type: 'body', metatype: CloseIncidentDto })) as CloseIncidentDto;
    await incidents.close(id, dto, ui.principalOf(req.session!));
  });
  command('updates', async (req, id, body) => {
    const changes = Object.fromEntries(Object.entries({ measures: body.measures, likelyConsequences: body.likelyConsequences }).filter(([, v]) => typeof v === 'string' && v.trim() !== ''));
    const dto = (await ui.pipe.transform(changes, { type: 'body', metatype: UpdateIncidentDto })) as UpdateIncidentDto;
    await incidents.update(id, dto, ui.principalOf(req.session!));
  });
}

const fieldErrorNamed = (error: ApiError) => Boolean((error.details as { fields?: unknown[]; field?: string } | undefined)?.fields?.length ?? (error.details as { field?: string } | undefined)?.field);
