import { randomBytes } from 'node:crypto';
import { Logger, type INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { DataSource } from 'typeorm';
import { authorisationsOn, CANONICAL_UUID, clockOwner, isOverdue, processingRecord, type ContractState, type ProcessingRecord, type StaffState } from '#domain';
import { DEADLINES_TABLE } from '#infra/event-store/deadlines-projection';
import { readCurrentDpo } from '#infra/event-store/processor-dpo-projection';
import { breachNoticePdf } from '#infra/evidence/breach-notice-pdf';
import { type AppConfig } from '#infra/config/config';
import { contractsOfController } from '#infra/controllers';
import { html, type Html } from '../ui/html';
import { securityHeaders } from '../ui/router';
import { cookieOf, uiCookies } from '../ui/sessions';
import { timeline } from '../ui/timeline';
import { type Refused } from '../ui/file-forms';
import { ContractQueries } from '../contracts/contract-queries.service';
import { EvidencePacks } from '../evidence/evidence';
import { Incidents } from '../incidents/incidents.service';
import { ContractCommands } from '../contracts/contract-commands.service';
import { ControllerFiles } from '../controllers/controllers.service';
import { DeclaredFiles } from '../kit/declared-files';
import { SubProcessorChanges, SubProcessorNotices } from '../sub-processors/sub-processors.service';
import { askForms, contractDone, agreementFiles, controllerSection, homeDone, portalActRoutes } from './acts';
import { clientOf } from './client';
import { isAddress, PortalSignIn, type PortalSession } from './portal-sign-in';
import { wordsOf, type PortalWords } from './words';
import { publicRoutes } from './public';
import { Subscriptions } from './subscriptions';

/*
 * DESIGN §8: the controllers' portal, under /portal, apart from the staff pages: its own cookie
 * (a staff session opens none of these pages, a portal session none of the staff's), its own
 * sessions, no referrer ever sent. What comes before the session gate is the sign-in; after it, a
 * controller sees its own contracts only: anything else is 404, as if it did not exist.
 */

type Portal = Request & { portal?: PortalSession };

/** The agreement's record of processing (GDPR 30(2)), as the evidence pack's processing-record.json holds it: its labels in the controller's words, its entries as the processing description words them. */
function recordOf(w: PortalWords, r: ProcessingRecord): Html {
  const m = r.securityMeasures;
  const list = (items: readonly string[]) => (items.length ? html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` : '—');
  const t = (key: string, vars?: Record<string, unknown>) => w.t(`portal.record.${key}`, vars);
  return html`<h2>${t('title')}</h2>
  <dl class="facts"><dt>${t('processor')}</dt><dd>${r.processor.name} (${r.processor.role})</dd>
    <dt>${t('purposes')}</dt><dd>${list(r.purposes.map((p) => p.label))}</dd>
    <dt>${t('nature')}</dt><dd>${r.natureOfOperations}</dd>
    <dt>${t('dataCategories')}</dt><dd>${list(r.dataCategories.map((c) => c.label))}</dd>
    <dt>${t('subjectCategories')}</dt><dd>${list(r.dataSubjectCategories.map((c) => c.label))}</dd>
    <dt>${t('locations')}</dt><dd>${list(r.storageLocations.map((l) => `${l.name}: ${l.site}`))}</dd>
    ${r.formerStorageLocations.length ? html`<dt>${t('formerLocations')}</dt><dd>${list(r.formerStorageLocations.map((l) => `${l.name}: ${l.site}`))}</dd>` : ''}
    <dt>${t('transfers')}</dt><dd>${r.thirdCountryTransfers.length ? list(r.thirdCountryTransfers) : t('noTransfers')}</dd>
    <dt>${t('security')}</dt><dd>${list([
      t('atRest', { encryption: m.atRest.encryption, key: m.atRest.key, bits: m.atRest.keyMinBits, passphrase: m.atRest.passphrase, min: m.atRest.passphraseLength.min, max: m.atRest.passphraseLength.max }),
      t('inTransit', { encryption: m.inTransit.encryption, key: m.inTransit.key, bits: m.inTransit.keyMinBits }),
      t('recovery', { recovery: m.recovery }),
      t('certifications', { list: m.certifications.join(', ') }),
    ])}</dd></dl>
  <p class="muted">${t('asWritten')}</p>`;
}

/** A portal page: the controller's own layout in its language, with the stylesheet the UI serves. */
function page(title: string, body: Html, session: PortalSession | null = null): string {
  const w = wordsOf(session);
  return html`<!doctype html>
<html lang="${w.locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${w.t('portal.title', { title })}</title><link rel="stylesheet" href="/ui/assets/app.css"></head>
<body><header class="top"><nav aria-label="${w.t('portal.nav.label')}"><a href="/portal/">${w.t('portal.nav.agreements')}</a>${session?.controller ? html` <a href="/portal/sign-ins">${w.t('portal.nav.signIns')}</a>` : ''}</nav>${session ? html`<form method="post" action="/portal/sign-out" class="inline"><input type="hidden" name="_csrf" value="${session.csrfToken}"><button type="submit">${w.t('portal.nav.signOut')}</button></form>` : ''}</header>
<main id="main"><h1>${title}</h1>${body}</main></body>
</html>`.value;
}

const SIGN_IN_FORM = (value = '', note: Html | string = '') =>
  html`<p>Sign in to see your data-processing agreements and answer them. We email a link to an address we have on record for you: your contact address, your DPO's, or your breach contact.</p>
  ${note}
  <form method="post" action="/portal/link" class="card" aria-labelledby="link-title"><h2 id="link-title">Email me a sign-in link</h2>
    <div class="field"><label for="email">Email address</label><input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${value}"></div>
    <button type="submit">Send the link</button></form>`;

export function portalRouter(app: INestApplication, config: AppConfig): Router {
  const dataSource = app.get(DataSource);
  const queries = app.get(ContractQueries);
  const packs = app.get(EvidencePacks);
  const incidents = app.get(Incidents);
  const signIn = new PortalSignIn(dataSource, config);
  const subscriptions = new Subscriptions(dataSource, config);
  // The announcements owed to subscribers go out from every API process (each claims its own), until the server closes.
  subscriptions.start();
  (app.getHttpServer() as { on(event: 'close', listener: () => void): void }).on('close', () => void subscriptions.stop());
  // The portal is reached where its links lead (PUBLIC_BASE_URL): https there makes its cookies Secure and __Host-.
  const secure = uiCookies(config.links.baseUrl);
  const prefix = secure.secure ? '__Host-' : '';
  const SESSION = `${prefix}dpa_portal`;
  const PRE = `${prefix}dpa_portal_pre`;
  const minutes = Math.round(config.portal.linkTtlMs / 60_000);
  const router = Router();
  const log = new Logger('portal');
  router.use(securityHeaders);
  router.use((_req, res, next) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  router.use(express.urlencoded({ extended: false, limit: '8kb' }));

  const show = (res: Response, status: number, title: string, body: Html, session: PortalSession | null = null) => res.status(status).type('html').send(page(title, body, session));
  /** The 404 page in the session's words: `text` names what there is no such of. */
  const notFound = (res: Response, session: PortalSession | null, text: string) => show(res, 404, wordsOf(session).t('portal.notFound.title'), html`<p>${wordsOf(session).t(text)}</p>`, session);

  // ── Before the gate: the public sub-processor page and its subscriptions; asking for a link, and using it.
  publicRoutes(router, (res, status, title, body) => show(res, status, title, body), subscriptions, app.get(SubProcessorChanges), config);

  router.post('/link', async (req, res, next) => {
    res.locals.untimed = true;
    try {
      const email = typeof (req.body as Record<string, unknown>)?.email === 'string' ? ((req.body as Record<string, string>).email ?? '').trim() : '';
      if (!isAddress(email)) return void show(res, 400, 'Sign in', SIGN_IN_FORM(email, html`<p class="notice" role="alert">This is not an email address we could send a link to.</p>`));
      const answer = await signIn.requestLink(email, clientOf(req, config.portal.trustProxy));
      if (answer === 'limited') return void show(res, 429, 'Too many links asked for', html`<p role="alert">Too many sign-in links were asked for from here or for this address in the last hour. Wait a while, then ask again.</p>`);
      show(res, 200, 'Check your email', html`<p role="status">If this address is on record for one of our clients, a sign-in link is on its way to it. It works once, for ${minutes} minutes.</p><p><a href="/portal/">Back</a></p>`);
    } catch (e) {
      next(e);
    }
  });

  const linkProblem = (res: Response, problem: 'used' | 'expired' | 'unknown') =>
    problem === 'used'
      ? show(res, 410, 'This link was already used', html`<p>A sign-in link works once. <a href="/portal/">Ask for a new one</a>.</p>`)
      : problem === 'expired'
        ? show(res, 410, 'This link has expired', html`<p>A sign-in link works for ${minutes} minutes. <a href="/portal/">Ask for a new one</a>.</p>`)
        : show(res, 400, 'This link is not valid', html`<p>It may have been cut short or changed on the way. Use it exactly as it came in the email, or <a href="/portal/">ask for a new one</a>.</p>`);

  // Opening the link changes nothing (mail scanners open links): one button, whose POST signs in.
  // The button's form carries a nonce also set as a cookie here: a sign-in posted from another site
  // (which would sign the browser in as someone else) carries no such cookie, and is refused.
  router.get('/sign-in', async (req, res, next) => {
    try {
      const t = typeof req.query.t === 'string' ? req.query.t : '';
      const link = /^[A-Za-z0-9_-]{43}$/.test(t) ? await signIn.peek(t) : ({ ok: false, problem: 'unknown' } as const);
      if (!link.ok) return void linkProblem(res, link.problem);
      const nonce = randomBytes(24).toString('base64url');
      res.setHeader('Set-Cookie', secure.write(PRE, nonce, `Max-Age=${Math.ceil(config.portal.linkTtlMs / 1000)}`));
      show(res, 200, 'Sign in to the client portal', html`<p>Press the button to sign in as ${link.address}.</p><form method="post" action="/portal/sign-in"><input type="hidden" name="t" value="${t}"><input type="hidden" name="n" value="${nonce}"><button type="submit">Sign in</button></form>`);
    } catch (e) {
      next(e);
    }
  });

  router.post('/sign-in', async (req, res, next) => {
    try {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const t = typeof body.t === 'string' && /^[A-Za-z0-9_-]{43}$/.test(body.t) ? body.t : '';
      const pre = cookieOf(req, PRE);
      if (!t) return void linkProblem(res, 'unknown');
      if (!pre || typeof body.n !== 'string' || body.n !== pre) return void show(res, 403, 'Open the link again', html`<p>This sign-in did not come from the page of its link. Nothing happened; open the link from the email again.</p>`);
      const taken = await signIn.take(t);
      if (!taken.ok) return void linkProblem(res, taken.problem);
      const controllers = await signIn.controllersOf(taken.address);
      if (controllers.length === 0) return void show(res, 403, 'No agreement to show', html`<p>This address is no longer on record for any of our clients.</p>`);
      const { cookie } = await signIn.open(taken.address, controllers.length === 1 ? controllers[0]!.identity : null);
      res.setHeader('Set-Cookie', [secure.write(SESSION, cookie, ''), secure.write(PRE, '', 'Max-Age=0')]);
      res.redirect(303, '/portal/');
    } catch (e) {
      next(e);
    }
  });

  // ── The gate: a portal session (never a staff one), and its CSRF token on every POST.
  router.use(async (req: Portal, res: Response, next: NextFunction) => {
    try {
      const session = await signIn.touch(cookieOf(req, SESSION));
      if (!session) {
        if (req.method === 'GET' && req.path === '/') return void show(res, 200, 'Sign in', SIGN_IN_FORM());
        if (req.method === 'GET') return void res.redirect(303, '/portal/');
        return void show(res, 401, 'Signed out', html`<p>Your session ended. <a href="/portal/">Sign in again</a>; what you typed was not sent.</p>`);
      }
      if (req.method === 'POST' && !PortalSignIn.csrfValid(session, (req.body as Record<string, unknown> | undefined)?._csrf)) {
        return void show(res, 403, wordsOf(session).t('portal.refused.title'), html`<p>${wordsOf(session).t('portal.refused.csrf')}</p>`, session);
      }
      req.portal = session;
      next();
    } catch (e) {
      next(e);
    }
  });

  router.post('/sign-out', async (req: Portal, res) => {
    await signIn.end(req.portal!);
    res.setHeader('Set-Cookie', secure.write(SESSION, '', 'Max-Age=0'));
    show(res, 200, 'Signed out', html`<p>You are signed out. <a href="/portal/">Sign in again</a>.</p>`);
  });

  router.post('/choose', async (req: Portal, res, next) => {
    try {
      const identity = String((req.body as Record<string, unknown>)?.controller ?? '');
      if (!(await signIn.choose(req.portal!, identity))) return void show(res, 404, 'Not found', html`<p>No such client for this address.</p>`, req.portal!);
      res.redirect(303, '/portal/');
    } catch (e) {
      next(e);
    }
  });

  // ── A controller's own pages: a session without a controller chosen goes to the choice.
  const controllerFiles = app.get(ControllerFiles);
  const home = async (res: Response, status: number, session: PortalSession, refused: Refused | null, done: string | null = null) => {
    if (!session.controller) {
      const controllers = await signIn.controllersOf(session.address);
      return void show(
        res,
        200,
        'Which client?',
        html`<p>${session.address} is on record for several of our clients. A session covers one: choose it.</p>
        <ul class="choices">${controllers.map((c) => html`<li><form method="post" action="/portal/choose" class="inline"><input type="hidden" name="_csrf" value="${session.csrfToken}"><input type="hidden" name="controller" value="${c.identity}"><button type="submit">${c.name}</button></form></li>`)}</ul>`,
        session,
      );
    }
    const w = wordsOf(session);
    const of = contractsOfController(session.controller, 1);
    const contracts = (await dataSource.query(`SELECT c.id::text AS id, c.reference, c.status, c.controller_name AS name, c.ordered_at FROM contracts c WHERE ${of.where} ORDER BY c.ordered_at DESC, c.id LIMIT 500`, [of.value])) as {
      id: string;
      reference: string | null;
      status: string;
      name: string;
      ordered_at: Date;
    }[];
    show(
      res,
      status,
      contracts[0]?.name ?? w.t('portal.home.agreements'),
      html`${done ? html`<p class="done" role="status">${done}</p>` : ''}<p class="muted">${w.t('portal.home.signedInAs', { address: session.address })}</p>
      <h2>${w.t('portal.home.agreements')}</h2>
      ${contracts.length === 0 ? html`<p class="muted">${w.t('portal.home.none')}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">${w.t('portal.home.agreement')}</th><th scope="col">${w.t('portal.home.status')}</th><th scope="col">${w.t('portal.home.ordered')}</th></tr></thead><tbody>${contracts.map((c) => html`<tr><td><a href="/portal/contracts/${c.id}">${c.reference ?? c.id.slice(0, 8)}</a></td><td><span class="status">${w.status(c.status)}</span></td><td>${w.at(c.ordered_at.toISOString())}</td></tr>`)}</tbody></table></div>`}
      ${await controllerSection(controllerFiles, session, refused)}`,
      session,
    );
  };

  router.get('/', async (req: Portal, res, next) => {
    try {
      await home(res, 200, req.portal!, null, homeDone(wordsOf(req.portal), req.query.done));
    } catch (e) {
      next(e);
    }
  });

  /** The session's controller's contract `id`, or null: another's is as unknown as one that does not exist. */
  const ownContract = async (session: PortalSession, id: string): Promise<ContractState | null> => {
    if (!session.controller || !CANONICAL_UUID.test(id)) return null;
    const of = contractsOfController(session.controller, 2);
    const [own] = (await dataSource.query(`SELECT 1 FROM contracts c WHERE c.id = $1 AND ${of.where}`, [id, of.value])) as unknown[];
    // Read as the staff's pages read it (the row with its renewals and locations), once known to be its own.
    return own ? (await queries.found(id)).state : null;
  };

  /** An agreement's page: its facts, timeline, what is due, its files, what the controller may ask, its evidence and who may touch its data. */
  const contractPage = async (res: Response, status: number, session: PortalSession, state: ContractState, refused: Refused | null, done: string | null = null) => {
    if (state.status === 'none') return;
    const w = wordsOf(session);
    const id = state.contractId;
    const now = new Date().toISOString();
    // Who may touch its data (P3, P4): each person by name, with their clearance, as the evidence pack lists them.
    const staff = (await dataSource.query(`SELECT state FROM staff WHERE state->'assignments' @> $1::jsonb ORDER BY received_at, id`, [JSON.stringify([{ contractId: id }])])) as { state: StaffState }[];
    const persons = staff.flatMap((r) => authorisationsOn(r.state, id, now));
    const files = await agreementFiles(dataSource, id);
    const shown = new Set(files.map((f) => f.id));
    // What is owed, and by whom: every open clock of the agreement and of the files it may see.
    const clocks = ((await dataSource.query(`SELECT kind, due_at, stream_id FROM ${DEADLINES_TABLE} WHERE contract_id = $1 ORDER BY due_at, kind`, [id])) as { kind: string; due_at: Date; stream_id: string }[]).filter(
      (c) => c.stream_id === id || shown.has(c.stream_id),
    );
    show(
      res,
      status,
      w.t('portal.contract.title', { name: state.reference ?? state.contractId.slice(0, 8) }),
      html`${done ? html`<p class="done" role="status">${done}</p>` : ''}<p><span class="status">${w.status(state.status)}</span></p>
        <dl class="facts"><dt>${w.t('portal.contract.ordered')}</dt><dd>${w.at(state.orderedAt)}</dd><dt>${w.t('portal.contract.processingSince')}</dt><dd>${state.processingStartedAt ? w.at(state.processingStartedAt) : '—'}</dd>
          <dt>${w.t('portal.contract.termEnds')}</dt><dd>${state.status === 'active' && state.termEnd ? w.at(state.termEnd) : '—'}</dd><dt>${w.t('portal.contract.ended')}</dt><dd>${state.endedAt ? w.at(state.endedAt) : '—'}</dd>
          <dt>${w.t('portal.contract.destroyedBy')}</dt><dd>${state.destruction.deadline ? w.at(state.destruction.deadline) : '—'}</dd></dl>
        <h2>${w.t('portal.contract.timeline')}</h2>${timeline(state, now, w)}
        <h2>${w.t('portal.contract.due')}</h2>
        ${clocks.length === 0 ? html`<p class="muted">${w.t('portal.contract.nothingDue')}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">${w.t('portal.contract.what')}</th><th scope="col">${w.t('portal.contract.dueAt')}</th><th scope="col">${w.t('portal.contract.whose')}</th></tr></thead><tbody>${clocks.map((c) => html`<tr><td>${w.clock(c.kind)}</td><td>${w.at(c.due_at.toISOString())}${isOverdue(c.due_at.toISOString(), now) ? html` <span class="late">${w.t('portal.contract.overdue')}</span>` : ''}</td><td>${clockOwner(c.kind) === 'controller' ? w.t('portal.contract.yours') : w.t('portal.contract.ours')}</td></tr>`)}</tbody></table></div>`}
        <h2>${w.t('portal.contract.files')}</h2>
        ${files.length === 0 ? html`<p class="muted">${w.t('portal.contract.noFiles')}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">${w.t('portal.contract.file')}</th><th scope="col">${w.t('portal.home.status')}</th><th scope="col">${w.t('portal.contract.opened')}</th></tr></thead><tbody>${files.map((f) => html`<tr><td><a href="/portal/contracts/${id}/files/${f.type.name}/${f.id}">${w.noun(f.type.name)}</a>${f.type.name === 'breach-notice' ? html` (<a href="/portal/contracts/${id}/breach-notices/${f.id}.pdf" download>PDF</a>, <a href="/portal/contracts/${id}/breach-notices/${f.id}.json" download>JSON</a>)` : ''}</td><td><span class="status">${w.status(f.state.status)}</span>${f.overdue ? html` <span class="late">${w.t('portal.contract.overdue')}</span>` : ''}</td><td>${f.at ? w.at(f.at.toISOString()) : '—'}</td></tr>`)}</tbody></table></div>`}
        ${askForms(session, w, state, refused)}
        ${recordOf(w, processingRecord(state))}
        <h2>${w.t('portal.contract.evidence')}</h2>
        <p class="links"><a href="/portal/contracts/${id}/evidence.zip" download>${w.t('portal.contract.pack')}</a> ${w.t('portal.contract.packNote')}${state.destruction.certificate ? html` · <a href="/portal/contracts/${id}/certificate.json" download>${w.t('portal.contract.certificateJson')}</a> · <a href="/portal/contracts/${id}/certificate.pdf" download>${w.t('portal.contract.certificatePdf')}</a>` : ''}</p>
        <h2>${w.t('portal.contract.persons')}</h2>
        ${persons.length === 0 ? html`<p class="muted">${w.t('portal.contract.noPersons')}</p>` : html`<ul>${persons.map((p) => html`<li>${w.t('portal.contract.person', { name: p.name, from: '' })}${w.at(p.authorisedFrom)}${p.authorisedUntil ? html`${w.t('portal.contract.until', { until: '' })}${w.at(p.authorisedUntil)}` : ''} · ${p.cleared ? html`<span class="ok">${w.t('portal.contract.cleared')}</span>` : html`<span class="late">${w.t('portal.contract.notCleared', { gaps: p.gaps.join(', ').replace(/_/g, ' ') })}</span>`}</li>`)}</ul>`}`,
      session,
    );
  };

  router.get('/contracts/:id', async (req: Portal, res, next) => {
    try {
      const session = req.portal!;
      const state = await ownContract(session, String(req.params.id));
      if (!state || state.status === 'none') return void notFound(res, session, 'portal.notFound.agreement');
      await contractPage(res, 200, session, state, null, contractDone(wordsOf(session), req.query.done));
    } catch (e) {
      next(e);
    }
  });

  portalActRoutes(router, { show, notFound, ownContract, contractPage, home }, { dataSource, declared: app.get(DeclaredFiles), incidents, notices: app.get(SubProcessorNotices), commands: app.get(ContractCommands), controllerFiles });

  /** The agreement of the request's path, if it is the session's controller's; else the 404 page is sent and null returned. */
  const ownOr404 = async (req: Portal, res: Response) => {
    const state = await ownContract(req.portal!, String(req.params.id));
    if (!state || state.status === 'none') {
      notFound(res, req.portal!, 'portal.notFound.agreement');
      return null;
    }
    return state;
  };
  const attachment = (res: Response, name: string) => res.setHeader('Content-Disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`);

  // The agreement's evidence, as the DPO hands it to an auditor: the signed pack, and once its data
  // is destroyed the certificate (the signed JSON, and a PDF to read).
  router.get('/contracts/:id/evidence.zip', async (req: Portal, res, next) => {
    try {
      const state = await ownOr404(req, res);
      if (!state) return;
      const { zip, filename } = await packs.pack(state.contractId, { forController: true });
      attachment(res, filename);
      res.type('application/zip').send(Buffer.from(zip));
    } catch (e) {
      next(e);
    }
  });
  router.get('/contracts/:id/certificate.:ext', async (req: Portal, res, next) => {
    try {
      const state = await ownOr404(req, res);
      if (!state) return;
      const certificate = state.destruction.certificate;
      const ext = String(req.params.ext);
      if (!certificate || (ext !== 'json' && ext !== 'pdf')) return void notFound(res, req.portal!, 'portal.contract.noCertificate');
      attachment(res, `destruction-certificate-${certificate.certificateId}.${ext}`);
      if (ext === 'json') res.type('application/json').send(`${JSON.stringify(certificate, null, 2)}\n`);
      else res.type('application/pdf').send((await packs.certificatePdf(state))!);
    } catch (e) {
      next(e);
    }
  });
  // A breach notice as it stands, with its supplements, to attach to the controller's own notification to its authority.
  // …as JSON (the notice whole), or as a PDF to read, in the controller's language.
  router.get('/contracts/:id/breach-notices/:nid.:ext', async (req: Portal, res, next) => {
    try {
      const state = await ownOr404(req, res);
      if (!state) return;
      const nid = String(req.params.nid);
      const ext = String(req.params.ext);
      const view = CANONICAL_UUID.test(nid) && (ext === 'json' || ext === 'pdf') ? await incidents.notice(state.contractId, nid).catch(() => null) : null;
      if (!view) return void notFound(res, req.portal!, 'portal.contract.noNotice');
      attachment(res, `breach-notice-${nid}.${ext}`);
      if (ext === 'json') return void res.type('application/json').send(`${JSON.stringify(view, null, 2)}\n`);
      const c = config.processor;
      const dpo = await readCurrentDpo(dataSource, { name: c.dpoName, email: c.dpoEmail, phone: c.dpoPhone });
      const pdf = await breachNoticePdf({ notice: view, reference: state.reference, controllerName: state.controller.name, processorName: c.name, processorDpo: `${dpo.name}, ${dpo.email}`, words: wordsOf(req.portal) });
      res.type('application/pdf').send(pdf);
    } catch (e) {
      next(e);
    }
  });

  router.get('/sign-ins', async (req: Portal, res, next) => {
    try {
      const session = req.portal!;
      if (!session.controller) return void res.redirect(303, '/portal/');
      const rows = await signIn.signIns(session.controller);
      const w = wordsOf(session);
      show(
        res,
        200,
        w.t('portal.signIns.title'),
        html`<p class="muted">${w.t('portal.signIns.intro')}</p>
        <div class="table-wrap"><table><thead><tr><th scope="col">${w.t('portal.signIns.when')}</th><th scope="col">${w.t('portal.signIns.address')}</th><th scope="col">${w.t('portal.signIns.how')}</th></tr></thead><tbody>${rows.map((r) => html`<tr><td>${w.at(r.at.toISOString())}</td><td>${r.address}</td><td>${r.method === 'email-link' ? w.t('portal.signIns.emailLink') : r.method}</td></tr>`)}</tbody></table></div>`,
        session,
      );
    } catch (e) {
      next(e);
    }
  });

  router.use((req: Portal, res) => notFound(res, req.portal ?? null, 'portal.notFound.page'));
  // Express knows an error handler by its four parameters.
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    // What the request itself got wrong (a body too large, a charset or a path it cannot read) is the client's: a 4xx.
    const status = (err as { status?: unknown; statusCode?: unknown })?.status ?? (err as { statusCode?: unknown })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return void res.status(status).type('html').send(page('This request cannot be read', html`<p>Nothing was changed. <a href="/portal/">Back to the portal</a>.</p>`));
    log.error(`portal page failed: ${(err as Error)?.name ?? 'error'}`);
    res.status(503).type('html').send(page('Please try again', html`<p>We could not answer just now. Nothing was changed.</p>`));
  });
  return router;
}
