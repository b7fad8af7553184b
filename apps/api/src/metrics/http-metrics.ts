import { type NextFunction, type Request, type Response } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';

/** The route a request matched, as its pattern (`/contracts/:id`), never its path; `unmatched` when no route took it. */
export function routeLabel(req: { readonly baseUrl?: string; readonly route?: { readonly path?: unknown } }): string {
  const path = req.route?.path;
  // A catch-all (`*path`: a middleware bound to every path) names no route.
  if (typeof path !== 'string' || path.includes('*')) return 'unmatched';
  return `${req.baseUrl ?? ''}${path}` || '/';
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export const methodLabel = (method: string): string => (METHODS.has(method) ? method : 'OTHER');

/** A request that asks for a change (every method but the reads and the CORS preflight). */
export const isCommand = (method: string): boolean => method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';

/** A command's fate by its status: done (2xx, or a form's redirect), refused by a rule or the caller's mistake (4xx), failed (5xx). */
export function commandOutcome(status: number): 'accepted' | 'refused' | 'failed' {
  if (status >= 500) return 'failed';
  return status >= 400 ? 'refused' : 'accepted';
}

/** The API's HTTP traffic by route pattern and status, and its commands' latency by outcome. */
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;
  private readonly commands: Histogram<'route' | 'outcome'>;

  constructor(registry: Registry) {
    this.requests = new Counter({ name: 'dpa_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status.', labelNames: ['method', 'route', 'status'], registers: [registry] });
    this.duration = new Histogram({ name: 'dpa_http_request_duration_seconds', help: 'Time to answer an HTTP request, by method and route pattern.', labelNames: ['method', 'route'], registers: [registry] });
    this.commands = new Histogram({
      name: 'dpa_command_duration_seconds',
      help: 'Time to answer a state-changing request (POST, PUT, PATCH, DELETE), by route pattern and outcome (accepted, refused, failed).',
      labelNames: ['route', 'outcome'],
      // A command may wait on its workflow's update: longer than a read.
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  }

  /** Express middleware: records each request once its answer is sent, under the route that answered it. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const started = performance.now();
      res.once('finish', () => {
        const seconds = (performance.now() - started) / 1_000;
        const method = methodLabel(req.method);
        const route = routeLabel(req);
        this.requests.inc({ method, route, status: String(res.statusCode) });
        this.duration.observe({ method, route }, seconds);
        if (isCommand(req.method)) this.commands.observe({ route, outcome: commandOutcome(res.statusCode) }, seconds);
      });
      next();
    };
  }
}
