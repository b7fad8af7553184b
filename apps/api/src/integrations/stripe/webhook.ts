import { type INestApplication, Logger } from '@nestjs/common';
import { raw, Router, type NextFunction, type Request, type Response } from 'express';
import Stripe from 'stripe';
import { type AppConfig } from '#infra/config/config';
import { ApiError } from '../../common/api-error';
import { kept, MalformedStripeEvent, receivedEvent } from './facts';
import { StripeEvents } from './stripe-events.service';

/** Stripe's events can be larger than the API's own bodies (an invoice lists its lines). */
const BODY_LIMIT = '1mb';

const send = (res: Response, error: ApiError) => void res.status(error.status).json(error.body());

/**
 * DESIGN §9: `POST /integrations/stripe/webhook`, mounted only when a secret is configured. It takes
 * no API key: the raw bytes are verified with Stripe's own library against each configured secret
 * (rotation), within Stripe's replay tolerance. A bad signature, a stale timestamp or a malformed
 * event is a 400 and is not kept; a verified event of a kind the engine acts on is stored in one
 * statement, then answered 200, then processed; storage down is a 503, so that Stripe sends it again.
 */
export function stripeWebhookRouter(app: INestApplication, config: AppConfig): Router {
  const events = app.get(StripeEvents);
  const log = new Logger('StripeWebhook');
  const router = Router();
  router.post('/', raw({ type: () => true, limit: BODY_LIMIT }), async (req: Request, res: Response) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = req.headers['stripe-signature'];
    if (typeof header !== 'string' || header.length === 0 || header.length > 2000) return send(res, new ApiError(400, 'stripe.bad_signature', 'The Stripe-Signature header is missing.'));
    let parsed: unknown = undefined;
    let stale = false;
    for (const secret of config.stripe.webhookSecrets) {
      try {
        parsed = Stripe.webhooks.constructEvent(body, header, secret);
        break;
      } catch (e) {
        if (e instanceof SyntaxError) return send(res, new ApiError(400, 'stripe.malformed', 'The signed body is not JSON.'));
        if (/tolerance/i.test((e as Error).message)) stale = true;
      }
    }
    if (parsed === undefined) {
      return send(
        res,
        stale
          ? new ApiError(400, 'stripe.stale_timestamp', "The signature's timestamp is outside Stripe's tolerance (5 minutes): a replayed or delayed event.")
          : new ApiError(400, 'stripe.bad_signature', 'The signature matches none of the configured webhook secrets.'),
      );
    }
    let event;
    try {
      event = receivedEvent(parsed);
    } catch (e) {
      if (e instanceof MalformedStripeEvent) return send(res, new ApiError(400, 'stripe.malformed', `A verified event the engine cannot read: ${e.message}.`));
      throw e;
    }
    if (!kept(event)) return void res.status(200).json({ id: event.id, kept: false });
    try {
      await events.store(event);
    } catch {
      log.warn(`Stripe event ${event.id} could not be stored; answered 503 for Stripe to send it again`);
      res.setHeader('Retry-After', '30');
      return send(res, new ApiError(503, 'storage.unavailable', 'The event could not be stored now; send it again.'));
    }
    res.status(200).json({ id: event.id, kept: true });
  });
  router.all('/', (req: Request, res: Response) => {
    res.setHeader('Allow', 'POST');
    send(res, new ApiError(405, 'method_not_allowed', `${req.method} is not allowed here; use POST.`));
  });
  // The raw body's own failures (too large, a bad encoding): a 4xx in the API's shape.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!err) return next();
    const status = (err as { status?: number }).status;
    send(res, status === 413 ? new ApiError(413, 'payload_too_large', `The body is larger than ${BODY_LIMIT}.`) : new ApiError(400, 'stripe.malformed', 'The body could not be read.'));
  });
  return router;
}
