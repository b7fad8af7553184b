import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type State } from '@temporalio/worker';
import { probe, readinessOf, type DependencyHealth } from '#infra/health/probe';
import { bearerMatches } from '#infra/metrics/registry';

export interface OpsServer {
  readonly url: string;
  close(): Promise<void>;
}

type Checks = { worker: { status: 'up' | 'down'; state: State }; postgres: DependencyHealth };

/**
 * Ready while the Temporal worker polls (RUNNING: not before `run()`, not once a shutdown began)
 * and PostgreSQL answers; the answer names what is not.
 */
export async function workerReadiness(state: State, postgres: () => Promise<unknown>) {
  const checks: Checks = { worker: { status: state === 'RUNNING' ? 'up' : 'down', state }, postgres: await probe(postgres) };
  return readinessOf(checks, { worker: `the Temporal worker (${state})`, postgres: 'PostgreSQL' }, 'not_ready');
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
};
const error = (code: string, message: string) => ({ error: { code, message } });

/**
 * What an operator watches on the worker, on plain node:http: GET /metrics (behind METRICS_TOKEN
 * when it is set), GET /health/live, GET /health/ready. Nothing else is served.
 */
export async function startOpsServer(o: {
  readonly host: string;
  readonly port: number;
  readonly metricsToken: string | null;
  readonly metrics: { readonly contentType: string; text(): Promise<string> };
  readonly ready: () => ReturnType<typeof workerReadiness>;
}): Promise<OpsServer> {
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    '/metrics': async (req, res) => {
      if (o.metricsToken !== null && !bearerMatches(req.headers.authorization, o.metricsToken)) {
        return json(res, 401, error('unauthenticated', 'The metrics token is required: Authorization: Bearer <METRICS_TOKEN>.'));
      }
      res.writeHead(200, { 'content-type': o.metrics.contentType }).end(await o.metrics.text());
    },
    '/health/live': async (_req, res) => json(res, 200, { status: 'ok' }),
    '/health/ready': async (_req, res) => {
      const ready = await o.ready();
      json(res, ready.status === 'ok' ? 200 : 503, ready);
    },
  };
  const server = createServer((req, res) => {
    const route = routes[(req.url ?? '/').split('?')[0]!];
    if (!route) return json(res, 404, error('not_found', 'No such resource.'));
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, error('method_not_allowed', `${req.method} is not allowed here; use GET.`), { allow: 'GET, HEAD' });
    route(req, res).catch(() => {
      if (!res.headersSent) json(res, 500, error('internal_error', 'An unexpected error occurred.'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(o.port, o.host, () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's keep-alive connection would hold the process open.
        server.closeAllConnections();
      }),
  };
}
