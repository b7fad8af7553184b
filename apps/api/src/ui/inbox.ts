import { type Router } from 'express';
import { type DeadlineQueries } from '../deadlines/deadlines.service';
import { dateWithCountdown, html, Html } from './html';
import { type Signed } from './sessions';
import { type UiContext } from './ui-context';

/*
 * DESIGN §7 the inbox: every open clock of every file, overdue first — what the processor owes
 * next. The same service as GET /deadlines; the page shows its first 200.
 */

export function inboxRoutes(router: Router, ui: UiContext, deadlines: DeadlineQueries): void {
  const { page } = ui;

  router.get('/inbox', async (req: Signed, res, next) => {
    try {
      const { items, nextCursor: more } = await deadlines.list({ limit: 200 } as never);
      // By due date, which puts the overdue first: every clock listed is open, so one past due is overdue.
      const rows = items.map(
        (i) => html`<tr${i.overdue ? new Html(' class="late"') : ''}>
          <td>${i.overdue ? 'overdue' : 'open'}</td>
          <td>${i.kind.replace(/-/g, ' ')}</td>
          <td>${dateWithCountdown(i.dueAt, i.overdue)}</td>
          <td>${i.contractId ? html`<a href="/ui/contracts/${i.contractId}">contract ${i.contractId.slice(0, 8)}</a>` : html`<span class="muted">processor-wide</span>`}</td>
          <td class="wide">${i.file.type}</td>
        </tr>`,
      );
      res.send(
        page(
          req,
          'Inbox',
          'inbox',
          html`<div class="table-wrap"><table>
          <caption class="muted">${items.length === 0 ? 'Nothing is due.' : `${items.filter((i) => i.overdue).length} overdue, ${items.length} open clocks${more ? ' (the first 200 by due date; GET /deadlines pages through all)' : ''}`}</caption>
          <thead><tr><th scope="col">State</th><th scope="col">What</th><th scope="col">Due</th><th scope="col">Where</th><th scope="col" class="wide">File</th></tr></thead>
          <tbody>${rows}</tbody></table></div>`,
        ),
      );
    } catch (e) {
      next(e);
    }
  });
}
