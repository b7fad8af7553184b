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

/*
 * DESIGN §7 the processor's own registers in the browser: its record of processing (GDPR 30(2)),
 * read a page at a time and downloaded whole as CSV, and its DPO — who it is now and, for an
 * admin (the one role the API lets change it), the form that changes it. The DPO and admins see them.
 */

const roleOf = (req: Signed) => req.session!.role;

/** The processor's registers, one link each (the current one marked). */
export function registersNav(active: 'record' | 'roster' | 'sub-processors' | 'controllers' | 'dpo', role: Role): Html {
  // The other registers are the DPO's and admins': others see only the one they are on.
  if (!TRAIL_ROLES.includes(role)) return html``;
  const link = (key: typeof active, href: string, label: string) => html`<a href="${href}"${key === active ? new Html(' aria-current="page"') : ''}>${label}</a>`;
  return html`<nav aria-label="Registers" class="links">${link('record', '/ui/processing-record', 'Record of processing')} · ${link('roster', '/ui/staff', 'Roster of authorised persons')} · ${link('sub-processors', '/ui/sub-processors', 'Sub-processors')} · ${link('controllers', '/ui/controllers', 'Controllers')} · ${link('dpo', '/ui/processor/dpo', "The processor's DPO")}</nav>`;
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
          'Record of processing',
          'registers',
          html`${registersNav('record', roleOf(req))}<p class="muted">GDPR Art. 30(2): every controller the processor acts for, one row per contract ordered, active or awaiting destruction, oldest order first.</p>
          <p class="links"><a href="/ui/processing-record.csv" download>Download the whole record (CSV)</a></p>
          <dl class="facts">
            <dt>Processor</dt><dd>${head.processor.name}</dd>
            <dt>Its DPO</dt><dd>${head.processor.dpo.name} · ${head.processor.dpo.email}</dd>
            <dt>Generated</dt><dd>${dateTime(head.generatedAt)}</dd>
          </dl>
          <div class="table-wrap"><table>
          <caption class="muted">${items.length === 0 ? 'The processor acts for no controller yet.' : `${items.length} contracts on this page`}</caption>
          <thead><tr><th scope="col">Controller</th><th scope="col">Contract</th><th scope="col">Status</th><th scope="col">Purposes</th><th scope="col" class="wide">Data</th><th scope="col" class="wide">Locations</th><th scope="col">Transfers</th></tr></thead>
          <tbody>${items.map(
            (r) => html`<tr><td>${r.controller.name}<br><span class="muted">${r.controller.email}</span></td><td><a href="/ui/contracts/${r.contractId}">${r.reference ?? r.contractId.slice(0, 8)}</a></td><td><span class="status">${r.status}</span></td>
              <td>${list(r.controller.purposes as never)}</td><td class="wide">${list(r.controller.dataCategories as never)}</td><td class="wide">${list(r.controller.storageLocations as never)}</td>
              <td>${r.thirdCountryTransfers.length === 0 ? '—' : r.thirdCountryTransfers.map((t) => html`${t.destination} (${dateTime(t.plannedAt)})<br>`)}</td></tr>`,
          )}</tbody></table></div>
          ${nextCursor ? html`<p><a href="/ui/processing-record?cursor=${encodeURIComponent(nextCursor)}" rel="next">Next page</a></p>` : ''}`,
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
      ? html`<form method="post" action="/ui/processor/dpo" class="card" aria-labelledby="dpo-form-title">${csrfField(req)}<h2 id="dpo-form-title">Change the processor's DPO</h2>
          <p class="muted">Every controller with a contract active or awaiting destruction is emailed the new contact (P12), once each.</p>
          ${error && !error.details ? html`<p class="notice" role="alert">${error.message}</p>` : ''}
          ${field('name', 'Name', values.name, error, 'name')}
          ${field('email', 'Email', values.email, error, 'email', 'email')}
          ${field('phone', 'Phone (optional)', values.phone, error, 'phone')}
          <button type="submit">Record the new DPO</button></form>`
      : html`<p class="muted">Only an admin may change the processor's DPO.</p>`;
    return page(
      req,
      "The processor's DPO",
      'registers',
      html`${registersNav('dpo', roleOf(req))}<dl class="facts"><dt>Name</dt><dd>${current.name}</dd><dt>Email</dt><dd>${current.email}</dd><dt>Phone</dt><dd>${current.phone ?? '—'}</dd><dt>Since</dt><dd>${current.since ? dateTime(current.since) : 'the configuration'}</dd><dt>Controllers told</dt><dd>${current.controllersInformed === null ? '—' : html`${current.controllersInformed}, ${dateTime(current.communicatedAt)}`}</dd></dl>
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
