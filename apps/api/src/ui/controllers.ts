import { type Router } from 'express';
import { type DataSource } from 'typeorm';
import { controllerType, toControllerView } from '#domain';
import { CONTROLLER_IDENTITY_SQL, contractsOfController } from '#infra/controllers';
import { controllerRecordId } from '#infra/ids';
import { ApiError } from '../common/api-error';
import { ControllerKeyPipe } from '../controllers/controllers.controller';
import { CONTROLLER_FILE_TYPES, type ControllerFiles, type ControllerRecords } from '../controllers/controllers.service';
import { CommandBodyPipe } from '../kit/declared-files';
import { clocksOf, commandForm, emailsOf, facts, type Refused } from './file-forms';
import { html } from './html';
import { registersNav } from './registers';
import { bodyOf, formFieldsOf } from './schema-forms';
import { type Signed } from './sessions';
import { fileTrailLink } from './trail';
import { formPost, type UiContext } from './ui-context';
import { staffWords } from './words';

/*
 * DESIGN §7, §8 the controllers in the browser: each controller the processor acts for (from its
 * contracts), its preferences (locale, time zone, breach contact) set through the controller
 * record's declared command, and its own files — the contact check of its breach contact — each
 * shown from its declaration (view, clocks, emails, commands). The same services as the API.
 */

const say = staffWords('controllers');

const SET = controllerType.commands!['set']!;
const mayRead = (req: Signed) => ['account_manager', 'dpo', 'admin'].includes(req.session!.role);
/** A controller's page, by its key (`customer:<id>` or `email:<address>`). */
export const controllerPageOf = (identity: string) => `/ui/controllers/${encodeURIComponent(identity)}`;

export function controllerRoutes(router: Router, ui: UiContext, records: ControllerRecords, files: ControllerFiles, dataSource: DataSource): void {
  const { page } = ui;
  const readers = (req: Signed) => {
    if (!mayRead(req)) throw new ApiError(403, 'forbidden', 'Controllers are for account management, the DPO and admins.');
  };

  router.get('/controllers', async (req: Signed, res, next) => {
    try {
      readers(req);
      const rows = (await dataSource.query(
        `SELECT k.ident, k.name, k.email, r.state->>'breachContact' AS breach_contact, cc.status AS check_status
           FROM (SELECT DISTINCT ON (ident) ident, name, email FROM (
                   SELECT ${CONTROLLER_IDENTITY_SQL('c')} AS ident, c.state->'controller'->>'name' AS name, c.state->'controller'->>'email' AS email, c.ordered_at, c.id FROM contracts c
                 ) latest ORDER BY ident, ordered_at DESC, id DESC) k
           LEFT JOIN controllers r ON r.identity = k.ident
           LEFT JOIN contact_checks cc ON cc.identity = k.ident
          ORDER BY lower(k.name), k.ident LIMIT 500`,
      )) as { ident: string; name: string; email: string; breach_contact: string | null; check_status: string | null }[];
      res.send(
        page(
          req,
          say('title'),
          'registers',
          html`${registersNav('controllers', req.session!.role)}<p class="muted">${say('intro')}</p>
          <div class="table-wrap"><table><caption class="muted">${rows.length >= 500 ? say('first500') : say('count', { number: rows.length })}</caption>
          <thead><tr><th scope="col">${say('controller')}</th><th scope="col">${say('breachContact')}</th><th scope="col">${say('contactCheck')}</th></tr></thead>
          <tbody>${rows.map((r) => html`<tr><td><a href="${controllerPageOf(r.ident)}">${r.name}</a><br><span class="muted">${r.email}</span></td><td>${r.breach_contact ?? html`<span class="muted">${say('itsEmail')}</span>`}</td><td>${r.check_status ? html`<span class="status">${r.check_status}</span>` : '—'}</td></tr>`)}</tbody></table></div>`,
        ),
      );
    } catch (e) {
      next(e);
    }
  });

  const controllerPage = async (req: Signed, identity: string, refused: Refused | null = null) => {
    const of = contractsOfController(identity, 1);
    const contracts = (await dataSource.query(`SELECT c.id::text AS id, c.reference, c.status, c.state->'controller'->>'name' AS name, c.state->'controller'->>'email' AS email FROM contracts c WHERE ${of.where} ORDER BY c.ordered_at DESC, c.id LIMIT 200`, [of.value])) as {
      id: string;
      reference: string | null;
      status: string;
      name: string;
      email: string;
    }[];
    if (contracts.length === 0) throw new ApiError(404, 'not_found', 'The engine acts for no such controller.');
    const record = await records.stored(identity);
    const preferences = record && record.status !== 'none' ? toControllerView(record) : null;
    const now = new Date().toISOString();
    const ownFiles = await Promise.all(
      CONTROLLER_FILE_TYPES.map(async (type) => {
        const stored = await files.stored(type, identity).catch(() => null);
        if (!stored) return html`<h2>${type.noun.charAt(0).toUpperCase()}${type.noun.slice(1)}</h2><p class="muted">${say('noneYet')}</p>`;
        const { events } = await files.trails.events(stored.id);
        return html`<h2>${type.noun.charAt(0).toUpperCase()}${type.noun.slice(1)}</h2><p><span class="status">${stored.state.status}</span></p>${facts(type.view.of(stored.state, now) as Record<string, unknown>)}${clocksOf(type, stored.state, now)}${emailsOf(events)}${fileTrailLink(req, type, stored.id, controllerPageOf(identity))}`;
      }),
    );
    const [latest] = contracts;
    const action = controllerPageOf(identity);
    return page(
      req,
      latest!.name,
      'registers',
      html`${registersNav('controllers', req.session!.role)}
      <dl class="facts"><dt>${say('key')}</dt><dd>${identity}</dd><dt>${say('email')}</dt><dd>${latest!.email}</dd>
        <dt>${say('locale')}</dt><dd>${preferences?.locale ?? say('byDefault')}</dd><dt>${say('timeZone')}</dt><dd>${preferences?.timeZone ?? say('byDefault')}</dd><dt>${say('breachContact')}</dt><dd>${preferences?.breachContact ?? html`<span class="muted">${say('itsEmail')}</span>`}</dd>
        <dt>${say('contracts')}</dt><dd>${contracts.map((c, i) => html`${i ? ', ' : ''}<a href="/ui/contracts/${c.id}">${c.reference ?? c.id.slice(0, 8)}</a> (${c.status})`)}</dd></dl>
      ${ownFiles}
      ${(SET.roles as readonly string[]).includes(req.session!.role) ? html`<h2>${say('preferences')}</h2>${commandForm(req, ui, action, 'controller-set', SET, refused)}` : ''}
      ${record && record.status !== 'none' ? fileTrailLink(req, controllerType, controllerRecordId(identity), action) : ''}`,
    );
  };

  const keyOf = (req: Signed) => new ControllerKeyPipe().transform(String(req.params.key));

  router.get('/controllers/:key', async (req: Signed, res, next) => {
    try {
      readers(req);
      res.send(await controllerPage(req, keyOf(req)));
    } catch (e) {
      next(e);
    }
  });

  formPost(
    router,
    '/controllers/:key',
    async (req, values) => {
      const identity = keyOf(req);
      if (!(SET.roles as readonly string[]).includes(req.session!.role)) throw new ApiError(403, 'forbidden', "This role may not set a controller's preferences.");
      const body = new CommandBodyPipe(SET).transform(bodyOf(formFieldsOf(SET.schema()), values));
      await records.set(identity, body, ui.principalOf(req.session!));
      return controllerPageOf(identity);
    },
    (req, error, values) => controllerPage(req, keyOf(req), { form: 'controller-set', values, error }),
  );
}
