import { type Router } from 'express';
import { CANONICAL_UUID, staffType, toStaffView } from '#domain';
import { ApiError } from '../common/api-error';
import { CommandBodyPipe } from '../kit/declared-files';
import { type FileTrails } from '../kit/trail';
import { type Roster } from '../staff/staff.service';
import { clocksOf, commandForm, emailsOf, type Refused } from './file-forms';
import { dateTime, html } from './html';
import { registersNav } from './registers';
import { bodyOf, formFieldsOf } from './schema-forms';
import { type Signed } from './sessions';
import { fileTrailLink, TRAIL_ROLES } from './trail';
import { formPost, type UiContext } from './ui-context';
import { staffWords } from './words';

/*
 * DESIGN §7 the roster of authorised persons (P3, P4): the people, their undertakings and trainings
 * (due, lapsed), the contracts each is on; a person's page with their clocks and emails. Its forms
 * are the roster's declared commands (their schemas, their roles), and a POST goes through the same
 * service as the API's routes. Authorising a person is done from the contract's page.
 */

const say = staffWords('roster');

const spec = (name: 'register' | 'signConfidentiality' | 'recordTraining') => staffType.commands![name]!;
const mayAct = (req: Signed, name: 'register' | 'signConfidentiality' | 'recordTraining') => (spec(name).roles as readonly string[]).includes(req.session!.role);

/** How many of a person's contracts the roster's row names. */
const LISTED = 3;

/** The contracts a person is on, each a link named as people name it (its reference, else its controller). */
const contractLinks = (ids: readonly string[], names: ReadonlyMap<string, string>) => (ids.length === 0 ? '—' : ids.map((c, i) => html`${i ? ', ' : ''}<a href="/ui/contracts/${c}">${names.get(c) ?? c.slice(0, 8)}</a>`));

export function rosterRoutes(router: Router, ui: UiContext, roster: Roster, trails: FileTrails, contractPage: (req: Signed, id: string, error: ApiError) => Promise<string>): void {
  const { page } = ui;
  const readers = (req: Signed) => {
    if (!TRAIL_ROLES.includes(req.session!.role)) throw new ApiError(403, 'forbidden', 'The roster is for the DPO and admins.');
  };

  const listPage = async (req: Signed, refused: Refused | null = null) => {
    const cursor = req.method === 'GET' && typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
    const { items, nextCursor } = await roster.list({ limit: 100, ...(cursor ? { cursor } : {}) });
    // A row names a person's first contracts; the person's page has them all.
    const names = await roster.contractNames(items.flatMap((p) => p.contracts.slice(0, LISTED)));
    return page(
      req,
      say('title'),
      'registers',
      html`${registersNav('roster', req.session!.role)}<p class="muted">${say('intro')}</p>
      <div class="table-wrap"><table><caption class="muted">${items.length === 0 ? say('empty') : say('peopleOnPage', { number: items.length })}</caption>
      <thead><tr><th scope="col">${say('person')}</th><th scope="col">${say('clearance')}</th><th scope="col">${say('undertaking')}</th><th scope="col">${say('trainingValidUntil')}</th><th scope="col">${say('contracts')}</th></tr></thead>
      <tbody>${items.map(
        (p) => html`<tr><td><a href="/ui/staff/${p.id}">${p.name}</a><br><span class="muted">${p.email}</span></td>
          <td>${p.cleared ? html`<span class="ok">${say('cleared')}</span>` : html`<span class="late">${p.gaps.join(', ').replace(/_/g, ' ')}</span>`}</td>
          <td>${dateTime(p.confidentialitySignedAt)}</td>
          <td>${p.trainingValidUntil ? html`${dateTime(p.trainingValidUntil)}${p.gaps.includes('training_lapsed') ? html` <span class="late">${say('lapsed')}</span>` : ''}` : '—'}</td>
          <td>${contractLinks(p.contracts.slice(0, LISTED), names)}${p.contracts.length > LISTED ? html` <a href="/ui/staff/${p.id}">${say('andMore', { number: p.contracts.length - LISTED })}</a>` : ''}</td></tr>`,
      )}</tbody></table></div>
      ${nextCursor ? html`<p><a href="/ui/staff?cursor=${encodeURIComponent(nextCursor)}" rel="next">${say('nextPage')}</a></p>` : ''}
      ${mayAct(req, 'register') ? commandForm(req, ui, '/ui/staff', 'staff-register', spec('register'), refused) : ''}`,
    );
  };

  const personPage = async (req: Signed, id: string, refused: Refused | null = null) => {
    const state = await roster.stored(id);
    if (!state || state.status === 'none') throw new ApiError(404, 'not_found', 'No such person on the roster.');
    const now = new Date().toISOString();
    const p = toStaffView(state, now);
    const { events } = await trails.events(id);
    const names = await roster.contractNames(p.contracts);
    const forms = (['signConfidentiality', 'recordTraining'] as const).filter((n) => mayAct(req, n)).map((n) => commandForm(req, ui, `/ui/staff/${id}/${n}`, `staff-${n}`, spec(n), refused));
    return page(
      req,
      p.name,
      'registers',
      html`${registersNav('roster', req.session!.role)}
      <p>${p.cleared ? html`<span class="status">${say('cleared')}</span>` : html`<span class="status late">${p.gaps.join(', ').replace(/_/g, ' ')}</span>`}</p>
      <dl class="facts"><dt>${say('email')}</dt><dd>${p.email}</dd><dt>${say('onRosterSince')}</dt><dd>${dateTime(p.registeredAt)}</dd><dt>${say('confidentialityUndertaking')}</dt><dd>${dateTime(p.confidentialitySignedAt)}</dd>
        <dt>${say('trainingValidUntil')}</dt><dd>${dateTime(p.trainingValidUntil)}</dd><dt>${say('contracts')}</dt><dd>${contractLinks(p.contracts, names)}</dd></dl>
      <h2>${say('trainings')}</h2>${p.trainings.length === 0 ? html`<p class="muted">${say('noTraining')}</p>` : html`<ul>${p.trainings.map((t) => html`<li>${say('training', { course: t.course, completedAt: dateTime(t.completedAt), validUntil: dateTime(t.validUntil) })}</li>`)}</ul>`}
      ${clocksOf(staffType, state, now)}
      ${emailsOf(events)}
      ${forms.length ? html`<h2>${say('actions')}</h2><div class="actions">${forms}</div>` : ''}
      ${fileTrailLink(req, staffType, id, `/ui/staff/${id}`)}`,
    );
  };

  router.get('/staff', async (req: Signed, res, next) => {
    try {
      readers(req);
      res.send(await listPage(req));
    } catch (e) {
      next(e);
    }
  });

  router.get('/staff/:sid', async (req: Signed, res, next) => {
    try {
      readers(req);
      const id = String(req.params.sid);
      if (!CANONICAL_UUID.test(id)) throw new ApiError(404, 'not_found', 'No such person on the roster.');
      res.send(await personPage(req, id));
    } catch (e) {
      next(e);
    }
  });

  formPost(
    router,
    '/staff',
    async (req, values) => {
      if (!mayAct(req, 'register')) throw new ApiError(403, 'forbidden', 'Only the DPO and admins keep the roster.');
      const body = new CommandBodyPipe(spec('register')).transform(bodyOf(formFieldsOf(spec('register').schema()), values));
      const { view } = await roster.register(body, ui.principalOf(req.session!), null);
      return `/ui/staff/${view.id}`;
    },
    (req, error, values) => listPage(req, { form: 'staff-register', values, error }),
  );

  // From the contract's page: authorise a cleared person on it, or end an authorisation.
  const contractOf = (req: Signed) => {
    const contractId = String(req.params.id);
    if (!CANONICAL_UUID.test(contractId)) throw new ApiError(404, 'not_found', 'No such contract.');
    return contractId;
  };
  const allowed = (req: Signed, name: 'authorise' | 'revoke') => {
    if (!(staffType.commands![name]!.roles as readonly string[]).includes(req.session!.role)) throw new ApiError(403, 'forbidden', `This role may not ${name} persons on a contract.`);
  };
  formPost(
    router,
    '/contracts/:id/authorised-persons',
    async (req, values) => {
      const contractId = contractOf(req);
      allowed(req, 'authorise');
      if (!CANONICAL_UUID.test(values.staffId ?? '')) throw new ApiError(400, 'validation_failed', 'Choose a person.', { fields: [{ field: 'staffId', problem: 'choose a person from the roster' }] });
      await roster.authorise(contractId, { staffId: values.staffId! }, ui.principalOf(req.session!));
      return `/ui/contracts/${contractId}`;
    },
    (req, error) => contractPage(req, String(req.params.id), error),
  );
  formPost(
    router,
    '/contracts/:id/authorised-persons/:sid/revoke',
    async (req) => {
      const contractId = contractOf(req);
      const staffId = String(req.params.sid);
      if (!CANONICAL_UUID.test(staffId)) throw new ApiError(404, 'not_found', 'No such authorisation.');
      allowed(req, 'revoke');
      await roster.revoke(contractId, staffId, ui.principalOf(req.session!));
      return `/ui/contracts/${contractId}`;
    },
    (req, error) => contractPage(req, String(req.params.id), error),
  );

  formPost(
    router,
    '/staff/:sid/:command',
    async (req, values) => {
      const id = String(req.params.sid);
      const name = String(req.params.command);
      if (!CANONICAL_UUID.test(id) || (name !== 'signConfidentiality' && name !== 'recordTraining')) throw new ApiError(404, 'not_found', 'No such page.');
      if (!mayAct(req, name)) throw new ApiError(403, 'forbidden', 'Only the DPO and admins keep the roster.');
      const body = new CommandBodyPipe(spec(name)).transform(bodyOf(formFieldsOf(spec(name).schema()), values));
      if (name === 'signConfidentiality') await roster.sign(id, body, ui.principalOf(req.session!));
      else await roster.train(id, body, ui.principalOf(req.session!));
      return `/ui/staff/${id}`;
    },
    (req, error, values) => personPage(req, String(req.params.sid), { form: `staff-${String(req.params.command)}`, values, error }),
  );
}
