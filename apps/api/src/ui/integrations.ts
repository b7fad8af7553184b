import { type Response, type Router } from 'express';
import { type AppConfig } from '#infra/config/config';
import { WEBHOOK_KINDS } from '#infra/webhooks/facts';
import { ApiError } from '../common/api-error';
import { toApiError } from '../common/error.filter';
import { STRIPE_EVENT_ID } from '../integrations/stripe/facts';
import { type StripeEvents } from '../integrations/stripe/stripe-events.service';
import { SUBSCRIPTION_ID, type SubscriptionView, type WebhookSubscriptions } from '../integrations/webhooks/webhooks.service';
import { dateTime, html, type Html } from './html';
import { type Signed } from './sessions';
import { strings, type UiContext } from './ui-context';
import { staffWords } from './words';

/*
 * DESIGN §9 in the browser, for admins: the endpoints subscribed to events out (subscribe one,
 * rotate its secret, end it, follow its deliveries with every try), and the billing events Stripe
 * sent that matched no contract, each fixed by mapping its subscription and replayed. The same
 * services as the API's /webhooks and /integrations/stripe routes.
 */

const say = staffWords('integrations');
const HOME = '/ui/integrations';

export function integrationRoutes(router: Router, ui: UiContext, subscriptions: WebhookSubscriptions, stripe: StripeEvents, config: AppConfig): void {
  const { page, csrfField } = ui;
  const admin = (req: Signed) => {
    if (req.session!.role !== 'admin') throw new ApiError(403, 'forbidden', 'Integrations are for admins.');
  };

  const home = async (req: Signed, notice: { text: string; alert?: boolean } | null = null, typed: { url?: string; kinds?: readonly string[] } = {}) => {
    const { items } = await subscriptions.list();
    const unmatched = config.stripe.webhookSecrets.length > 0 ? (await stripe.list('unmatched', 100)).items : null;
    const chosen = new Set(typed.kinds ?? []);
    return page(
      req,
      say('title'),
      'integrations',
      html`<p class="muted">${say('intro')}</p>
      ${notice ? html`<p class="notice"${notice.alert ? html` role="alert"` : ''}>${notice.text}</p>` : ''}
      <section aria-labelledby="out-title"><h2 id="out-title">${say('eventsOut')}</h2>
      ${items.length === 0 ? html`<p class="muted">${say('noSubscription')}</p>` : html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="out-title"><table>
        <thead><tr><th scope="col">${say('endpoint')}</th><th scope="col">${say('kinds')}</th><th scope="col">${say('status')}</th><th scope="col">${say('since')}</th><th scope="col">${say('deliveries')}</th></tr></thead>
        <tbody>${items.map((s) => html`<tr><td>${s.url}</td><td>${s.kinds.join(', ')}</td><td><span class="status${s.status === 'failing' ? ' late' : ''}">${s.status}</span></td><td>${dateTime(s.createdAt)}</td>
          <td><a href="${HOME}/webhooks/${s.id}">${say('deliveries')}</a>
            <form method="post" action="${HOME}/webhooks/${s.id}/secret" class="inline">${csrfField(req)}<button type="submit">${say('rotate')}</button></form>
            <form method="post" action="${HOME}/webhooks/${s.id}/end" class="inline">${csrfField(req)}<button type="submit">${say('remove')}</button></form></td></tr>`)}</tbody></table></div>`}
      <h3>${say('subscribe')}</h3>
      <form method="post" action="${HOME}/webhooks" class="card">${csrfField(req)}
        <label for="webhook-url">${say('url')}</label>
        <input id="webhook-url" name="url" type="url" required maxlength="2000" aria-describedby="webhook-url-hint" value="${typed.url ?? ''}">
        <p id="webhook-url-hint" class="muted">${say('urlHint')}</p>
        <fieldset><legend>${say('chooseKinds')}</legend>
          ${WEBHOOK_KINDS.map((k, i) => html`<label class="inline"><input type="checkbox" name="kinds" value="${k}" id="kind-${i}"${chosen.has(k) ? html` checked` : ''}> ${k}</label>`)}
        </fieldset>
        <button type="submit">${say('subscribeSubmit')}</button></form></section>
      <section aria-labelledby="billing-title"><h2 id="billing-title">${say('billing')}</h2>
      ${unmatched === null ? html`<p class="muted">${say('stripeOff')}</p>` : unmatched.length === 0 ? html`<p class="muted">${say('noUnmatched')}</p>` : html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="billing-title"><table>
        <thead><tr><th scope="col">${say('event')}</th><th scope="col">${say('received')}</th><th scope="col">${say('reason')}</th><th scope="col">${say('subscription')}</th><th scope="col">${say('fix')}</th></tr></thead>
        <tbody>${unmatched.map((e, i) => html`<tr><td>${e.type}<br><span class="muted">${e.id}</span></td><td>${dateTime(e.receivedAt)}</td><td>${e.reason?.message ?? ''} <span class="muted">(${e.reason?.code ?? ''})</span></td><td>${e.subscriptionId ?? '—'}</td>
          <td>${e.subscriptionId ? html`<form method="post" action="${HOME}/stripe/${e.id}">${csrfField(req)}<label for="contract-${i}">${say('contractId')}</label> <input id="contract-${i}" name="contractId" required size="36" value="${e.contractId ?? ''}"> <button type="submit">${say('mapReplay')}</button></form>` : '—'}</td></tr>`)}</tbody></table></div>`}
      </section>`,
    );
  };

  /** The page that shows a secret, this once (never redirected to: nothing keeps it to show again). */
  const secretPage = (req: Signed, s: SubscriptionView & { secret: string }): string =>
    page(
      req,
      say('secretTitle'),
      'integrations',
      html`<p><strong>${s.url}</strong></p><p>${say('secretOnce')}</p><p><code>${s.secret}</code></p>
      ${s.previousSecretSignsUntil ? html`<p class="muted">${say('secretOverlap', { until: dateTime(s.previousSecretSignsUntil) })}</p>` : ''}
      <p><a href="${HOME}">${say('back')}</a></p>`,
    );

  const refusedOn = async (req: Signed, res: Response, e: unknown, typed: { url?: string; kinds?: readonly string[] } = {}) => {
    const error = toApiError(e);
    if (error.status >= 500 || error.status === 403 || error.status === 404) throw e;
    res.status(error.status).send(await home(req, { text: error.message, alert: true }, typed));
  };

  router.get('/integrations', async (req: Signed, res, next) => {
    try {
      admin(req);
      const done = typeof req.query.replayed === 'string' && STRIPE_EVENT_ID.test(req.query.replayed) ? await stripe.one(req.query.replayed).catch(() => null) : null;
      res.send(await home(req, done ? { text: say('replayed', { id: done.id, state: done.state }) } : null));
    } catch (e) {
      next(e);
    }
  });

  router.post('/integrations/webhooks', async (req: Signed, res, next) => {
    const values = strings(req.body);
    const raw = (req.body as { kinds?: unknown } | undefined)?.kinds;
    const kinds = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((k): k is string => typeof k === 'string');
    try {
      admin(req);
      if (kinds.length === 0) throw new ApiError(400, 'validation_failed', 'Choose at least one kind of event.');
      res.status(201).send(secretPage(req, await subscriptions.create({ url: values.url ?? '', kinds })));
    } catch (e) {
      await refusedOn(req, res, e, { url: values.url ?? '', kinds }).catch(next);
    }
  });

  router.post('/integrations/webhooks/:id/secret', async (req: Signed, res, next) => {
    try {
      admin(req);
      res.send(secretPage(req, await subscriptions.rotate(SUBSCRIPTION_ID.transform(String(req.params.id)))));
    } catch (e) {
      next(e);
    }
  });

  router.post('/integrations/webhooks/:id/end', async (req: Signed, res, next) => {
    try {
      admin(req);
      await subscriptions.remove(SUBSCRIPTION_ID.transform(String(req.params.id)));
      res.redirect(303, HOME);
    } catch (e) {
      next(e);
    }
  });

  router.get('/integrations/webhooks/:id', async (req: Signed, res, next) => {
    try {
      admin(req);
      const id = SUBSCRIPTION_ID.transform(String(req.params.id));
      const subscription = await subscriptions.one(id);
      const { items } = await subscriptions.deliveries(id, undefined, 100);
      const tries = (d: (typeof items)[number]): Html =>
        html`<ol class="tries">${d.attempts.map((a) => html`<li>${dateTime(a.at)}: ${a.statusCode !== null ? say('answered', { code: a.statusCode }) : a.error ?? ''} <span class="muted">(${a.durationMs} ms)</span></li>`)}</ol>`;
      res.send(
        page(
          req,
          say('deliveriesTitle', { url: subscription.url }),
          'integrations',
          html`<p><a href="${HOME}">${say('back')}</a></p>
          ${items.length === 0 ? html`<p class="muted">${say('noDelivery')}</p>` : html`<div class="table-wrap" tabindex="0" role="region" aria-label="${say('deliveries')}"><table>
            <thead><tr><th scope="col">${say('fact')}</th><th scope="col">${say('recorded')}</th><th scope="col">${say('status')}</th><th scope="col">${say('tries')}</th><th scope="col">${say('nextTry')}</th></tr></thead>
            <tbody>${items.map((d) => html`<tr><td>${d.kind}<br><span class="muted">${d.id}</span></td><td>${dateTime(d.recordedAt)}</td><td><span class="status${d.state === 'failed' ? ' late' : ''}">${d.state}</span></td><td>${tries(d)}</td><td>${d.nextAttemptAt ? dateTime(d.nextAttemptAt) : '—'}</td></tr>`)}</tbody></table></div>`}`,
        ),
      );
    } catch (e) {
      next(e);
    }
  });

  router.post('/integrations/stripe/:id', async (req: Signed, res, next) => {
    const values = strings(req.body);
    try {
      admin(req);
      const id = String(req.params.id);
      if (!STRIPE_EVENT_ID.test(id)) throw new ApiError(404, 'not_found', 'No such billing event.');
      const event = await stripe.one(id);
      if (!event.subscriptionId) throw new ApiError(409, 'stripe.no_subscription', 'This event names no subscription to map.');
      await stripe.map(event.subscriptionId, (values.contractId ?? '').trim().toLowerCase());
      const replayed = await stripe.replay(id);
      res.redirect(303, `${HOME}?replayed=${encodeURIComponent(replayed.id)}`);
    } catch (e) {
      await refusedOn(req, res, e).catch(next);
    }
  });
}
