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
import { staffWords } from './words';

const say = staffWords('incidents');

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
    return html`<form method="post" action="/ui/incidents" class="card">${ui.csrfField(req)}<h2>${say('recordTitle')}</h2>
      ${error ? html`<p class="notice" role="alert">${error.message}</p>` : ''}
      ${field('summary', say('summaryLabel'), String(values.summary ?? ''), error, 'summary')}
      ${field('detectedAt', say('detectedAtLabel'), String(values.detectedAt ?? local(new Date().toISOString())), error, 'detectedAt', 'datetime-local')}
      <fieldset><legend>${say('locationsLegend')}</legend>${STORAGE_LOCATIONS.map((l) => html`<label class="inline"><input type="checkbox" name="locations" value="${l.id}"${chosen.includes(l.id) ? new Html(' checked') : ''}> ${l.name}</label>`)}${fieldError(error, 'scope.locations')}</fieldset>
      ${field('from', say('fromLabel'), String(values.from ?? ''), error, 'scope.from', 'datetime-local')}
      ${field('to', say('toLabel'), String(values.to ?? ''), error, 'scope.to', 'datetime-local')}
      <button type="submit">${say('record')}</button></form>`;
  };

  const listPage = async (req: Signed, values: Record<string, unknown> = {}, error: ApiError | null = null) => {
    const cursor = req.method === 'GET' && typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
    const { items, nextCursor } = await incidents.list({ limit: 50, ...(cursor ? { cursor } : {}) });
    return ui.page(
      req,
      say('title'),
      'incidents',
      html`<div class="table-wrap"><table><caption class="muted">${items.length === 0 ? say('noneRecorded') : say('listCaption', { total: items.length })}</caption>
        <thead><tr><th scope="col">${say('incident')}</th><th scope="col">${say('status')}</th><th scope="col">${say('detected')}</th><th scope="col">${say('affectedContracts')}</th><th scope="col" class="wide">${say('notices')}</th></tr></thead>
        <tbody>${items.map((i) => html`<tr><td><a href="/ui/incidents/${i.id}">${i.content.summary}</a></td><td><span class="status">${i.status}</span></td><td>${dateTime(i.detectedAt)}</td><td>${i.affectedContracts ?? '—'}</td><td class="wide">${Object.entries(i.notices).map(([k, n]) => `${n} ${k}`).join(', ') || '—'}</td></tr>`)}</tbody></table></div>
      ${nextCursor ? html`<p><a href="/ui/incidents?cursor=${encodeURIComponent(nextCursor)}" rel="next">${say('older')}</a></p>` : ''}
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
      forms.push(html`<form method="post" action="/ui/incidents/${id}/confirmation" aria-labelledby="confirm-title">${ui.csrfField(req)}<h2 id="confirm-title">${say('confirmTitle')}</h2>
        ${field('awareAt', say('awareAtLabel'), String(values.awareAt ?? local(awareDefault(i.detectedAt))), error, 'awareAt', 'datetime-local')}
        <div class="field"><label><input type="checkbox" name="confirm" value="yes" required> ${say('confirmCheck')}</label></div>
        <button type="submit" class="danger">${say('confirmButton')}</button></form>`);
    }
    if (req.session!.role === 'dpo' && i.status === 'investigating') {
      forms.push(html`<form method="post" action="/ui/incidents/${id}/dismissal" aria-labelledby="dismiss-title">${ui.csrfField(req)}<h2 id="dismiss-title">${say('dismissTitle')}</h2>
        ${field('reason', say('reasonLabel'), String(values.reason ?? ''), error, 'reason')}
        <div class="field"><label><input type="checkbox" name="confirm" value="yes" required> ${say('dismissCheck')}</label></div>
        <button type="submit" class="danger">${say('dismissButton')}</button></form>`);
    }
    if (req.session!.role === 'dpo' && i.status === 'confirmed') {
      forms.push(html`<form method="post" action="/ui/incidents/${id}/updates" aria-labelledby="update-title">${ui.csrfField(req)}<h2 id="update-title">${say('updateTitle')}</h2>
        ${field('measures', say('measuresLabel'), String(values.measures ?? ''), error, 'measures')}
        ${field('likelyConsequences', say('consequencesLabel'), String(values.likelyConsequences ?? ''), error, 'likelyConsequences')}
        <button type="submit">${say('updateButton')}</button></form>`);
      forms.push(html`<form method="post" action="/ui/incidents/${id}/closure" aria-labelledby="close-title">${ui.csrfField(req)}<h2 id="close-title">${say('closeTitle')}</h2>
        ${field('summary', say('endLabel'), String(values.summary ?? ''), error, 'summary')}
        <div class="field"><label><input type="checkbox" name="confirm" value="yes" required> ${say('closeCheck')}</label></div>
        <button type="submit" class="danger">${say('closeButton')}</button></form>`);
    }
    return ui.page(
      req,
      say('incidentTitle', { summary: i.content.summary }),
      'incidents',
      html`${error && !fieldErrorNamed(error) ? html`<p class="notice" role="alert">${error.message}</p>` : ''}
      <p><span class="status">${i.status}</span></p>
      <dl class="facts"><dt>${say('detected')}</dt><dd>${dateTime(i.detectedAt)}</dd><dt>${say('aware')}</dt><dd>${dateTime(i.awareAt)}</dd><dt>${say('scope')}</dt><dd>${'locations' in i.scope && i.scope.locations ? say('scopeWindow', { locations: i.scope.locations.join(', '), from: dateTime(i.scope.from), to: dateTime(i.scope.to) }) : say('scopeContracts', { total: (i.scope as { contracts?: string[] }).contracts?.length ?? 0 })}</dd>
      <dt>${say('affectedContracts')}</dt><dd>${i.affectedContracts ?? '—'}</dd><dt>${say('updatesSent')}</dt><dd>${i.updates.length}</dd></dl>
      <h2>${say('affectedTitle')}</h2>
      ${affected.length === 0 ? html`<p class="muted">${i.status === 'investigating' ? say('resolvedOnConfirmation') : say('noneAffected')}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">${say('controller')}</th><th scope="col">${say('notice')}</th><th scope="col">${say('sent')}</th></tr></thead><tbody>${affected.map((a) => html`<tr><td><a href="/ui/contracts/${a.contractId}">${a.controllerName}</a></td><td><span class="status">${a.noticeStatus ?? 'opening'}</span></td><td>${dateTime(a.sentAt)}</td></tr>`)}</tbody></table></div>`}
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
