import { createHmac, timingSafeEqual } from 'node:crypto';
import { addDuration, isAfter, type Instant } from '#domain';
import { type KeyRing } from './config/key-ring';

/*
 * Links emailed to controllers (DESIGN §3.10, §8): each names one file's command a person may send
 * by following it — signed with the active key of CONTACT_LINK_KEYS (HMAC-SHA256), expiring after
 * CONTACT_LINK_TTL. Stateless: nothing is stored; a link is used once because its command is
 * recorded once. The token rides in the query string, which no log line holds.
 */

export interface LinkRequest {
  /** The file type and the command of its declaration the link sends. */
  readonly type: string;
  readonly command: string;
  readonly id: string;
  readonly body: Readonly<Record<string, unknown>>;
  /** When the link was issued: it expires a TTL later (a file's fact, so the same email always carries the same link). */
  readonly issuedAt: Instant;
}

export interface LinkSettings {
  readonly keys: KeyRing;
  readonly ttl: string;
  readonly baseUrl: string;
}

export interface ReadLink {
  readonly type: string;
  readonly command: string;
  readonly id: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly expiresAt: Instant;
  /** The key that signed it. */
  readonly keyId: string;
}

export type LinkProblem = 'malformed' | 'forged' | 'expired';

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const mac = (key: Buffer, signed: string) => createHmac('sha256', key).update(signed).digest();

export function linkToken(request: LinkRequest, settings: LinkSettings): string {
  const keyId = settings.keys.activeId;
  const payload = b64(JSON.stringify({ t: request.type, c: request.command, f: request.id, b: request.body, e: addDuration(request.issuedAt, settings.ttl) }));
  const signed = `${keyId}.${payload}`;
  return `${signed}.${b64(mac(settings.keys.keys.get(keyId)!, signed))}`;
}

/** The URL an email carries for `request`. */
export function linkUrl(request: LinkRequest, settings: LinkSettings): string {
  return `${settings.baseUrl}/links/${request.type}/${request.command}?t=${linkToken(request, settings)}`;
}

/** What a token says, once its signature (by any key of the ring) and its expiry are checked. */
export function readLink(token: unknown, keys: KeyRing, now: Instant): { ok: true; link: ReadLink } | { ok: false; problem: LinkProblem } {
  if (typeof token !== 'string' || token.length > 2_000) return { ok: false, problem: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, problem: 'malformed' };
  const [keyId, payload, signature] = parts as [string, string, string];
  const key = keys.keys.get(keyId);
  if (!key) return { ok: false, problem: 'forged' };
  const expected = mac(key, `${keyId}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'forged' };
  let data: { t?: unknown; c?: unknown; f?: unknown; b?: unknown; e?: unknown };
  try {
    data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  const { t, c, f, b, e } = data;
  if (typeof t !== 'string' || typeof c !== 'string' || typeof f !== 'string' || typeof e !== 'string' || typeof b !== 'object' || b === null) return { ok: false, problem: 'malformed' };
  if (!isAfter(e, now)) return { ok: false, problem: 'expired' };
  return { ok: true, link: { type: t, command: c, id: f, body: b as Record<string, unknown>, expiresAt: e, keyId } };
}
