import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { json, type NextFunction, type Request, type Response } from 'express';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { type AppConfig } from '#infra/config/config';
import { AppModule } from './app.module';
import { edgeChecks, jsonClientErrors, refuseDeepJson, refuseIllFormedText } from './common/edge';
import { toApiError } from './common/error.filter';
import { closeRequestSchemas, documentDefaultErrors, ErrorBodyView } from './common/openapi';
import { declaredSchemas } from './kit/declared-files';
import { validationPipe } from './common/validation';
import { MetricsService } from './metrics/metrics.service';
import { uiRouter } from './ui/router';
import { linkRouter } from './kit/link-pages';
import { portalRouter } from './portal/router';
import { stripeWebhookRouter } from './integrations/stripe/webhook';

export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  // First, so every answer is counted, the edge's refusals and the UI's pages too.
  app.use(app.get(MetricsService).http.middleware());
  // DESIGN §7: the browser UI has its own sessions, forms and headers (no API key reaches a browser).
  app.use('/ui', uiRouter(app, config));
  app.use('/links', linkRouter(app, config));
  // DESIGN §8: the controllers' portal, with sessions of its own, apart from the staff's.
  app.use('/portal', portalRouter(app, config));
  // DESIGN §9: Stripe's webhook takes no API key and verifies its raw bytes itself; no secret, no route.
  if (config.stripe.webhookSecrets.length > 0) app.use('/integrations/stripe/webhook', stripeWebhookRouter(app, config));
  // Before the body is read: the target's length, the presence of a key, the body's type.
  app.use(edgeChecks(config.http.codecOrigins));
  // express.json itself rather than Nest's wrapper, which keeps `verify` for raw bodies.
  app.use(json({ limit: config.http.bodyLimit, verify: refuseDeepJson }));
  app.use(refuseIllFormedText);
  jsonClientErrors(app.getHttpServer());
  keepIdleConnectionsOpen(app.getHttpServer());
  // Body-parser failures happen before routing; answer them in the same error shape.
  app.use((err: unknown, _req: unknown, res: { status(n: number): { json(b: unknown): void } }, next: (e?: unknown) => void) => {
    if (!err) return next();
    const error = toApiError(err);
    res.status(error.status).json(error.body());
  });
  app.useGlobalPipes(validationPipe());
  app.use('/docs', docsHeaders);
  SwaggerModule.setup('docs', app, () => documentDefaultErrors(closeRequestSchemas(withStripeWebhook(config, withDeclaredSchemas(SwaggerModule.createDocument(app, openApiConfig(), { extraModels: [ErrorBodyView] }))))), {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
  });
  return app;
}

/** The schemas the file types declare (their commands' bodies, their views), beside those Nest wrote. */
function withDeclaredSchemas<D extends { components?: { schemas?: Record<string, unknown> } }>(document: D): D {
  const declared = declaredSchemas();
  // A declared name that a class already holds would silently replace that class's schema.
  const taken = Object.keys(declared).filter((name) => name in (document.components?.schemas ?? {}));
  if (taken.length) throw new Error(`schema names declared twice: ${taken.join(', ')}`);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...declared } };
  return document;
}

/** The Stripe webhook (an Express route, not a Nest one) in the document, when it exists. */
function withStripeWebhook<D extends { paths: Record<string, unknown> }>(config: AppConfig, document: D): D {
  if (config.stripe.webhookSecrets.length === 0) return document;
  const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBodyView' } } } };
  document.paths['/integrations/stripe/webhook'] = {
    post: {
      operationId: 'StripeWebhook_receive',
      tags: ['integrations'],
      summary: "Stripe's webhook (DESIGN §9): no API key; the body is verified against STRIPE_WEBHOOK_SECRETS by its Stripe-Signature header. A kept event is answered 200 before it is processed.",
      security: [],
      parameters: [{ name: 'Stripe-Signature', in: 'header', required: true, schema: { type: 'string', maxLength: 2000 } }],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', description: 'A Stripe event, as Stripe sends it.' } } } },
      responses: {
        '200': {
          description: 'Verified; kept (an event type the engine acts on) or not.',
          content: { 'application/json': { schema: { type: 'object', required: ['id', 'kept'], properties: { id: { type: 'string' }, kept: { type: 'boolean' } }, additionalProperties: false } } },
        },
        '400': { description: 'A bad signature, a stale timestamp or a malformed event: not kept.', ...error },
        '405': { description: 'Only POST.', ...error },
        '413': { description: 'The body is larger than 1 MB.', ...error },
        '503': { description: 'The event could not be stored: Stripe sends it again.', ...error },
      },
    },
  };
  return document;
}

function openApiConfig() {
  return new DocumentBuilder()
    .setTitle('DPA lifecycle engine')
    .setDescription(
      'Runs every data-processing agreement as a durable workflow: order, credential hand-over, tacit renewals, ' +
        'expiry, and evidenced destruction of the client\'s personal data within two calendar months.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key; each key has one role.' })
    .build();
}

/**
 * An idle kept-alive connection stays open a minute (Node's default is 5 s). A client that sends on
 * a connection just as the server closes it gets a reset (ECONNRESET) for a request it never saw
 * answered: with the server the last to close, that race needs a client idle for over a minute on
 * one connection, where clients and load balancers drop theirs sooner (AWS ALB: 60 s).
 */
export const KEEP_ALIVE_MS = 65_000;
function keepIdleConnectionsOpen(server: { keepAliveTimeout: number; headersTimeout: number }): void {
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  // Node requires the headers' timeout to be longer than the keep-alive one.
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
}

/**
 * The headers the UI's pages have, for the API's documentation (Swagger UI): no framing, no
 * sniffing, no referrer outside, and a CSP that lets only its own scripts run. Swagger UI styles
 * itself inline and draws its icons as data: images, which the CSP allows; nothing else.
 */
function docsHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
  next();
}
