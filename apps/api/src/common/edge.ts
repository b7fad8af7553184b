import { type Server } from 'node:http';
import { type Duplex } from 'node:stream';
import { type NextFunction, type Request, type Response } from 'express';
import { ApiError } from './api-error';

/** Paths any caller may read without a key (/metrics checks METRICS_TOKEN itself when it is set). */
const PUBLIC = /^\/(health(\/.*)?|metrics|docs(\/.*|\.json|\.yaml)?|\.well-known\/.*)?(\?.*)?$/;
/** Longer request targets are refused (414) before anything reads them. */
export const MAX_URL_LENGTH = 8 * 1024;
/** JSON nested deeper than this is refused before it is parsed (a parser's recursion grows with depth). */
export const MAX_JSON_DEPTH = 32;

const send = (res: Response, error: ApiError) => res.status(error.status).json(error.body());

/**
 * The first checks of every request, before the body is read, in this order: the target's length,
 * the presence of an API key (before any other header is looked at), the method (405 for a path
 * that takes others), then the body's type.
 */
export const edgeChecks = (codecOrigins: ReadonlySet<string>) => (req: Request, res: Response, next: NextFunction): void => {
  if (codecCors(req, res, codecOrigins)) return;
  if (req.originalUrl.length > MAX_URL_LENGTH) return void send(res, new ApiError(414, 'uri_too_long', `The request target is longer than ${MAX_URL_LENGTH} characters.`));
  const codecSession = req.path.startsWith('/codec/') && /(^|;\s*)(__Host-)?dpa_session=/.test(req.headers.cookie ?? '');
  if (!PUBLIC.test(req.originalUrl) && req.headers.authorization === undefined && !codecSession) {
    return void send(res, new ApiError(401, 'unauthenticated', 'An API key is required: Authorization: Bearer <api key>.'));
  }
  const allowed = methodsFor(req);
  if (allowed.length > 0 && !allowed.includes(req.method)) {
    res.setHeader('Allow', allowed.join(', '));
    return void send(res, new ApiError(405, 'method_not_allowed', `${req.method} is not allowed here; use ${allowed.join(', ')}.`));
  }
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !/^application\/(.+\+)?json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    return void send(res, new ApiError(415, 'unsupported_media_type', 'A request body must be JSON (Content-Type: application/json).'));
  }
  next();
};

/**
 * CORS for the codec endpoint, for the Temporal UI's origin only: its headers on every answer, and
 * the preflight (which carries no key) answered here. True when the request is answered.
 */
function codecCors(req: Request, res: Response, origins: ReadonlySet<string>): boolean {
  if (!req.path.startsWith('/codec/')) return false;
  const origin = req.headers.origin;
  if (origin && origins.has(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, x-namespace');
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
  }
  if (req.method !== 'OPTIONS') return false;
  res.status(origin && origins.has(origin) ? 204 : 403).end();
  return true;
}

interface RouteLayer {
  readonly route?: { readonly path: unknown; readonly methods: Record<string, boolean> };
  match(path: string): unknown;
}

/** The methods the app's routes answer for this request's path (Express 5's router), HEAD with GET. */
function methodsFor(req: Request): string[] {
  const stack = (req.app as unknown as { router?: { stack?: RouteLayer[] } } | undefined)?.router?.stack ?? [];
  const methods = new Set<string>();
  for (const layer of stack) {
    if (!layer.route || !layer.match(req.path)) continue;
    const own = Object.entries(layer.route.methods).flatMap(([method, on]) => (on ? [method] : []));
    // A catch-all (the not-found handler for every method, a middleware on `*path`) says nothing of the path.
    if (own.includes('_all') || own.length > 8 || typeof layer.route.path !== 'string' || layer.route.path.includes('*')) continue;
    for (const method of own) methods.add(method.toUpperCase());
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/**
 * body-parser's `verify` hook: runs on the raw bytes before JSON.parse, and refuses a document
 * nested deeper than MAX_JSON_DEPTH in one linear pass (strings skipped, escapes included).
 */
export function refuseDeepJson(_req: unknown, _res: unknown, body: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw Object.assign(new Error('too deep'), { status: 400, type: 'entity.too.deep' });
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** Every string of a parsed JSON value, keys included, is well-formed Unicode (no lone surrogate). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormedText = (s: string) => !LONE_SURROGATE.test(s);
function wellFormed(value: unknown): boolean {
  if (typeof value === 'string') return wellFormedText(value);
  if (Array.isArray(value)) return value.every(wellFormed);
  if (value && typeof value === 'object') return Object.entries(value).every(([k, v]) => wellFormedText(k) && wellFormed(v));
  return true;
}

/**
 * JSON may escape a lone surrogate (`"\ud800"`), which is no character at all: such text would
 * fail later (encoding, validation, PostgreSQL), so it is refused here, before anything reads it.
 */
export function refuseIllFormedText(req: { body?: unknown }, _res: unknown, next: (e?: unknown) => void): void {
  if (req.body !== undefined && !wellFormed(req.body)) return next(new ApiError(400, 'malformed_text', 'Text in the request body must be valid Unicode: a lone surrogate escape (\\ud800 to \\udfff) is not a character.'));
  next();
}

/**
 * Requests Node's HTTP parser refuses before Express sees them (a header block over the limit,
 * a malformed request line) still get the JSON error shape.
 */
export function jsonClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const error = tooLarge
      ? new ApiError(431, 'headers_too_large', 'The request headers are too large.')
      : new ApiError(400, 'bad_request', 'The request cannot be read as HTTP.');
    const body = JSON.stringify(error.body());
    socket.end(
      `HTTP/1.1 ${error.status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
}
