import { Logger, type INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { DataSource } from 'typeorm';
import { authorisationsOn, callerCommands, CANONICAL_UUID, CONTRACT_FILE_TYPES, CONTRACT_STATUSES, controllerIdentity, FILE_TYPES, fileTypeNamed, isEnded, isLate, isOverdue, type OrderedOrLater, type StaffState } from '../../../../libs/domain/src';
import { DEADLINES_TABLE } from '../../../../libs/infra/src/event-store/deadlines-projection';
import { controllerFileId } from '../../../../libs/infra/src/ids';
import { ROLES, type Principal, type Role } from '../../../../libs/infra/src/auth/api-keys';
import { DEV_OIDC_USERS, type AppConfig } from '../../../../libs/infra/src/config/config';
import { ApiError } from '../common/api-error';
import { toApiError } from '../common/error.filter';
import { validationPipe } from '../common/validation';
import { ContractCommands } from '../contracts/contract-commands.service';
import { ContractQueries } from '../contracts/contract-queries.service';
import { HandOverCredentialsDto } from '../contracts/dto/commands.dto';
import { OrderContractDto } from '../contracts/dto/order-contract.dto';
import { DeadlineQueries } from '../deadlines/deadlines.service';
import { EvidencePacks } from '../evidence/evidence';
import { Incidents } from '../incidents/incidents.service';
import { FileTrails } from '../kit/trail';
import { bare, CSS, dateTime, dateWithCountdown, html, Html, layout } from './html';
import { field, fieldError } from './forms';
import { OidcClient } from './oidc';
import { incidentRoutes, type UiContext } from './incidents';
import { declaredFileRoutes, filePageOf, openFileForms, type Refused } from './file-forms';
import { DeclaredFiles } from '../kit/declared-files';
import { cookieOf, SESSION_COOKIE, subjectHashOf, UiSessions, type Signed, type UiSession } from './sessions';
import { timeline } from './timeline';

const LOGIN_COOKIE = 'dpa_login';
/** The roles that have pages (DESIGN §7): the billing system talks to the API only. */
const UI_ROLES: readonly Role[] = ['account_manager', 'dpo', 'admin'];
const TRAIL_ROLES: readonly Role[] = ['dpo', 'admin'];

/** The file types a controller has one of, with clocks: shown on each of its contracts. */
const CONTROLLER_CLOCK_TYPES = FILE_TYPES.filter((t) => t.parent === 'controller' && t.clocks);

/** A form's fields as text: a field sent twice (an array) counts as empty, and the checks refuse it. */
const strings = (body: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : '']));


/** Strict headers on every page: a CSP with no inline script (no script at all), no framing; and the server's time (Server-Timing). */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  const started = process.hrtime.bigint();
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
  res.writeHead = ((...args: unknown[]) => {
    if (!res.headersSent) res.setHeader('Server-Timing', `app;dur=${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)}`);
    return writeHead(...args);
  }) as typeof res.writeHead;
  res.setHeader('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/**
 * DESIGN §7: the browser UI, under /ui — sign-in with OpenID Connect (authorization code with
 * PKCE), sessions in PostgreSQL with an idle timeout, a CSRF token on every form, pages rendered
 * on the server from the same services the API answers with. No API key reaches the browser.
 */
export function uiRouter(app: INestApplication, config: AppConfig): Router {
  const sessions = new UiSessions(app.get(DataSource), config.ui.sessionIdleMs);
  const oidc = new OidcClient(config.ui);
  const queries = app.get(ContractQueries);
  const commands = app.get(ContractCommands);
  const deadlines = app.get(DeadlineQueries);
  const trails = app.get(FileTrails);
  const packs = app.get(EvidencePacks);
  const dataSource = app.get(DataSource);
  /** A contract's own files (DESIGN §3), each with its stream: what its page lists and its trail shows. */
  const filesOf = async (contractId: string) =>
    (await dataSource.query(
      `SELECT f.id::text AS id, f.type, f.stream, f.status, f.at FROM (
         ${CONTRACT_FILE_TYPES.map(({ readModel, noun, name }) => `SELECT id, '${noun.replace(/'/g, "''")}' AS type, '${name}' AS stream, status, received_at AS at FROM ${readModel.table} WHERE contract_id = $1`).join(' UNION ALL ')}
       ) f ORDER BY f.at, f.id`,
      [contractId],
    )) as { id: string; type: string; stream: string; status: string; at: Date | null }[];
  const pipe = validationPipe();
  const secure = config.ui.baseUrl.startsWith('https:');
  const cookie = (name: string, value: string, extra: string) => `${name}=${encodeURIComponent(value)}; HttpOnly; SameSite=Lax; Path=/${secure ? '; Secure' : ''}; ${extra}`;
  const router = Router();
  router.use(securityHeaders);
  router.use(express.urlencoded({ extended: false, limit: '20kb' }));
  const log = new Logger('ui');

  router.get('/assets/app.css', (_req, res) => {
    res.type('text/css').setHeader('Cache-Control', 'public, max-age=3600');
    res.send(CSS);
  });

  router.get('/login', async (req, res, next) => {
    try {
      if (!config.ui.issuer) return void res.status(503).send(bare('Sign-in is not configured', html`<p>Set OIDC_ISSUER (and OIDC_CLIENT_ID, OIDC_CLIENT_SECRET) to sign in with your organisation's OpenID provider.</p>`));
      const returnTo = typeof req.query.returnTo === 'string' && /^\/ui\/[A-Za-z0-9/_-]*$/.test(req.query.returnTo) ? req.query.returnTo : '/ui/contracts';
      const { url, state, codeVerifier, nonce } = await oidc.authorizationUrl();
      await sessions.beginLogin(state, codeVerifier, nonce, returnTo);
      res.setHeader('Set-Cookie', cookie(LOGIN_COOKIE, state, 'Max-Age=600'));
      res.redirect(303, url);
    } catch (e) {
      next(e);
    }
  });

  router.get('/callback', async (req, res, next) => {
    try {
      const state = typeof req.query.state === 'string' ? req.query.state : '';
      // The sign-in must come back to the browser that began it.
      const login = state && cookieOf(req, LOGIN_COOKIE) === state ? await sessions.takeLogin(state) : null;
      if (!login) return void res.status(400).send(bare('Sign-in expired', html`<p>This sign-in is unknown or expired. <a href="/ui/login">Sign in again</a>.</p>`));
      if (typeof req.query.error === 'string') return void res.status(400).send(bare('Sign-in failed', html`<p>The sign-in did not complete (${req.query.error.slice(0, 60)}). <a href="/ui/login">Try again</a>.</p>`));
      let signedIn: { subject: string; role: unknown };
      try {
        signedIn = await oidc.complete(`${config.ui.baseUrl}${req.originalUrl}`, { state, ...login });
      } catch (e) {
        // The provider's answer did not hold (a code reused or expired, a token refused): say so, and log the kind.
        log.warn(`sign-in failed: ${(e as Error)?.name ?? 'error'} ${(e as { code?: string })?.code ?? ''}`);
        return void res.status(400).send(bare('Sign-in failed', html`<p>The provider's answer could not be used. <a href="/ui/login">Try again</a>.</p>`));
      }
      const { subject, role } = signedIn;
      if (config.production && (DEV_OIDC_USERS as readonly string[]).includes(subject)) {
        return void res.status(403).send(bare('Refused', html`<p>The development provider's users are refused in production.</p>`));
      }
      if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
        return void res.status(403).send(bare('No role', html`<p>Your account has no role in the engine (claim ${config.ui.roleClaim}).</p>`));
      }
      const created = await sessions.create(subjectHashOf(config.ui.issuer!, subject), role as Role);
      res.setHeader('Set-Cookie', [cookie(SESSION_COOKIE, created.cookie, ''), cookie(LOGIN_COOKIE, '', 'Max-Age=0')]);
      res.redirect(303, login.returnTo);
    } catch (e) {
      next(e);
    }
  });

  // Everything below needs a live session of a role that has pages, and a CSRF token on every POST.
  router.use(async (req: Signed, res, next) => {
    try {
      const session = await sessions.touch(cookieOf(req, SESSION_COOKIE));
      if (!session) {
        if (req.method === 'GET') return void res.redirect(303, `/ui/login?returnTo=${encodeURIComponent(req.path === '/' ? '/ui/contracts' : `/ui${req.path}`)}`);
        return void res.status(401).send(bare('Signed out', html`<p>Your session ended. <a href="/ui/login">Sign in again</a>; what you typed was not sent.</p>`));
      }
      if (req.method === 'POST' && !UiSessions.csrfValid(session, (req.body as Record<string, unknown> | undefined)?._csrf)) {
        return void res.status(403).send(bare('Refused', html`<p>This form has no valid security token (CSRF). Reload the page and try again.</p>`));
      }
      req.session = session;
      // Signing out is open to every role; the pages are not.
      if (!UI_ROLES.includes(session.role) && !(req.method === 'POST' && req.path === '/logout')) {
        return void res.status(403).send(bare('No pages for this role', html`<p>The role ${session.role} works through the API; it has no pages.</p><form method="post" action="/ui/logout"><input type="hidden" name="_csrf" value="${session.csrfToken}"><button type="submit">Sign out</button></form>`));
      }
      next();
    } catch (e) {
      next(e);
    }
  });

  const principalOf = (s: UiSession): Principal => ({ keyId: `ui:${s.subjectHash.slice(0, 16)}`, role: s.role, name: 'browser session' });
  const page = (req: Signed, title: string, active: 'contracts' | 'inbox' | 'new' | 'incidents' | undefined, body: Html) => layout({ role: req.session!.role, csrf: req.session!.csrfToken, title, active }, body);
  const csrfField = (req: Signed) => html`<input type="hidden" name="_csrf" value="${req.session!.csrfToken}">`;

  router.post('/logout', async (req: Signed, res) => {
    await sessions.end(req.session!);
    res.setHeader('Set-Cookie', cookie(SESSION_COOKIE, '', 'Max-Age=0'));
    res.send(bare('Signed out', html`<p>You are signed out. <a href="/ui/login">Sign in again</a>.</p>`));
  });

  router.get('/', (_req, res) => res.redirect(303, '/ui/contracts'));

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
      const next = nextCursor ? html`<p class="pager"><a href="/ui/contracts?${new URLSearchParams({ ...(ref ? { ref } : {}), ...(q ? { q } : {}), ...(status ? { status } : {}), cursor: nextCursor }).toString()}">Next page</a></p>` : '';
      res.send(
        page(
          req,
          'Contracts',
          'contracts',
          html`<form class="filters" method="get" action="/ui/contracts" role="search">
            <div><label for="ref">Reference</label><input id="ref" type="search" name="ref" value="${ref}" placeholder="starts with"></div>
            <div><label for="q">Controller</label><input id="q" type="search" name="q" value="${q}" placeholder="name or email"></div>
            <div><label for="status">Status</label><select id="status" name="status"><option value="">any</option>${CONTRACT_STATUSES.map((st) => html`<option value="${st}"${st === status ? new Html(' selected') : ''}>${st}</option>`)}</select></div>
            <button type="submit">Filter</button>
          </form>
          <div class="table-wrap"><table>
            <caption class="muted">${items.length === 0 ? 'No contract matches.' : `${items.length} contract(s) on this page`}</caption>
            <thead><tr><th scope="col">Contract</th><th scope="col">Controller</th><th scope="col">Status</th><th scope="col">Term ends</th><th scope="col" class="wide">Destruction deadline</th></tr></thead>
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
      'Order a contract',
      'new',
      html`${error ? html`<p class="notice" role="alert">${error.message}</p>` : ''}
      <form method="post" action="/ui/contracts">${csrfField(req)}
        ${field('controllerName', 'Controller name', values.controllerName, error, 'controller.name')}
        ${field('controllerEmail', 'Controller email', values.controllerEmail, error, 'controller.email', 'email')}
        ${field('reference', 'Reference (optional)', values.reference, error, 'reference')}
        <div class="field"><label for="billingPeriod">Billing period</label><select id="billingPeriod" name="billingPeriod">${['P1M', 'P3M', 'P1Y'].map((p) => html`<option value="${p}"${values.billingPeriod === p ? new Html(' selected') : ''}>${p}</option>`)}</select></div>
        <button type="submit">Order</button>
      </form>`,
    );

  router.get('/contracts/new', (req: Signed, res) => {
    if (req.session!.role !== 'account_manager') return void res.status(403).send(page(req, 'Not allowed', undefined, html`<p>Only account managers order contracts.</p>`));
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

  const ui: UiContext = { page, csrfField, principalOf, pipe };
  const contractPage = async (req: Signed, id: string, error: ApiError | null = null, values: Record<string, string> = {}, refused: Refused | null = null) => {
    const { state } = await queries.found(id);
    const s = state as OrderedOrLater;
    const manager = req.session!.role === 'account_manager';
    const d = s.destruction;
    const actions: Html[] = [];
    // What a role may not do, it is not shown: the forms are those of the commands the contract takes now.
    const allowed = manager ? callerCommands(s) : [];
    if (allowed.includes('HandOverCredentials')) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/credentials">${csrfField(req)}<h2>Hand over credentials</h2>
        ${field('kind', 'Kind', values.kind ?? 'ssh', error, 'kind')}${field('host', 'Host', values.host, error, 'host')}${field('username', 'Username', values.username, error, 'username')}
        <div class="field"><label for="secret">Secret (write-only)</label><input id="secret" type="password" name="secret" autocomplete="new-password" required>${fieldError(error, 'secret')}</div>
        <button type="submit">Hand over</button></form>`);
    }
    if (allowed.includes('NoticeNonRenewal') && !s.nonRenewalNoticedAt) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/non-renewal">${csrfField(req)}<h2>Non-renewal notice</h2>
        <p class="muted">The contract then expires at the end of its term (${dateTime(s.termEnd)}) unless billing accepts a renewal.</p>
        ${field('nonRenewalReason', 'Reason (optional)', values.nonRenewalReason, error, 'nonRenewalReason')}
        <button type="submit">Record the notice</button></form>`);
    }
    if (allowed.includes('CancelContract')) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/cancellation">${csrfField(req)}<h2>Cancel the order</h2>
        ${field('cancelReason', 'Reason', values.cancelReason, error, 'cancelReason')}
        <div class="field"><label><input type="checkbox" name="confirm" value="yes" required> I understand: the order is cancelled for good.</label></div>
        <button type="submit" class="danger">Cancel the order</button></form>`);
    }
    if (allowed.includes('RequestDataExport')) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/export">${csrfField(req)}<h2>Give the data back</h2>
        <p class="muted">Inside the return window (until ${dateTime(d.returnWindowEndsAt)}): destruction waits until the export is served.</p>
        <button type="submit">Request a data export</button></form>`);
    }
    if (allowed.includes('TerminateContract')) {
      actions.push(html`<form method="post" action="/ui/contracts/${id}/termination">${csrfField(req)}<h2>Terminate</h2>
        ${field('reason', 'Reason', values.reason, error, 'reason')}
        <div class="field"><label><input type="checkbox" name="confirm" value="yes" required> I understand: processing ends now, the credentials are shredded and the data will be destroyed.</label>${fieldError(error, 'confirm')}</div>
        <button type="submit" class="danger">Terminate the contract</button></form>`);
    }
    // Each declared file type the role may open, from its declaration (its create command's schema and roles).
    if (s.status !== 'cancelled') actions.push(...openFileForms(req, ui, id, refused));
    const files = await filesOf(id);
    const now = new Date().toISOString();
    const staff = (await dataSource.query(`SELECT state FROM staff WHERE state->'assignments' @> $1::jsonb ORDER BY received_at, id`, [JSON.stringify([{ contractId: id }])])) as { state: StaffState }[];
    const persons = staff.flatMap((r) => authorisationsOn(r.state, id, now));
    const auditor = TRAIL_ROLES.includes(req.session!.role);
    const links: Html[] = [];
    if (d.certificate) links.push(html`<a href="/ui/contracts/${id}/certificate.json" download>Download the destruction certificate</a>`);
    if (auditor) links.push(html`<a href="/ui/contracts/${id}/evidence.zip" download>Download the evidence pack</a>`, html`<a href="/ui/contracts/${id}/trail">Audit trail</a>`);
    const lateDeadline = d.deadline !== null && (d.completedAt ? isLate(d.deadline, d.completedAt) : isOverdue(d.deadline, new Date().toISOString()));
    // The controller's own files (a contact check) with an open clock show on each of its contracts.
    const identity = controllerIdentity(s.controller);
    const controllerClocks = CONTROLLER_CLOCK_TYPES.length
      ? ((await dataSource.query(
          `SELECT stream_type, kind, due_at FROM ${DEADLINES_TABLE} WHERE (stream_type, stream_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY due_at`,
          [CONTROLLER_CLOCK_TYPES.map((t) => t.name), CONTROLLER_CLOCK_TYPES.map((t) => controllerFileId(t.name, identity))],
        )) as { stream_type: string; kind: string; due_at: Date }[])
      : [];
    return page(
      req,
      `Contract ${s.reference ?? s.contractId}`,
      'contracts',
      html`${error && !error.details ? html`<p class="notice" role="alert">${error.message}</p>` : ''}
      <p><span class="status">${s.status}</span> ${s.controller.name} · <span class="muted">${s.controller.email}</span></p>
      <dl class="facts">
        <dt>Ordered</dt><dd>${dateTime(s.orderedAt)}</dd>
        <dt>Processing since</dt><dd>${dateTime(s.processingStartedAt)}</dd>
        <dt>Term ends</dt><dd>${s.status === 'active' ? dateWithCountdown(s.termEnd) : '—'}</dd>
        <dt>Ended</dt><dd>${s.endedAt ? html`${dateTime(s.endedAt)} (${s.endKind})` : '—'}</dd>
        <dt>Destruction deadline</dt><dd>${d.deadline ? dateWithCountdown(d.deadline, lateDeadline) : '—'}</dd>
        <dt>Destruction</dt><dd>${d.status === 'none' ? '—' : html`${d.status}: ${d.locations.filter((l) => l.status === 'destroyed').length} of ${d.locations.length} locations destroyed`}</dd>
        <dt>Certificate</dt><dd>${d.certificate ? html`${d.certificate.certificateId} · ${dateTime(d.completedAt)} · ${d.certificate.withinDeadline ? html`<span class="ok">within the deadline</span>` : html`<span class="late">after the deadline</span>`}` : '—'}</dd>
      </dl>
      <h2>Timeline</h2>
      ${timeline(s)}
      ${isEnded(s) || s.status === 'destroyed' ? html`<h2>Locations</h2><ul>${d.locations.map((l) => html`<li>${l.name}: ${l.status}${l.status === 'destroyed' ? html` · ${dateTime(l.destroyedAt)}` : ''}</li>`)}</ul>` : ''}
      ${links.length ? html`<p class="links">${links.map((l, i) => html`${i ? ' · ' : ''}${l}`)}</p>` : ''}
      ${controllerClocks.length ? html`<h2>The controller</h2><ul>${controllerClocks.map((c) => html`<li><span class="late">${fileTypeNamed(c.stream_type)?.noun}: ${c.kind.replace(/-/g, ' ')}</span>, due ${dateWithCountdown(c.due_at.toISOString(), isOverdue(c.due_at.toISOString(), new Date().toISOString()))}</li>`)}</ul>` : ''}
      <h2>Authorised persons</h2>
      ${persons.length === 0 ? html`<p class="muted">Nobody is authorised on this contract yet.</p>` : html`<ul>${persons.map((p) => html`<li>${p.name}: from ${dateTime(p.authorisedFrom)}${p.authorisedUntil ? html` until ${dateTime(p.authorisedUntil)}` : ''} · ${p.cleared ? html`<span class="ok">cleared</span>` : html`<span class="late">gap: ${p.gaps.join(', ').replace(/_/g, ' ')}</span>`}</li>`)}</ul>`}
      <h2>Files</h2>
      ${files.length === 0 ? html`<p class="muted">No breach notice, request, instruction, audit or other file yet.</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">File</th><th scope="col">Status</th><th scope="col">Opened</th>${auditor ? html`<th scope="col">Trail</th>` : ''}</tr></thead><tbody>${files.map((f) => html`<tr><td>${filePageOf(id, f.stream, f.id) ? html`<a href="${filePageOf(id, f.stream, f.id)!}">${f.type}</a>` : f.type}</td><td><span class="status">${f.status}</span></td><td>${f.at ? dateTime(f.at.toISOString()) : '—'}</td>${auditor ? html`<td><a href="/ui/contracts/${id}/trail?file=${f.id}">events</a></td>` : ''}</tr>`)}</tbody></table></div>`}
      ${actions.length ? html`<h2>Actions</h2><div class="actions">${actions}</div>` : ''}`,
    );
  };

  router.get('/contracts/:id', async (req: Signed, res, next) => {
    try {
      const id = String(req.params.id);
      if (!CANONICAL_UUID.test(id)) return void res.status(404).send(page(req, 'Not found', 'contracts', html`<p>No such contract.</p>`));
      res.send(await contractPage(req, id));
    } catch (e) {
      const error = toApiError(e);
      if (error.status === 404) return void res.status(404).send(page(req, 'Not found', 'contracts', html`<p>No such contract.</p>`));
      next(e);
    }
  });

  const contractParam = (req: Request) => {
    const id = String(req.params.id);
    if (!CANONICAL_UUID.test(id)) throw new ApiError(404, 'not_found', 'No such contract.');
    return id;
  };

  router.get('/contracts/:id/certificate.json', async (req: Signed, res, next) => {
    try {
      const id = contractParam(req);
      const { state } = await queries.found(id);
      const certificate = state.status === 'none' ? null : state.destruction.certificate;
      if (!certificate) throw new ApiError(404, 'not_found', 'This contract has no destruction certificate yet.');
      res.setHeader('Content-Disposition', `attachment; filename="destruction-certificate-${certificate.certificateId}.json"`);
      res.type('application/json').send(`${JSON.stringify(certificate, null, 2)}\n`);
    } catch (e) {
      next(e);
    }
  });

  router.get('/contracts/:id/evidence.zip', async (req: Signed, res, next) => {
    try {
      if (!TRAIL_ROLES.includes(req.session!.role)) throw new ApiError(403, 'forbidden', 'The evidence pack is for the DPO and admins.');
      const { zip, filename } = await packs.pack(contractParam(req));
      res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
      res.type('application/zip').send(Buffer.from(zip));
    } catch (e) {
      next(e);
    }
  });

  // The audit trail of the contract, or of one of its files: every event with its hash, and a verification.
  router.get('/contracts/:id/trail', async (req: Signed, res, next) => {
    try {
      if (!TRAIL_ROLES.includes(req.session!.role)) throw new ApiError(403, 'forbidden', 'The audit trail is for the DPO and admins.');
      const id = contractParam(req);
      const { state } = await queries.found(id);
      const fileId = typeof req.query.file === 'string' ? req.query.file : null;
      const file = fileId ? (await filesOf(id)).find((f) => f.id === fileId) : null;
      if (fileId && !file) throw new ApiError(404, 'not_found', 'No such file under this contract.');
      const streamId = file?.id ?? id;
      const { events } = await trails.events(streamId);
      const verified = req.query.verify === '1' ? await trails.verify(streamId) : null;
      const name = `${file ? `${file.type} of ` : ''}contract ${state.status === 'none' ? id : (state.reference ?? id)}`;
      res.send(
        page(
          req,
          `Audit trail — ${name}`,
          'contracts',
          html`<p><a href="/ui/contracts/${id}">Back to the contract</a></p>
          <form method="get" action="/ui/contracts/${id}/trail">${file ? html`<input type="hidden" name="file" value="${file.id}">` : ''}<input type="hidden" name="verify" value="1"><button type="submit">Verify the hash chain</button></form>
          ${verified ? (verified.valid ? html`<p class="ok" role="status">The chain of ${events.length} events verifies: no event was changed, removed or reordered.</p>` : html`<p class="notice" role="alert">The chain breaks at event ${verified.brokenAt ?? '?'}: ${verified.reason ?? ''}</p>`) : ''}
          <div class="table-wrap"><table><thead><tr><th scope="col">#</th><th scope="col">Event</th><th scope="col">Occurred</th><th scope="col">By</th><th scope="col" class="wide">Hash</th></tr></thead>
          <tbody>${events.map((e) => html`<tr><td>${e.version}</td><td>${e.type}</td><td>${dateTime(e.occurredAt)}</td><td>${String((e.metadata as { actor?: string } | null)?.actor ?? '—')}</td><td class="wide"><code title="${e.hash}">${e.hash.slice(0, 16)}…</code></td></tr>`)}</tbody></table></div>`,
        ),
      );
    } catch (e) {
      next(e);
    }
  });

  const contractCommand = (path: string, run: (req: Signed, id: string, body: Record<string, string>) => Promise<unknown>) =>
    router.post(`/contracts/:id/${path}`, async (req: Signed, res, next) => {
      const id = String(req.params.id);
      const body = strings(req.body);
      try {
        if (!CANONICAL_UUID.test(id)) throw new ApiError(404, 'not_found', 'No such contract.');
        if (req.session!.role !== 'account_manager') throw new ApiError(403, 'forbidden', 'Only account managers act on contracts here.');
        await run(req, id, body);
        res.redirect(303, `/ui/contracts/${id}`);
      } catch (e) {
        const error = toApiError(e);
        if (error.status >= 500 || error.status === 404) return next(e);
        // Nothing typed is lost, but the secret (write-only).
        const { secret: _secret, _csrf, ...values } = body;
        res.status(error.status).send(await contractPage(req, id, error, values).catch(() => bare('Refused', html`<p>${error.message}</p>`)));
      }
    });

  contractCommand('credentials', async (req, id, body) => {
    const dto = (await pipe.transform({ kind: body.kind, host: body.host, username: body.username, secret: body.secret }, { type: 'body', metatype: HandOverCredentialsDto })) as HandOverCredentialsDto;
    await commands.handOver(id, dto, principalOf(req.session!), null);
  });
  contractCommand('non-renewal', async (req, id, body) => {
    await commands.noticeNonRenewal(id, body.nonRenewalReason?.trim() || null, principalOf(req.session!));
  });
  contractCommand('cancellation', async (req, id, body) => {
    if (body.confirm !== 'yes') throw new ApiError(400, 'confirmation_required', 'Tick the box to confirm: a cancellation cannot be undone.');
    if (!body.cancelReason?.trim()) throw new ApiError(400, 'validation_failed', 'A reason is required.', { fields: [{ field: 'cancelReason', problem: 'A reason is required.' }] });
    await commands.cancel(id, body.cancelReason.trim(), principalOf(req.session!));
  });
  contractCommand('export', async (req, id) => {
    await commands.requestDataExport(id, principalOf(req.session!), null);
  });
  contractCommand('termination', async (req, id, body) => {
    if (body.confirm !== 'yes') throw new ApiError(400, 'confirmation_required', 'Tick the box to confirm: termination cannot be undone.', { fields: [{ field: 'confirm', problem: 'Tick the box to confirm: termination cannot be undone.' }] });
    if (!body.reason?.trim()) throw new ApiError(400, 'validation_failed', 'A reason is required.', { fields: [{ field: 'reason', problem: 'A reason is required.' }] });
    await commands.terminate(id, body.reason.trim(), principalOf(req.session!));
  });

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

  incidentRoutes(router, ui, app.get(Incidents));
  declaredFileRoutes(router, ui, app.get(DeclaredFiles), (req, id, refused) => contractPage(req, id, null, {}, refused));

  // Anything else under /ui, and failures: a page, never a stack trace.
  router.use((_req, res) => void res.status(404).send(bare('Not found', html`<p>No such page. <a href="/ui/contracts">Contracts</a>.</p>`)));
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error = toApiError(err);
    // The kind of failure and where, never its message (it may name a controller).
    if (error.status >= 500) log.error(`${req.method} /ui${req.path.replace(/[0-9a-f-]{36}/g, ':id')} failed: ${(err as Error)?.name ?? 'error'} ${error.code}`);
    if (error.status === 404 || error.status === 403) return void res.status(error.status).send(bare(error.status === 404 ? 'Not found' : 'Not allowed', html`<p>${error.message} <a href="/ui/contracts">Contracts</a>.</p>`));
    res.status(error.status >= 500 ? 503 : error.status).send(bare('Something went wrong', html`<p>${error.status >= 500 ? 'The engine could not answer now; try again in a moment.' : error.message}</p>`));
  });
  return router;
}

