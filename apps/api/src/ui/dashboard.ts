import { type Router } from 'express';
import { type DataSource } from 'typeorm';
import { clockOwner, csvCell, fileTypeNamed, listedAtColumnOf, openStatusesOf, toSubProcessorChangeView, type SubProcessorChangeState } from '#domain';
import { DEADLINES_TABLE } from '#infra/event-store/deadlines-projection';
import { ApiError } from '../common/api-error';
import { dateTime, dateWithCountdown, html, type Html } from './html';
import { clockLabel } from './schema-forms';
import { type Signed } from './sessions';
import { TRAIL_ROLES } from './trail';
import { type UiContext } from './ui-context';
import { staffWords } from './words';

const say = staffWords('dashboard');

/*
 * DESIGN §7 the DPO's dashboard, its landing page: what is overdue and what falls due this week, by
 * kind (a bar chart beside its table), the destructions in progress with their deadlines, the
 * open incidents with their notices sent, trainings about to lapse, the sub-processor changes not
 * yet in force, and the controllers whose breach contact is unconfirmed.
 * Every picture has its table; every list downloads as CSV. Drawn on the server: no script.
 */

const CHANGES = fileTypeNamed('sub-processor-change')!;
const PENDING_CHANGE = openStatusesOf(CHANGES);
const CHECKS = fileTypeNamed('contact-check')!;
/** A contact check waiting for the controller to confirm its breach contact. */
const UNCONFIRMED = 'awaiting';

/** Rows a list shows on the page; its CSV holds every row. */
const SHOWN = 200;
const INCIDENTS = fileTypeNamed('incident')!;
const OPEN_INCIDENT = openStatusesOf(INCIDENTS);
const NOTICES = fileTypeNamed('breach-notice')!.readModel.table;
/** Trainings lapsing within this many days are listed as about to lapse. */
const LAPSE_SOON_DAYS = 30;

interface Lists {
  readonly clocks: { kind: string; overdue: number; week: number }[];
  readonly incidents: { id: string; summary: string; status: string; affected: number; sent: number }[];
  readonly trainings: { id: string; name: string; lapsesAt: string }[];
  readonly destructions: { id: string; reference: string | null; controller: string; status: string; deadline: string | null }[];
  readonly changes: { id: string; subProcessor: string; location: string; status: string; objectionDeadline: string; effectiveAt: string }[];
  readonly contacts: { id: string; contact: string; since: string; due: string | null }[];
}

/** Every list, each cut at `limit` rows (null: every row, for a CSV). */
async function lists(dataSource: DataSource, now: Date, limit: number | null): Promise<Lists> {
  const at = now.toISOString();
  const [clocks, destructions, changes, contacts, incidents, trainings] = await Promise.all([
    dataSource.query(
      `SELECT kind, count(*) FILTER (WHERE due_at < $1)::int AS overdue, count(*) FILTER (WHERE due_at >= $1 AND due_at < $1::timestamptz + interval '7 days')::int AS week
         FROM ${DEADLINES_TABLE} WHERE due_at < $1::timestamptz + interval '7 days' GROUP BY kind ORDER BY kind`,
      [at],
    ) as Promise<Lists['clocks']>,
    dataSource.query(
      `SELECT id::text AS id, reference, controller_name AS controller, destruction_status AS status, destruction_deadline AS deadline
         FROM contracts WHERE destruction_status IN ('scheduled', 'in_progress') ORDER BY destruction_deadline NULLS LAST, id LIMIT $1`,
      [limit],
    ) as Promise<(Omit<Lists['destructions'][number], 'deadline'> & { deadline: Date | null })[]>,
    dataSource.query(`SELECT state FROM ${CHANGES.readModel.table} WHERE status = ANY($1::text[]) ORDER BY received_at, id LIMIT $2`, [PENDING_CHANGE, limit]) as Promise<{ state: SubProcessorChangeState }[]>,
    dataSource.query(
      `SELECT c.id::text AS id, c.state->'rounds'->-1->>'contact' AS contact, c.state->'rounds'->-1->>'openedAt' AS since, d.due_at AS due
         FROM ${CHECKS.readModel.table} c LEFT JOIN ${DEADLINES_TABLE} d ON d.stream_type = $2 AND d.stream_id = c.id::text
        WHERE c.status = $1 ORDER BY d.due_at NULLS LAST, c.id LIMIT $3`,
      [UNCONFIRMED, CHECKS.name, limit],
    ) as Promise<{ id: string; contact: string; since: string; due: Date | null }[]>,
    // Open incidents, with their notices sent out of the contracts affected.
    dataSource.query(
      `SELECT i.id::text AS id, i.state->'content'->>'summary' AS summary, i.status,
              (SELECT count(*)::int FROM ${NOTICES} n WHERE n.incident_id = i.id) AS affected,
              (SELECT count(*)::int FROM ${NOTICES} n WHERE n.incident_id = i.id AND n.status <> 'pending') AS sent
         FROM ${INCIDENTS.readModel.table} i WHERE i.status = ANY($1::text[]) ORDER BY i.${listedAtColumnOf(INCIDENTS.readModel)} DESC, i.id LIMIT $2`,
      [OPEN_INCIDENT, limit],
    ) as Promise<Lists['incidents']>,
    // Trainings that lapse within LAPSE_SOON_DAYS (the roster's own clock).
    dataSource.query(
      `SELECT s.id::text AS id, s.state->>'name' AS name, d.due_at AS lapses_at
         FROM ${DEADLINES_TABLE} d JOIN staff s ON d.stream_type = 'staff' AND s.id = CASE WHEN d.stream_type = 'staff' THEN d.stream_id::uuid END
        WHERE d.kind = 'training-lapse' AND d.due_at < $1::timestamptz + make_interval(days => $2) ORDER BY d.due_at, s.id LIMIT $3`,
      [at, LAPSE_SOON_DAYS, limit],
    ) as Promise<{ id: string; name: string; lapses_at: Date }[]>,
  ]);
  return {
    clocks,
    destructions: destructions.map((d) => ({ ...d, deadline: d.deadline?.toISOString() ?? null })),
    changes: changes.map(({ state }) => toSubProcessorChangeView(state)).map((c) => ({ id: c.id, subProcessor: c.subProcessor.name, location: c.location.name, status: c.status, objectionDeadline: c.objectionDeadline, effectiveAt: c.effectiveAt })),
    contacts: contacts.map((c) => ({ id: c.id, contact: c.contact, since: c.since, due: c.due?.toISOString() ?? null })),
    incidents,
    trainings: trainings.map((t) => ({ id: t.id, name: t.name, lapsesAt: t.lapses_at.toISOString() })),
  };
}

/** A horizontal bar chart of overdue and due-this-week clocks by kind; its table is beside it (the text equivalent). */
function clockChart(clocks: Lists['clocks']): Html {
  if (clocks.length === 0) return html``;
  const max = Math.max(1, ...clocks.map((c) => c.overdue + c.week));
  const rowHeight = 28;
  const labelWidth = 230;
  const barWidth = 400;
  const height = clocks.length * rowHeight + 10;
  return html`<figure><svg role="img" aria-labelledby="clock-chart-title" viewBox="0 0 ${labelWidth + barWidth + 60} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" class="chart">
    <title id="clock-chart-title">${say('chartTitle')}</title>
    ${clocks.map((c, i) => {
      const y = i * rowHeight + 5;
      const overdue = Math.round((c.overdue / max) * barWidth);
      const week = Math.round((c.week / max) * barWidth);
      return html`<text x="0" y="${y + 17}" class="chart-label">${clockLabel(c.kind)}</text>
        <rect x="${labelWidth}" y="${y + 4}" width="${overdue}" height="18" class="bar-late"></rect>
        <rect x="${labelWidth + overdue}" y="${y + 4}" width="${week}" height="18" class="bar-week"></rect>
        <text x="${labelWidth + overdue + week + 6}" y="${y + 17}" class="chart-label">${c.overdue + c.week}</text>`;
    })}
  </svg><figcaption class="muted">${say('chartCaption')}</figcaption></figure>`;
}

/** The dashboard's lists as CSV, one download each. */
const CSV: Record<keyof Lists, { readonly columns: readonly string[]; readonly row: (r: never) => unknown[] }> = {
  clocks: { columns: ['kind', 'whose', 'overdue', 'due_within_7_days'], row: (c: Lists['clocks'][number]) => [c.kind, clockOwner(c.kind), c.overdue, c.week] },
  destructions: { columns: ['contract_id', 'reference', 'controller', 'status', 'deadline'], row: (d: Lists['destructions'][number]) => [d.id, d.reference, d.controller, d.status, d.deadline] },
  changes: { columns: ['change_id', 'sub_processor', 'location', 'status', 'objection_deadline', 'effective_at'], row: (c: Lists['changes'][number]) => [c.id, c.subProcessor, c.location, c.status, c.objectionDeadline, c.effectiveAt] },
  contacts: { columns: ['check_id', 'breach_contact', 'awaiting_since', 'reminder_due'], row: (c: Lists['contacts'][number]) => [c.id, c.contact, c.since, c.due] },
  incidents: { columns: ['incident_id', 'summary', 'status', 'contracts_affected', 'notices_sent'], row: (i: Lists['incidents'][number]) => [i.id, i.summary, i.status, i.affected, i.sent] },
  trainings: { columns: ['staff_id', 'name', 'training_lapses_at'], row: (t: Lists['trainings'][number]) => [t.id, t.name, t.lapsesAt] },
};

export function dashboardRoutes(router: Router, ui: UiContext, dataSource: DataSource): void {
  const { page } = ui;
  const allowed = (req: Signed) => {
    if (!TRAIL_ROLES.includes(req.session!.role)) throw new ApiError(403, 'forbidden', 'The dashboard is for the DPO and admins.');
  };

  router.get('/dashboard', async (req: Signed, res, next) => {
    try {
      allowed(req);
      const now = new Date();
      const l = await lists(dataSource, now, SHOWN);
      // A list cut short says so; its CSV holds every row.
      const download = (list: keyof Lists) => html`${l[list].length >= SHOWN ? html`<span class="muted">${say('firstShown', { n: SHOWN })} </span>` : ''}<a href="/ui/dashboard/${list}.csv" download>${say('downloadCsv')}</a>`;
      res.send(
        page(
          req,
          say('title'),
          'dashboard',
          html`<section aria-labelledby="clocks-title"><h2 id="clocks-title">${say('clocksTitle')}</h2>
            ${l.clocks.length === 0 ? html`<p class="muted">${say('noClocks')}</p>` : html`${clockChart(l.clocks)}
            <div class="table-wrap"><table><thead><tr><th scope="col">${say('whatIsDue')}</th><th scope="col">${say('whoseDeadline')}</th><th scope="col">${say('overdue')}</th><th scope="col">${say('dueWithinWeek')}</th></tr></thead>
            <tbody>${l.clocks.map((c) => html`<tr><td><a href="/ui/inbox?kind=${c.kind}">${clockLabel(c.kind)}</a></td><td>${clockOwner(c.kind) === 'controller' ? html`<span class="theirs">${say('theirs')}</span>` : say('ours')}</td><td>${c.overdue ? html`<span class="late">${c.overdue}</span>` : '0'}</td><td>${c.week}</td></tr>`)}</tbody></table></div>`}
            <p>${download('clocks')}</p></section>
          <section aria-labelledby="incidents-title"><h2 id="incidents-title">${say('incidentsTitle')}</h2>
            ${l.incidents.length === 0 ? html`<p class="muted">${say('noIncidents')}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">${say('incident')}</th><th scope="col">${say('status')}</th><th scope="col">${say('noticesSent')}</th></tr></thead>
            <tbody>${l.incidents.map((i) => html`<tr><td><a href="/ui/incidents/${i.id}">${i.summary}</a></td><td><span class="status">${i.status}</span></td><td>${say('sentOf', { sent: i.sent, affected: i.affected })}</td></tr>`)}</tbody></table></div>`}
            <p>${download('incidents')}</p></section>
          <section aria-labelledby="trainings-title"><h2 id="trainings-title">${say('trainingsTitle')}</h2>
            ${l.trainings.length === 0 ? html`<p class="muted">${say('noTrainings', { days: LAPSE_SOON_DAYS })}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">${say('person')}</th><th scope="col">${say('trainingLapses')}</th></tr></thead>
            <tbody>${l.trainings.map((t) => html`<tr><td><a href="/ui/staff/${t.id}">${t.name}</a></td><td>${dateWithCountdown(t.lapsesAt, t.lapsesAt < now.toISOString())}</td></tr>`)}</tbody></table></div>`}
            <p>${download('trainings')}</p></section>
          <section aria-labelledby="destructions-title"><h2 id="destructions-title">${say('destructionsTitle')}</h2>
            ${l.destructions.length === 0 ? html`<p class="muted">${say('noDestructions')}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">${say('contract')}</th><th scope="col">${say('controller')}</th><th scope="col">${say('status')}</th><th scope="col">${say('deadline')}</th></tr></thead>
            <tbody>${l.destructions.map((d) => html`<tr><td><a href="/ui/contracts/${d.id}">${d.reference ?? d.id.slice(0, 8)}</a></td><td>${d.controller}</td><td><span class="status">${d.status.replace(/_/g, ' ')}</span></td><td>${dateWithCountdown(d.deadline, d.deadline !== null && d.deadline < now.toISOString())}</td></tr>`)}</tbody></table></div>`}
            <p>${download('destructions')}</p></section>
          <section aria-labelledby="changes-title"><h2 id="changes-title">${say('changesTitle')}</h2>
            ${l.changes.length === 0 ? html`<p class="muted">${say('noChanges')}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">${say('subProcessor')}</th><th scope="col">${say('location')}</th><th scope="col">${say('status')}</th><th scope="col">${say('objectionsUntil')}</th><th scope="col">${say('inForce')}</th></tr></thead>
            <tbody>${l.changes.map((c) => html`<tr><td>${c.subProcessor}</td><td>${c.location}</td><td><span class="status">${c.status}</span></td><td>${dateTime(c.objectionDeadline)}</td><td>${dateTime(c.effectiveAt)}</td></tr>`)}</tbody></table></div>`}
            <p>${download('changes')}</p></section>
          <section aria-labelledby="contacts-title"><h2 id="contacts-title">${say('contactsTitle')}</h2>
            ${l.contacts.length === 0 ? html`<p class="muted">${say('noContacts')}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">${say('breachContact')}</th><th scope="col">${say('asked')}</th><th scope="col">${say('nextReminder')}</th></tr></thead>
            <tbody>${l.contacts.map((c) => html`<tr><td>${c.contact}</td><td>${dateTime(c.since)}</td><td>${dateWithCountdown(c.due, c.due !== null && c.due < now.toISOString())}</td></tr>`)}</tbody></table></div>`}
            <p>${download('contacts')}</p></section>`,
        ),
      );
    } catch (e) {
      next(e);
    }
  });

  router.get('/dashboard/:list.csv', async (req: Signed, res, next) => {
    try {
      allowed(req);
      const list = String(req.params.list) as keyof Lists;
      if (!Object.hasOwn(CSV, list)) throw new ApiError(404, 'not_found', 'No such list.');
      const { columns, row } = CSV[list];
      const rows = (await lists(dataSource, new Date(), null))[list] as never[];
      res.setHeader('content-disposition', `attachment; filename="dashboard-${list}-${new Date().toISOString().slice(0, 10)}.csv"`);
      res.type('text/csv; charset=utf-8').send([columns.join(','), ...rows.map((r) => row(r).map((v) => csvCell(v === null || v === undefined ? '' : String(v))).join(','))].join('\r\n') + '\r\n');
    } catch (e) {
      next(e);
    }
  });
}
