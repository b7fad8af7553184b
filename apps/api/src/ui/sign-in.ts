import { Logger } from '@nestjs/common';
import { type NextFunction, type Response, type Router } from 'express';
import { ROLES, type Role } from '#infra/auth/api-keys';
import { DEV_OIDC_USERS, type AppConfig } from '#infra/config/config';
import { bare, html } from './html';
import { type OidcClient } from './oidc';
import { cookieOf, subjectHashOf, uiCookies, UiSessions, type Signed } from './sessions';
import { staffWords } from './words';

/*
 * DESIGN §7 sign-in: OpenID Connect (authorization code with PKCE) from /ui/login to /ui/callback,
 * then a session in PostgreSQL that every page after the gate needs, with a CSRF token on every
 * POST; and signing out. The router wires these around the gate: sign-in before it, sign-out after.
 */

/** The roles that have pages (DESIGN §7): the billing system talks to the API only. */
const UI_ROLES: readonly Role[] = ['account_manager', 'dpo', 'admin'];

const say = staffWords('signIn');

/** The public half: the way in, open to a browser with no session. */
export function signInRoutes(router: Router, config: AppConfig, sessions: UiSessions, oidc: OidcClient): void {
  const cookies = uiCookies(config.ui.baseUrl);
  const cookie = cookies.write;
  const log = new Logger('ui');

  router.get('/login', async (req, res, next) => {
    try {
      if (!config.ui.issuer) return void res.status(503).send(bare(say('notConfiguredTitle'), html`<p>${say('notConfigured')}</p>`));
      const returnTo = typeof req.query.returnTo === 'string' && /^\/ui\/[A-Za-z0-9/_-]*$/.test(req.query.returnTo) ? req.query.returnTo : '/ui/';
      const { url, state, codeVerifier, nonce } = await oidc.authorizationUrl();
      await sessions.beginLogin(state, codeVerifier, nonce, returnTo);
      res.setHeader('Set-Cookie', cookie(cookies.login, state, 'Max-Age=600'));
      res.redirect(303, url);
    } catch (e) {
      next(e);
    }
  });

  router.get('/callback', async (req, res, next) => {
    try {
      const state = typeof req.query.state === 'string' ? req.query.state : '';
      // The sign-in must come back to the browser that began it.
      const login = state && cookieOf(req, cookies.login) === state ? await sessions.takeLogin(state) : null;
      if (!login) return void res.status(400).send(bare(say('expiredTitle'), html`<p>${say('expired')} <a href="/ui/login">${say('signInAgain')}</a>.</p>`));
      if (typeof req.query.error === 'string') return void res.status(400).send(bare(say('failedTitle'), html`<p>${say('notCompleted', { error: req.query.error.slice(0, 60) })} <a href="/ui/login">${say('tryAgain')}</a>.</p>`));
      let signedIn: { subject: string; role: unknown };
      try {
        signedIn = await oidc.complete(`${config.ui.baseUrl}${req.originalUrl}`, { state, ...login });
      } catch (e) {
        // The provider's answer did not hold (a code reused or expired, a token refused): say so, and log the kind.
        log.warn(`sign-in failed: ${(e as Error)?.name ?? 'error'} ${(e as { code?: string })?.code ?? ''}`);
        return void res.status(400).send(bare(say('failedTitle'), html`<p>${say('answerUnusable')} <a href="/ui/login">${say('tryAgain')}</a>.</p>`));
      }
      const { subject, role } = signedIn;
      if (config.production && (DEV_OIDC_USERS as readonly string[]).includes(subject)) {
        return void res.status(403).send(bare(say('refusedTitle'), html`<p>${say('devUsersRefused')}</p>`));
      }
      if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
        return void res.status(403).send(bare(say('noRoleTitle'), html`<p>${say('noRole', { claim: config.ui.roleClaim })}</p>`));
      }
      const created = await sessions.create(subjectHashOf(config.ui.issuer!, subject), role as Role);
      res.setHeader('Set-Cookie', [cookie(cookies.session, created.cookie, ''), cookie(cookies.login, '', 'Max-Age=0')]);
      res.redirect(303, login.returnTo);
    } catch (e) {
      next(e);
    }
  });
}

/** The gate: every route after it needs a live session of a role that has pages, and a CSRF token on every POST. */
export function sessionRequired(sessions: UiSessions, config: AppConfig) {
  const cookies = uiCookies(config.ui.baseUrl);
  return async (req: Signed, res: Response, next: NextFunction) => {
    try {
      const session = await sessions.touch(cookieOf(req, cookies.session));
      if (!session) {
        if (req.method === 'GET') return void res.redirect(303, `/ui/login?returnTo=${encodeURIComponent(req.path === '/' ? '/ui/' : `/ui${req.path}`)}`);
        return void res.status(401).send(bare(say('signedOutTitle'), html`<p>${say('sessionEnded')} <a href="/ui/login">${say('signInAgain')}</a>${say('notSent')}</p>`));
      }
      if (req.method === 'POST' && !UiSessions.csrfValid(session, (req.body as Record<string, unknown> | undefined)?._csrf)) {
        return void res.status(403).send(bare(say('refusedTitle'), html`<p>${say('badCsrf')}</p>`));
      }
      req.session = session;
      // Signing out is open to every role; the pages are not.
      if (!UI_ROLES.includes(session.role) && !(req.method === 'POST' && req.path === '/logout')) {
        return void res.status(403).send(bare(say('noPagesTitle'), html`<p>${say('noPages', { role: session.role })}</p><form method="post" action="/ui/logout"><input type="hidden" name="_csrf" value="${session.csrfToken}"><button type="submit">${say('signOut')}</button></form>`));
      }
      next();
    } catch (e) {
      next(e);
    }
  };
}

/** Behind the gate (it needs the session and its CSRF token), but open to every role. */
export function signOutRoutes(router: Router, config: AppConfig, sessions: UiSessions): void {
  const cookies = uiCookies(config.ui.baseUrl);
  const cookie = cookies.write;
  router.post('/logout', async (req: Signed, res) => {
    await sessions.end(req.session!);
    res.setHeader('Set-Cookie', cookie(cookies.session, '', 'Max-Age=0'));
    res.send(bare(say('signedOutTitle'), html`<p>${say('signedOut')} <a href="/ui/login">${say('signInAgain')}</a>.</p>`));
  });
}
