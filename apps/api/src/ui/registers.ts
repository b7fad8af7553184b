import { Logger } from '@nestjs/common';
import { PROCESSOR_DPO_ID, processorDpoType, toProcessorDpoView } from '#domain';
import { type Router } from 'express';
import { ApiError } from '../common/api-error';
import { DEFAULT_PAGE, readCursor, toPage } from '../common/pagination';
import { SetDpoDto } from '../processor-dpo/dto/processor-dpo.dto';
import { csvChunks, recordCursor, streamBody } from '../processor-dpo/processing-record';
import { type ProcessorDpo } from '../processor-dpo/processor-dpo.service';
import { field } from './forms';
import { dateTime, html, Html } from './html';
import { type Role } from '#infra/auth/api-keys';
import { type Signed } from './sessions';
import { fileTrailLink, TRAIL_ROLES } from './trail';
import { formPost, type UiContext } from './ui-context';
import { staffWords } from './words';

/*
 * DESIGN §7 the processor's own registers in the browser: its record of processing (GDPR 30(2)),
 * read a page at a time and downloaded whole as CSV, and its DPO — who it is now and, for an
 * admin (the one role the API lets change it), the form that changes it. The DPO and admins see them.
 */

const say = staffWords('registers');
const roleOf = (req: Signed) => req.session!.role;

/** The processor's registers, one link each (the current one marked). */
export function registersNav(active: 'record' | 'roster' | 'sub-processors' | 'controllers' | 'dpo', role: Role): Html {
  // The other registers are the DPO's and admins': others see only the one they are on.
  if (!TRAIL_ROLES.includes(role)) return html``;
  const link = (key: typeof active, href: string, label: string) => html`<a href="${href}"${key === active ? new Html(' aria-current="page"') : ''}>${label}</a>`;
  return html`<nav aria-label="${say('nav')}" class="links">${link('record', '/ui/processing-record', say('navRecord'))} · ${link('roster', '/ui/staff', say('navRoster'))} · ${link('sub-processors', '/ui/sub-processors', say('navSubProcessors'))} · ${link('controllers', '/ui/controllers', say('navControllers'))} · ${link('dpo', '/ui/processor/dpo', say('navDpo'))}</nav>`;
}
const mayRead = (req: Signed) => TRAIL_ROLES.includes(roleOf(req));

export function registerRoutes(router: Router, ui: UiContext, dpo: ProcessorDpo): void {
  const { page, csrfField } = ui;
  const log = new Logger('ui');

  router.get('/processing-record', async (req: Signed, res, next) => {
    try {
      if (!mayRead(req)) throw new ApiError(403, 'forbidden', 'The record of processing is for the DPO and admins.');
      const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
      const after = cursor ? readCursor(cursor, recordCursor) : null;
      const [head, rows] = await Promise.all([dpo.recordHead(), dpo.recordRows(DEFAULT_PAGE + 1, after)]);
      const { items, nextCursor } = toPage(rows, DEFAULT_PAGE, (r) => r.row, (last) => [last.cursor.orderedAt, last.cursor.id]);
      const list = (entries: readonly { readonly label?: string; readonly name?: string; readonly id?: string }[]) => entries.map((e) => e.label ?? e.name ?? e.id).join(', ');
      res.send(
        page(
          req,
          say('recordTitle'),
          'registers',
          html`${registersNav('record', roleOf(req))}<p class="muted">${say('recordIntro')}</p>
          <p class="links"><a href="/ui/processing-record.csv" download>${say('download')}</a></p>
          <dl class="facts">
            <dt>${say('processor')}</dt><dd>${head.processor.name}</dd>
            <dt>${say('itsDpo')}</dt><dd>${head.processor.dpo.name} · ${head.processor.dpo.email}</dd>
            <dt>${say('generated')}</dt><dd>${dateTime(head.generatedAt)}</dd>
          </dl>
          <div class="table-wrap"><table>
          <caption class="muted">${items.length === 0 ? say('noController') : say('pageCaption', { total: items.length })}</caption>
          <thead><tr><th scope="col">${say('controller')}</th><th scope="col">${say('contract')}</th><th scope="col">${say('status')}</th><th scope="col">${say('purposes')}</th><th scope="col" class="wide">${say('data')}</th><th scope="col" class="wide">${say('locations')}</th><th scope="col">${say('transfers')}</th></tr></thead>
          <tbody>${items.map(
            (r) => html`<tr><td>${r.controller.name}<br><span class="muted">${r.controller.email}</span></td><td><a href="/ui/contracts/${r.contractId}">${r.reference ?? r.contractId.slice(0, 8)}</a></td><td><span class="status">${r.status}</span></td>
              <td>${list(r.controller.purposes as never)}</td><td class="wide">${list(r.controller.dataCategories as never)}</td><td class="wide">${list(r.controller.storageLocations as never)}</td>
              <td>${r.thirdCountryTransfers.length === 0 ? '—' : r.thirdCountryTransfers.map((t) => html`${t.destination} (${dateTime(t.plannedAt)})<br>`)}</td></tr>`,
          )}</tbody></table></div>
          ${nextCursor ? html`<p><a href="/ui/processing-record?cursor=${encodeURIComponent(nextCursor)}" rel="next">${say('nextPage')}</a></p>` : ''}`,
        ),
      );
    } catch (e) {
      next(e);
    }
  });

  // The whole record, streamed as the API streams it (GET /processing-record?format=csv).
  router.get('/processing-record.csv', async (req: Signed, res, next) => {
    try {
      if (!mayRead(req)) throw new ApiError(403, 'forbidden', 'The record of processing is for the DPO and admins.');
      const head = await dpo.recordHead();
      const headers = { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="processing-record-${head.generatedAt.slice(0, 10)}.csv"` };
      await streamBody(res, headers, csvChunks(head, dpo.recordBatches()), (error) => log.error(`processing record cut short: ${(error as Error)?.constructor?.name ?? 'error'}`));
    } catch (e) {
      next(e);
    }
  });

  const dpoPage = async (req: Signed, error: ApiError | null = null, values: Record<string, string> = {}): Promise<string> => {
    const state = await dpo.state();
    const current = toProcessorDpoView(state, dpo.configured);
    const admin = roleOf(req) === 'admin';
    const form: Html | string = admin
      ? html`<form method="post" action="/ui/processor/dpo" class="card" aria-labelledby="dpo-form-title">${csrfField(req)}<h2 id="dpo-form-title">${say('changeTitle')}</h2>
          <p class="muted">${say('changeHelp')}</p>
          ${error && !error.details ? html`<p class="notice" role="alert">${error.message}</p>` : ''}
          ${field('name', say('name'), values.name, error, 'name')}
          ${field('email', say('email'), values.email, error, 'email', 'email')}
          ${field('phone', say('phoneLabel'), values.phone, error, 'phone')}
          <button type="submit">${say('recordDpo')}</button></form>`
      : html`<p class="muted">${say('adminOnly')}</p>`;
    return page(
      req,
      say('dpoTitle'),
      'registers',
      html`${registersNav('dpo', roleOf(req))}<dl class="facts"><dt>${say('name')}</dt><dd>${current.name}</dd><dt>${say('email')}</dt><dd>${current.email}</dd><dt>${say('phone')}</dt><dd>${current.phone ?? '—'}</dd><dt>${say('since')}</dt><dd>${current.since ? dateTime(current.since) : say('sinceConfiguration')}</dd><dt>${say('controllersTold')}</dt><dd>${current.controllersInformed === null ? '—' : html`${current.controllersInformed}, ${dateTime(current.communicatedAt)}`}</dd></dl>
      ${form}
      ${state.status === 'none' ? '' : fileTrailLink(req, processorDpoType, PROCESSOR_DPO_ID, '/ui/processor/dpo')}`,
    );
  };

  router.get('/processor/dpo', async (req: Signed, res, next) => {
    try {
      if (!mayRead(req)) throw new ApiError(403, 'forbidden', "The processor's DPO page is for the DPO and admins.");
      res.send(await dpoPage(req));
    } catch (e) {
      next(e);
    }
  });

  formPost(
    router,
    '/processor/dpo',
    async (req, values) => {
      if (roleOf(req) !== 'admin') throw new ApiError(403, 'forbidden', "Only an admin may change the processor's DPO.");
      const body = (await ui.pipe.transform({ name: values.name, email: values.email, ...(values.phone ? { phone: values.phone } : {}) }, { type: 'body', metatype: SetDpoDto })) as SetDpoDto;
      await dpo.set(body, ui.principalOf(req.session!));
      return '/ui/processor/dpo';
    },
    dpoPage,
  );
}
