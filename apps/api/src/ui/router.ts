import { Logger, type INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { DataSource } from 'typeorm';
import { type AppConfig } from '#infra/config/config';
import { toApiError } from '../common/error.filter';
import { validationPipe } from '../common/validation';
import { ContractCommands } from '../contracts/contract-commands.service';
import { ProcessorDpo } from '../processor-dpo/processor-dpo.service';
import { ContractQueries } from '../contracts/contract-queries.service';
import { DeadlineQueries } from '../deadlines/deadlines.service';
import { EvidencePacks } from '../evidence/evidence';
import { Incidents } from '../incidents/incidents.service';
import { DeclaredFiles } from '../kit/declared-files';
import { FileTrails } from '../kit/trail';
import { contractCommandRoutes } from './contract-commands';
import { contractPageRoutes } from './contract-page';
import { contractRoutes } from './contracts';
import { declaredFileRoutes } from './file-forms';
import { bare, CSS, html } from './html';
import { inboxRoutes } from './inbox';
import { incidentRoutes } from './incidents';
import { OidcClient } from './oidc';
import { registerRoutes } from './registers';
import { rosterRoutes } from './roster';
import { subProcessorRoutes } from './sub-processors';
import { controllerRoutes } from './controllers';
import { integrationRoutes } from './integrations';
import { StripeEvents } from '../integrations/stripe/stripe-events.service';
import { WebhookSubscriptions } from '../integrations/webhooks/webhooks.service';
import { ControllerFiles, ControllerRecords } from '../controllers/controllers.service';
import { SubProcessorChanges, SubProcessorNotices } from '../sub-processors/sub-processors.service';
import { Roster } from '../staff/staff.service';
import { dashboardRoutes } from './dashboard';
import { type Signed, UiSessions } from './sessions';
import { sessionRequired, signInRoutes, signOutRoutes } from './sign-in';
import { trailRoutes } from './trail';
import { uiContext } from './ui-context';
import { staffWords } from './words';

const say = staffWords('layout');

/** Strict headers on every page: a CSP with no inline script (no script at all), no framing; and the server's time (Server-Timing). */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  const started = process.hrtime.bigint();
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
  res.writeHead = ((...args: unknown[]) => {
    // Not on an answer that must not tell what it looked up (the portal's link requests): its time would.
    if (!res.headersSent && !res.locals.untimed) res.setHeader('Server-Timing', `app;dur=${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)}`);
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
 *
 * Each group of pages lives in a file of its own; this wires them, and the order is the security:
 * what comes before the session gate is public, everything after it needs a session (and a CSRF
 * token on POST), and the 404 and error pages come last.
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
  const ui = uiContext(validationPipe());
  const router = Router();
  router.use(securityHeaders);
  router.use(express.urlencoded({ extended: false, limit: '20kb' }));
  const log = new Logger('ui');

  router.get('/assets/app.css', (_req, res) => {
    res.type('text/css').setHeader('Cache-Control', 'public, max-age=3600');
    res.send(CSS);
  });

  signInRoutes(router, config, sessions, oidc);

  // Everything below needs a live session of a role that has pages, and a CSRF token on every POST.
  router.use(sessionRequired(sessions, config));

  // Every page shows what is overdue beside the inbox's link: counted once per page shown, not for a download (.csv, .zip, .pdf, .json).
  router.use((req: Signed, _res, next) => {
    if (req.method !== 'GET' || /\.[a-z]+$/.test(req.path)) return next();
    deadlines.overdueCount().then(
      (n) => {
        req.overdue = n;
        next();
      },
      () => next(),
    );
  });

  signOutRoutes(router, config, sessions);
  contractRoutes(router, ui, queries, commands);
  const contractPage = contractPageRoutes(router, ui, queries, dataSource);
  trailRoutes(router, ui, queries, trails, packs, dataSource);
  contractCommandRoutes(router, ui, commands, contractPage);
  inboxRoutes(router, ui, deadlines);
  incidentRoutes(router, ui, app.get(Incidents));
  registerRoutes(router, ui, app.get(ProcessorDpo));
  dashboardRoutes(router, ui, dataSource);
  rosterRoutes(router, ui, app.get(Roster), trails, (req, id, error) => contractPage(req, id, error));
  subProcessorRoutes(router, ui, app.get(SubProcessorChanges), app.get(SubProcessorNotices), dataSource);
  controllerRoutes(router, ui, app.get(ControllerRecords), app.get(ControllerFiles), dataSource);
  integrationRoutes(router, ui, app.get(WebhookSubscriptions), app.get(StripeEvents), config);
  declaredFileRoutes(router, ui, app.get(DeclaredFiles), trails, (req, id, refused) => contractPage(req, id, null, {}, refused));

  // Anything else under /ui, and failures: a page, never a stack trace.
  router.use((_req, res) => void res.status(404).send(bare(say('notFound'), html`<p>${say('noSuchPage')} <a href="/ui/contracts">${say('contracts')}</a>.</p>`)));
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error = toApiError(err);
    // The kind of failure and where, never its message (it may name a controller).
    if (error.status >= 500) log.error(`${req.method} /ui${req.path.replace(/[0-9a-f-]{36}/g, ':id')} failed: ${(err as Error)?.name ?? 'error'} ${error.code}`);
    if (error.status === 404 || error.status === 403) return void res.status(error.status).send(bare(say(error.status === 404 ? 'notFound' : 'notAllowed'), html`<p>${error.message} <a href="/ui/contracts">${say('contracts')}</a>.</p>`));
    res.status(error.status >= 500 ? 503 : error.status).send(bare(say('somethingWentWrong'), html`<p>${error.status >= 500 ? say('engineUnavailable') : error.message}</p>`));
  });
  return router;
}
