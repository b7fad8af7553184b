import { type Router } from 'express';
import { type DataSource } from 'typeorm';
import { CANONICAL_UUID, SUB_PROCESSOR_CHANGE_KINDS, subProcessorChangeType, toSubProcessorNoticeView, type SubProcessorNoticeState } from '#domain';
import { ApiError } from '../common/api-error';
import { AnnounceSubProcessorChangeDto, LOCATION_KINDS, ObjectionDto } from '../sub-processors/dto/sub-processors.dto';
import { type SubProcessorChanges, type SubProcessorNotices } from '../sub-processors/sub-processors.service';
import { field } from './forms';
import { dateTime, html, Html } from './html';
import { registersNav } from './registers';
import { utcOfLocal } from './schema-forms';
import { type Signed } from './sessions';
import { fileTrailLink } from './trail';
import { formPost, type UiContext } from './ui-context';
import { staffWords } from './words';

/*
 * DESIGN §7, §3.8 the sub-processors in the browser: the register (the catalog's parties and those
 * a change in force engaged), every change announced with its objection period, announcing one (the
 * DPO, as the API lets), and each change's notices to the contracts it affects with their
 * objections, recorded by account management for the controller. The same services as the API.
 */

const say = staffWords('subProcessors');

const choice = (id: string, label: string, options: readonly string[], value: string | undefined) =>
  html`<div class="field"><label for="${id}">${label}</label><select id="${id}" name="${id}">${options.map((o) => html`<option value="${o}"${o === value ? new Html(' selected') : ''}>${o}</option>`)}</select></div>`;

export function subProcessorRoutes(router: Router, ui: UiContext, changes: SubProcessorChanges, notices: SubProcessorNotices, dataSource: DataSource): void {
  const { page, csrfField } = ui;

  const registerPage = async (req: Signed, error: ApiError | null = null, values: Record<string, string> = {}) => {
    const { items: parties, changes: all } = await changes.register();
    const dpo = req.session!.role === 'dpo';
    return page(
      req,
      say('title'),
      'registers',
      html`${registersNav('sub-processors', req.session!.role)}<p class="muted">${say('intro')}</p>
      <div class="table-wrap"><table><caption class="muted">${say('registerCaption')}</caption><thead><tr><th scope="col">${say('party')}</th><th scope="col">${say('role')}</th><th scope="col">${say('country')}</th><th scope="col" class="wide">${say('sites')}</th></tr></thead>
      <tbody>${parties.map((s) => html`<tr><td>${s.name}</td><td>${s.role}</td><td>${s.country}</td><td class="wide">${s.sites.join('; ')}</td></tr>`)}</tbody></table></div>
      <h2>${say('changes')}</h2>
      ${all.length === 0 ? html`<p class="muted">${say('noChange')}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">${say('change')}</th><th scope="col">${say('status')}</th><th scope="col">${say('objectionsUntil')}</th><th scope="col">${say('inForce')}</th><th scope="col">${say('contractsTold')}</th></tr></thead>
        <tbody>${all.map((c) => html`<tr><td><a href="/ui/sub-processors/changes/${c.id}">${say(c.replaces ? 'changeNameReplacing' : 'changeName', { kind: c.kind, name: c.subProcessor.name, location: c.location.name, replaces: c.replaces })}</a></td><td><span class="status">${c.status}</span></td><td>${dateTime(c.objectionDeadline)}</td><td>${dateTime(c.effectiveAt)}</td><td>${c.contractsNotified ?? '—'}</td></tr>`)}</tbody></table></div>`}
      ${dpo
        ? html`<form method="post" action="/ui/sub-processors" class="card" aria-labelledby="announce-title">${csrfField(req)}<h2 id="announce-title">${say('announceTitle')}</h2>
          <p class="muted">${say('announceHelp')}</p>
          ${error ? html`<p class="notice" role="alert">${error.message}</p>` : ''}
          ${choice('kind', say('kindLabel'), SUB_PROCESSOR_CHANGE_KINDS, values.kind)}
          ${field('subProcessorName', say('subProcessor'), values.subProcessorName, error, 'change.subProcessor.name')}
          ${field('subProcessorRole', say('roleLabel'), values.subProcessorRole, error, 'change.subProcessor.role')}
          ${field('subProcessorCountry', say('countryLabel'), values.subProcessorCountry, error, 'change.subProcessor.country')}
          ${field('locationId', say('locationIdLabel'), values.locationId, error, 'change.location.id')}
          ${field('locationName', say('locationNameLabel'), values.locationName, error, 'change.location.name')}
          ${choice('locationKind', say('locationKindLabel'), LOCATION_KINDS, values.locationKind)}
          ${field('locationSite', say('locationSiteLabel'), values.locationSite, error, 'change.location.site')}
          ${field('replaces', say('replacesLabel'), values.replaces, error, 'change.replaces')}
          ${field('effectiveAt', say('effectiveAtLabel'), values.effectiveAt, error, 'effectiveAt', 'datetime-local')}
          <button type="submit">${say('announce')}</button></form>`
        : ''}`,
    );
  };

  const changePage = async (req: Signed, id: string, error: ApiError | null = null) => {
    const c = await changes.found(id);
    const rows = (await dataSource.query(
      `SELECT n.state, c.reference, c.controller_name FROM sub_processor_notices n JOIN contracts c ON c.id = n.contract_id WHERE n.state->'change'->>'changeId' = $1 ORDER BY c.controller_name, c.id`,
      [id],
    )) as { state: SubProcessorNoticeState; reference: string | null; controller_name: string }[];
    const manager = req.session!.role === 'account_manager';
    const open = Date.now() <= Date.parse(c.objectionDeadline);
    return page(
      req,
      say('changeTitle', { name: c.subProcessor.name }),
      'registers',
      html`${registersNav('sub-processors', req.session!.role)}${error ? html`<p class="notice" role="alert">${error.message}</p>` : ''}
      <p><span class="status">${c.status}</span></p>
      <dl class="facts"><dt>${say('kind')}</dt><dd>${c.kind}</dd><dt>${say('subProcessor')}</dt><dd>${c.subProcessor.name} (${c.subProcessor.role}, ${c.subProcessor.country})</dd><dt>${say('location')}</dt><dd>${c.location.name}: ${c.location.site}</dd>
        <dt>${say('replaces')}</dt><dd>${c.replaces ?? '—'}</dd><dt>${say('announced')}</dt><dd>${dateTime(c.announcedAt)}</dd><dt>${say('objectionsUntil')}</dt><dd>${dateTime(c.objectionDeadline)}</dd><dt>${say('inForce')}</dt><dd>${dateTime(c.effectiveAt)}</dd></dl>
      <h2>${say('notices')}</h2>
      ${rows.length === 0 ? html`<p class="muted">${say('noneAffected')}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">${say('controller')}</th><th scope="col">${say('contract')}</th><th scope="col">${say('notice')}</th><th scope="col">${say('emailed')}</th><th scope="col" class="wide">${say('objection')}</th></tr></thead>
        <tbody>${rows.map((r) => {
          const n = toSubProcessorNoticeView(r.state);
          const form =
            manager && open && n.status === 'announced'
              ? html`<form method="post" action="/ui/sub-processors/changes/${id}/notices/${n.contractId}/objection" aria-label="${say('objectFor', { controller: r.controller_name })}">${csrfField(req)}<label for="reason-${n.contractId}">${say('reasonLabel')}</label><input id="reason-${n.contractId}" name="reason"><button type="submit">${say('recordObjection')}</button></form>`
              : '';
          return html`<tr><td>${r.controller_name}</td><td><a href="/ui/contracts/${n.contractId}">${r.reference ?? n.contractId.slice(0, 8)}</a></td><td><span class="status">${n.status}</span></td><td>${dateTime(n.sentAt)}</td><td class="wide">${n.objectionReason ? html`${n.objectionReason} · ${dateTime(n.objectedAt)}` : form}</td></tr>`;
        })}</tbody></table></div>`}
      ${fileTrailLink(req, subProcessorChangeType, id, `/ui/sub-processors/changes/${id}`)}`,
    );
  };

  router.get('/sub-processors', async (req: Signed, res, next) => {
    try {
      res.send(await registerPage(req));
    } catch (e) {
      next(e);
    }
  });

  formPost(
    router,
    '/sub-processors',
    async (req, v) => {
      if (req.session!.role !== 'dpo') throw new ApiError(403, 'forbidden', 'Only the DPO announces sub-processor changes.');
      const body = {
        change: {
          kind: v.kind,
          subProcessor: { name: v.subProcessorName, role: v.subProcessorRole, country: v.subProcessorCountry },
          location: { id: v.locationId, name: v.locationName, kind: v.locationKind, site: v.locationSite },
          ...(v.replaces ? { replaces: v.replaces } : {}),
        },
        effectiveAt: utcOfLocal(v.effectiveAt),
      };
      const dto = (await ui.pipe.transform(body, { type: 'body', metatype: AnnounceSubProcessorChangeDto })) as AnnounceSubProcessorChangeDto;
      const { view } = await changes.announce(dto, ui.principalOf(req.session!));
      return `/ui/sub-processors/changes/${view.id}`;
    },
    registerPage,
  );

  router.get('/sub-processors/changes/:cid', async (req: Signed, res, next) => {
    try {
      const id = String(req.params.cid);
      if (!CANONICAL_UUID.test(id)) throw new ApiError(404, 'not_found', 'No such sub-processor change.');
      res.send(await changePage(req, id));
    } catch (e) {
      next(e);
    }
  });

  formPost(
    router,
    '/sub-processors/changes/:cid/notices/:id/objection',
    async (req, values) => {
      const changeId = String(req.params.cid);
      const contractId = String(req.params.id);
      if (!CANONICAL_UUID.test(changeId) || !CANONICAL_UUID.test(contractId)) throw new ApiError(404, 'not_found', 'No such notice.');
      if (req.session!.role !== 'account_manager') throw new ApiError(403, 'forbidden', "Account management records a controller's objection.");
      const dto = (await ui.pipe.transform({ reason: values.reason }, { type: 'body', metatype: ObjectionDto })) as ObjectionDto;
      await notices.object(contractId, changeId, dto, ui.principalOf(req.session!));
      return `/ui/sub-processors/changes/${changeId}`;
    },
    (req, error) => changePage(req, String(req.params.cid), error),
  );
}
