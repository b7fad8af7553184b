import { type Router } from 'express';
import { DEADLINE_KINDS, fileTypeNamed } from '#domain';
import { type DeadlineQueries, type WorkFilter, type WorkItem } from '../deadlines/deadlines.service';
import { filePageOf } from './file-forms';
import { type Role } from '#infra/auth/api-keys';
import { dateWithCountdown, html, Html } from './html';
import { clockLabel } from './schema-forms';
import { type Signed } from './sessions';
import { TRAIL_ROLES } from './trail';
import { type UiContext } from './ui-context';
import { staffWords } from './words';

const say = staffWords('inbox');

/*
 * DESIGN §7 the inbox, as a worklist: every open clock of every file by due date, the overdue first,
 * each row naming the controller and the contract's reference, what is due and whose deadline it is,
 * with a link to the file. The notices one incident opened are one row per kind of clock. Filters:
 * by kind, by controller, overdue only.
 */

/** Rows on a page of the worklist, by due date; the pages after go as deep as MAX_PAGE. */
const SHOWN = 100;
const MAX_PAGE = 500;

function filterOf(query: Record<string, unknown>): WorkFilter {
  const kind = typeof query.kind === 'string' && DEADLINE_KINDS.includes(query.kind) ? query.kind : undefined;
  const controller = typeof query.controller === 'string' && query.controller.trim() !== '' ? query.controller.trim().slice(0, 200) : undefined;
  return { ...(kind ? { kind } : {}), ...(controller ? { controller } : {}), ...(query.overdue === '1' ? { overdue: true } : {}) };
}

/** The file a row is about, linked where the caller has a page for it. */
function fileCell(i: WorkItem, role: Role): Html | string {
  const noun = fileTypeNamed(i.type)?.noun ?? i.type;
  // Incidents' and the roster's pages are the DPO's and admins', as the trail is.
  const incidents = TRAIL_ROLES.includes(role);
  if (i.count > 1) {
    const what = say('filesOfIncident', { n: i.count, noun, incident: i.incidentId!.slice(0, 8) });
    return html`${incidents ? html`<a href="/ui/incidents/${i.incidentId!}">${what}</a>` : what}${i.overdueCount ? html`, <span class="late">${say('overdueCount', { n: i.overdueCount })}</span>` : ''}`;
  }
  if (i.contractId && filePageOf(i.contractId, i.type, i.fileId)) return html`<a href="${filePageOf(i.contractId, i.type, i.fileId)!}">${noun}</a>`;
  if (i.type === 'contract') return html`<a href="/ui/contracts/${i.fileId}">${say('theContract')}</a>`;
  if (i.type === 'staff' && incidents) return html`<a href="/ui/staff/${i.fileId}">${noun}</a>`;
  if (i.incidentId && incidents) return html`<a href="/ui/incidents/${i.incidentId}">${say('fileOfIncident', { noun, incident: i.incidentId.slice(0, 8) })}</a>`;
  return noun;
}

function rowHtml(i: WorkItem, role: Role): Html {
  const theirs = i.whose === 'controller';
  const many = i.count > 1;
  return html`<tr${i.overdue && !theirs ? new Html(' class="late"') : ''}>
    <td>${dateWithCountdown(i.dueAt, i.overdue)}${many ? html` <span class="muted">${say('theEarliest')}</span>` : ''}</td>
    <td>${clockLabel(i.kind)}${i.overdue ? html` <span class="late">${say('overdue')}</span>` : ''}</td>
    <td>${theirs ? html`<span class="theirs">${say('theirs')}</span>` : say('ours')}</td>
    <td>${many ? html`<span class="muted">${say('controllers', { n: i.count })}</span>` : (i.controller ?? html`<span class="muted">${say('processorWide')}</span>`)}</td>
    <td>${many ? '—' : i.contractId ? html`<a href="/ui/contracts/${i.contractId}">${i.reference ?? say('contractShort', { id: i.contractId.slice(0, 8) })}</a>` : '—'}</td>
    <td>${fileCell(i, role)}</td>
  </tr>`;
}

export function inboxRoutes(router: Router, ui: UiContext, deadlines: DeadlineQueries): void {
  const { page } = ui;

  router.get('/inbox', async (req: Signed, res, next) => {
    try {
      const filter = filterOf(req.query as Record<string, unknown>);
      const requested = Number(req.query.page);
      const pageNo = Number.isInteger(requested) && requested >= 1 ? Math.min(requested, MAX_PAGE) : 1;
      const { items, more } = await deadlines.worklist(filter, SHOWN, (pageNo - 1) * SHOWN);
      const pageLink = (n: number) => `/ui/inbox?${new URLSearchParams({ ...(filter.kind ? { kind: filter.kind } : {}), ...(filter.controller ? { controller: filter.controller } : {}), ...(filter.overdue ? { overdue: '1' } : {}), page: String(n) }).toString()}`;
      const ours = items.filter((i) => i.whose === 'processor');
      const count = (list: readonly WorkItem[]) => list.reduce((n, i) => n + i.count, 0);
      const selected = (on: boolean) => (on ? new Html(' selected') : '');
      res.send(
        page(
          req,
          say('title'),
          'inbox',
          html`<form method="get" action="/ui/inbox" class="filters" aria-label="${say('filterLabel')}">
            <div class="field"><label for="inbox-kind">${say('whatIsDue')}</label><select id="inbox-kind" name="kind"><option value="">${say('anything')}</option>${DEADLINE_KINDS.map((k) => html`<option value="${k}"${selected(filter.kind === k)}>${clockLabel(k)}</option>`)}</select></div>
            <div class="field"><label for="inbox-controller">${say('controller')}</label><input id="inbox-controller" name="controller" type="search" maxlength="200" value="${filter.controller ?? ''}"></div>
            <div class="field"><label><input type="checkbox" name="overdue" value="1"${filter.overdue ? new Html(' checked') : ''}> ${say('overdueOnly')}</label></div>
            <button type="submit">${say('filter')}</button></form>
          <div class="table-wrap"><table>
          <caption class="muted">${items.length === 0 ? say(pageNo > 1 ? 'nothingMoreDue' : 'nothingDue') : say(pageNo > 1 || more ? 'summaryOnPage' : 'summary', { page: pageNo, overdue: ours.reduce((n, i) => n + i.overdueCount, 0), ours: count(ours), theirs: count(items) - count(ours) })}</caption>
          <thead><tr><th scope="col">${say('due')}</th><th scope="col">${say('whatIsDue')}</th><th scope="col">${say('whoseDeadline')}</th><th scope="col">${say('controller')}</th><th scope="col">${say('contract')}</th><th scope="col">${say('file')}</th></tr></thead>
          <tbody>${items.map((i) => rowHtml(i, req.session!.role))}</tbody></table></div>
          ${pageNo > 1 || (more && pageNo < MAX_PAGE) ? html`<nav class="pager" aria-label="${say('pages')}">${pageNo > 1 ? html`<a href="${pageLink(pageNo - 1)}" rel="prev">${say('previousPage')}</a>` : ''}${pageNo > 1 && more && pageNo < MAX_PAGE ? ' · ' : ''}${more && pageNo < MAX_PAGE ? html`<a href="${pageLink(pageNo + 1)}" rel="next">${say('nextPage')}</a>` : ''}</nav>` : ''}`,
        ),
      );
    } catch (e) {
      next(e);
    }
  });
}
