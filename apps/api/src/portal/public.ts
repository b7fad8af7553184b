import { type Request, type Response, type Router } from 'express';
import { CANONICAL_UUID } from '#domain';
import { type AppConfig } from '#infra/config/config';
import { type SubProcessorChanges } from '../sub-processors/sub-processors.service';
import { dateTime, html, type Html } from '../ui/html';
import { clientOf } from './client';
import { isAddress } from './portal-sign-in';
import { announcement, type Subscriptions } from './subscriptions';

/*
 * DESIGN §8, EDPB Opinion 22/2024: the sub-processors, easy to reach at all times — a public page,
 * no sign-in, no personal data, cacheable (its subscription form posts without a CSRF token, so
 * that one copy serves everyone). Subscribing is confirmed by a double opt-in through a button page;
 * every announcement's RFC 8058 link unsubscribes with one POST.
 */

type Show = (res: Response, status: number, title: string, body: Html) => void;

const SUBSCRIBE_FORM = (value = '', note: Html | string = '') =>
  html`<form method="post" action="/portal/sub-processors/subscribe" class="card" aria-labelledby="subscribe-title"><h2 id="subscribe-title">Be told of every change</h2>
    <p>We email each change when we announce it, before it takes effect. Your address is kept for nothing else, and deleted when you unsubscribe (a link in every email).</p>
    ${note}
    <div class="field"><label for="subscribe-email">Email address</label><input id="subscribe-email" name="email" type="email" autocomplete="email" required maxlength="254" value="${value}"></div>
    <button type="submit">Subscribe</button></form>`;

const param = (req: Request, name: string): string => {
  const v = (req.query[name] ?? (req.body as Record<string, unknown> | undefined)?.[name]) as unknown;
  return typeof v === 'string' ? v : '';
};

export function publicRoutes(router: Router, show: Show, subscriptions: Subscriptions, changes: SubProcessorChanges, config: AppConfig): void {
  router.get('/sub-processors', async (_req, res, next) => {
    try {
      const { items } = await changes.register();
      const pending = await subscriptions.pendingChanges();
      // The same page for everyone: caches may keep it a few minutes.
      res.setHeader('Cache-Control', 'public, max-age=300');
      show(
        res,
        200,
        `${config.processor.name}: our sub-processors`,
        html`<p>The parties that hold our clients' data for us (GDPR 28(2), 28(4)), and every change we announced that is not in force yet. Our clients are told of each change first, and may object within its period.</p>
        <div class="table-wrap"><table><caption class="muted">The register</caption><thead><tr><th scope="col">Sub-processor</th><th scope="col">Role</th><th scope="col">Country</th><th scope="col" class="wide">Sites</th></tr></thead>
        <tbody>${items.map((s) => html`<tr><td>${s.name}</td><td>${s.role}</td><td>${s.country}</td><td class="wide">${s.sites.join('; ')}</td></tr>`)}</tbody></table></div>
        <h2>Pending changes</h2>
        ${pending.length === 0 ? html`<p class="muted">No change is pending.</p>` : html`<ul class="changes">${pending.map((c) => html`<li><p>${announcement(c)}</p><p class="muted">In force from ${dateTime(c.effectiveAt)}.</p></li>`)}</ul>`}
        ${SUBSCRIBE_FORM()}`,
      );
    } catch (e) {
      next(e);
    }
  });

  router.post('/sub-processors/subscribe', async (req, res, next) => {
    res.locals.untimed = true;
    try {
      const email = param(req, 'email').trim();
      if (!isAddress(email)) return void show(res, 400, 'Subscribe', SUBSCRIBE_FORM(email, html`<p class="notice" role="alert">This is not an email address we could write to.</p>`));
      if ((await subscriptions.subscribe(email, clientOf(req, config.portal.trustProxy))) === 'limited') {
        return void show(res, 429, 'Too many subscriptions asked for', html`<p role="alert">Too many subscriptions were asked for from here or for this address in the last hour. Wait a while, then try again.</p>`);
      }
      show(res, 200, 'Check your email', html`<p role="status">If this address is not subscribed yet, a link to confirm it is on its way. Unconfirmed, the address is deleted within 48 hours.</p><p><a href="/portal/sub-processors">Back to the sub-processors</a></p>`);
    } catch (e) {
      next(e);
    }
  });

  const badLink = (res: Response) => show(res, 400, 'This link is not valid', html`<p>It may have been used already, be older than 48 hours, or have been cut short. <a href="/portal/sub-processors">Subscribe again</a>.</p>`);

  // Opening the opt-in link changes nothing (mail scanners open links): its button confirms.
  router.get('/sub-processors/confirm', async (req, res, next) => {
    try {
      const t = param(req, 't');
      const address = /^[A-Za-z0-9_-]{43}$/.test(t) ? await subscriptions.pending(t) : null;
      if (!address) return void badLink(res);
      show(res, 200, 'Confirm your subscription', html`<p>Press the button to have ${address} told of every change to our sub-processors.</p><form method="post" action="/portal/sub-processors/confirm"><input type="hidden" name="t" value="${t}"><button type="submit">Confirm</button></form>`);
    } catch (e) {
      next(e);
    }
  });

  router.post('/sub-processors/confirm', async (req, res, next) => {
    try {
      const t = param(req, 't');
      if (!/^[A-Za-z0-9_-]{43}$/.test(t) || !(await subscriptions.confirm(t))) return void badLink(res);
      show(res, 200, 'Subscribed', html`<p role="status">You will be told of every change to our sub-processors. Each email has a link that unsubscribes you at once.</p><p><a href="/portal/sub-processors">The sub-processors</a></p>`);
    } catch (e) {
      next(e);
    }
  });

  const unsubscribeOf = (req: Request) => ({ s: param(req, 's'), t: param(req, 't') });
  const notSubscribed = (res: Response) => show(res, 400, 'Not subscribed', html`<p>This link does not name a subscription: it may have been cut short, or the address was unsubscribed already.</p>`);

  router.get('/sub-processors/unsubscribe', async (req, res, next) => {
    try {
      const { s, t } = unsubscribeOf(req);
      if (!CANONICAL_UUID.test(s) || !(await subscriptions.subscribed(s, t))) return void notSubscribed(res);
      show(res, 200, 'Unsubscribe', html`<p>Press the button to stop these emails: your address is deleted at once.</p><form method="post" action="/portal/sub-processors/unsubscribe?s=${s}&amp;t=${t}"><button type="submit">Unsubscribe</button></form>`);
    } catch (e) {
      next(e);
    }
  });

  // RFC 8058: the mail client's one-click POST (List-Unsubscribe=One-Click), or the page's button.
  router.post('/sub-processors/unsubscribe', async (req, res, next) => {
    try {
      const { s, t } = unsubscribeOf(req);
      if (!CANONICAL_UUID.test(s) || !(await subscriptions.unsubscribe(s, t))) return void notSubscribed(res);
      show(res, 200, 'Unsubscribed', html`<p role="status">Your address is deleted: no more emails about our sub-processors.</p>`);
    } catch (e) {
      next(e);
    }
  });
}
