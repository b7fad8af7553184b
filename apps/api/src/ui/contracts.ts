import { type Router } from 'express';
import { CONTRACT_STATUSES, type OrderedOrLater } from '#domain';
import { ApiError } from '../common/api-error';
import { toApiError } from '../common/error.filter';
import { type ContractCommands } from '../contracts/contract-commands.service';
import { type ContractQueries } from '../contracts/contract-queries.service';
import { OrderContractDto } from '../contracts/dto/order-contract.dto';
import { field } from './forms';
import { dateWithCountdown, html, Html } from './html';
import { type Signed } from './sessions';
import { TRAIL_ROLES } from './trail';
import { strings, type UiContext } from './ui-context';
import { staffWords } from './words';

const say = staffWords('contracts');

/*
 * DESIGN §7 contracts: the list (filtered by reference, controller and status, a page at a time) and
 * the order form an account manager fills in — the same services as GET and POST /contracts.
 */

export function contractRoutes(router: Router, ui: UiContext, queries: ContractQueries, commands: ContractCommands): void {
  const { page, csrfField, principalOf, pipe } = ui;

  // The DPO and admins land on their dashboard; the others on the contracts.
  router.get('/', (req: Signed, res) => res.redirect(303, TRAIL_ROLES.includes(req.session!.role) ? '/ui/dashboard' : '/ui/contracts'));

  router.get('/contracts', async (req: Signed, res, next) => {
    try {
      const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
      const ref = typeof req.query.ref === 'string' ? req.query.ref.slice(0, 100) : '';
      const status = typeof req.query.status === 'string' && (CONTRACT_STATUSES as readonly string[]).includes(req.query.status) ? req.query.status : '';
      const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
      const { items, nextCursor } = await queries.list({ controller: q || undefined, reference: ref || undefined, status: (status || undefined) as never, limit: 50, cursor });
      const now = new Date().toISOString();
      const rows = items.map((c) => {
        const s = c as OrderedOrLater;
        const deadline = s.destruction.deadline;
        return html`<tr>
          <td><a href="/ui/contracts/${s.contractId}">${s.reference ?? s.contractId.slice(0, 8)}</a></td>
          <td>${s.controller.name}</td>
          <td><span class="status">${s.status}</span></td>
          <td>${s.status === 'active' ? dateWithCountdown(s.termEnd) : '—'}</td>
          <td class="wide">${deadline ? dateWithCountdown(deadline, s.destruction.completedAt === null && now > deadline) : '—'}</td>
        </tr>`;
      });
      const next = nextCursor ? html`<p class="pager"><a href="/ui/contracts?${new URLSearchParams({ ...(ref ? { ref } : {}), ...(q ? { q } : {}), ...(status ? { status } : {}), cursor: nextCursor }).toString()}">${say('nextPage')}</a></p>` : '';
      res.send(
        page(
          req,
          say('title'),
          'contracts',
          html`<form class="filters" method="get" action="/ui/contracts" role="search">
            <div><label for="ref">${say('reference')}</label><input id="ref" type="search" name="ref" value="${ref}" placeholder="${say('referencePlaceholder')}"></div>
            <div><label for="q">${say('controller')}</label><input id="q" type="search" name="q" value="${q}" placeholder="${say('controllerPlaceholder')}"></div>
            <div><label for="status">${say('status')}</label><select id="status" name="status"><option value="">${say('anyStatus')}</option>${CONTRACT_STATUSES.map((st) => html`<option value="${st}"${st === status ? new Html(' selected') : ''}>${st}</option>`)}</select></div>
            <button type="submit">${say('filter')}</button>
          </form>
          <div class="table-wrap"><table>
            <caption class="muted">${items.length === 0 ? say('noMatch') : say('onThisPage', { n: items.length })}</caption>
            <thead><tr><th scope="col">${say('contract')}</th><th scope="col">${say('controller')}</th><th scope="col">${say('status')}</th><th scope="col">${say('termEnds')}</th><th scope="col" class="wide">${say('destructionDeadline')}</th></tr></thead>
            <tbody>${rows}</tbody>
          </table></div>${next}`,
        ),
      );
    } catch (e) {
      next(e);
    }
  });

  const orderForm = (req: Signed, values: Record<string, string> = {}, error: ApiError | null = null) =>
    page(
      req,
      say('orderTitle'),
      'new',
      html`${error ? html`<p class="notice" role="alert">${error.message}</p>` : ''}
      <form method="post" action="/ui/contracts">${csrfField(req)}
        ${field('controllerName', say('controllerName'), values.controllerName, error, 'controller.name')}
        ${field('controllerEmail', say('controllerEmail'), values.controllerEmail, error, 'controller.email', 'email')}
        ${field('reference', say('referenceOptional'), values.reference, error, 'reference')}
        <div class="field"><label for="billingPeriod">${say('billingPeriod')}</label><select id="billingPeriod" name="billingPeriod">${['P1M', 'P3M', 'P1Y'].map((p) => html`<option value="${p}"${values.billingPeriod === p ? new Html(' selected') : ''}>${p}</option>`)}</select></div>
        <button type="submit">${say('order')}</button>
      </form>`,
    );

  router.get('/contracts/new', (req: Signed, res) => {
    if (req.session!.role !== 'account_manager') return void res.status(403).send(page(req, say('notAllowed'), undefined, html`<p>${say('onlyAccountManagers')}</p>`));
    res.send(orderForm(req));
  });

  router.post('/contracts', async (req: Signed, res, next) => {
    const body = strings(req.body);
    const values = { controllerName: body.controllerName ?? '', controllerEmail: body.controllerEmail ?? '', reference: body.reference ?? '', billingPeriod: body.billingPeriod ?? 'P1M' };
    try {
      if (req.session!.role !== 'account_manager') throw new ApiError(403, 'forbidden', 'Only account managers order contracts.');
      const dto = (await pipe.transform(
        { controller: { name: values.controllerName, email: values.controllerEmail }, billingPeriod: values.billingPeriod, ...(values.reference ? { reference: values.reference } : {}) },
        { type: 'body', metatype: OrderContractDto },
      )) as OrderContractDto;
      const { snapshot } = await commands.order(dto, principalOf(req.session!), null);
      res.redirect(303, `/ui/contracts/${(snapshot.state as OrderedOrLater).contractId}`);
    } catch (e) {
      const error = toApiError(e);
      if (error.status >= 500) return next(e);
      res.status(error.status).send(orderForm(req, values, error));
    }
  });
}
