import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { ROLES, type Role } from '#infra/auth/api-keys';

/**
 * The browser's cookies (httpOnly, SameSite=Lax): its session, and its sign-in in progress. Under
 * HTTPS they take the `__Host-` prefix, which a browser accepts only from the host itself, Secure,
 * on Path=/ and with no Domain: no sibling subdomain can set or shadow them.
 */
export interface UiCookies {
  readonly secure: boolean;
  readonly session: string;
  readonly login: string;
  /** A Set-Cookie value for one of them. */
  write(name: string, value: string, extra: string): string;
}

export function uiCookies(uiBaseUrl: string): UiCookies {
  const secure = uiBaseUrl.startsWith('https:');
  const prefix = secure ? '__Host-' : '';
  return {
    secure,
    session: `${prefix}dpa_session`,
    login: `${prefix}dpa_login`,
    write: (name, value, extra) => `${name}=${encodeURIComponent(value)}; HttpOnly; SameSite=Lax; Path=/${secure ? '; Secure' : ''}; ${extra}`,
  };
}

/** One cookie of a request, by name. */
export function cookieOf(req: { headers: { cookie?: string } }, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      // A malformed value is no session.
      return undefined;
    }
  }
  return undefined;
}

/** A secret's hash, as the tables keep it (never the secret). */
export const hash = (value: string) => createHash('sha256').update(value).digest('hex');
/** A fresh secret for a cookie, a link or a form: 32 random bytes. */
export const token = () => randomBytes(32).toString('base64url');

export interface UiSession {
  readonly idHash: string;
  readonly subjectHash: string;
  readonly role: Role;
  readonly csrfToken: string;
}

/** A sign-in waits this long for the provider's answer. */
const LOGIN_TTL_MS = 10 * 60_000;
/** However active, a session ends this long after its sign-in: the role is read again at the next one. */
export const SESSION_MAX_MS = 12 * 3_600_000;

/**
 * DESIGN §7: browser sessions in PostgreSQL (any API replica serves them), ended after an idle
 * timeout; the cookie holds a random token, the table only its hash. Each session has its CSRF token.
 */
export class UiSessions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idleMs: number,
  ) {}

  async create(subjectHash: string, role: Role): Promise<{ cookie: string; session: UiSession }> {
    const cookie = token();
    const session: UiSession = { idHash: hash(cookie), subjectHash, role, csrfToken: token() };
    await this.dataSource.query(`INSERT INTO ui_sessions (id_hash, subject_hash, role, csrf_token) VALUES ($1, $2, $3, $4)`, [session.idHash, subjectHash, role, session.csrfToken]);
    return { cookie, session };
  }

  /** The live session the cookie names, its idle clock restarted; null (and the session ended) once idle too long. */
  async touch(cookie: string | undefined): Promise<UiSession | null> {
    if (!cookie) return null;
    const idHash = hash(cookie);
    const [row] = (await this.dataSource.query(
      `WITH live AS (
         UPDATE ui_sessions SET last_seen_at = now()
          WHERE id_hash = $1 AND last_seen_at > now() - make_interval(secs => $2::double precision / 1000)
            AND created_at > now() - make_interval(secs => $3::double precision / 1000)
          RETURNING subject_hash, role, csrf_token)
       SELECT * FROM live`,
      [idHash, this.idleMs, SESSION_MAX_MS],
    )) as { subject_hash: string; role: string; csrf_token: string }[];
    if (!row || !(ROLES as readonly string[]).includes(row.role)) {
      await this.dataSource.query(`DELETE FROM ui_sessions WHERE id_hash = $1 OR last_seen_at < now() - make_interval(secs => $2::double precision / 1000)`, [idHash, this.idleMs]);
      return null;
    }
    return { idHash, subjectHash: row.subject_hash, role: row.role as Role, csrfToken: row.csrf_token };
  }

  async end(session: UiSession): Promise<void> {
    await this.dataSource.query(`DELETE FROM ui_sessions WHERE id_hash = $1`, [session.idHash]);
  }

  /** A form's token matches its session's (constant time). */
  static csrfValid(session: UiSession, given: unknown): boolean {
    return csrfMatches(session.csrfToken, given);
  }

  /** A sign-in under way: the PKCE verifier and nonce stay here, found by the state's hash. */
  async beginLogin(state: string, codeVerifier: string, nonce: string, returnTo: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM ui_logins WHERE created_at < now() - make_interval(secs => $1::double precision / 1000)`, [LOGIN_TTL_MS]);
    await this.dataSource.query(`INSERT INTO ui_logins (state_hash, code_verifier, nonce, return_to) VALUES ($1, $2, $3, $4)`, [hash(state), codeVerifier, nonce, returnTo]);
  }

  /** The sign-in `state` began, taken once; null when unknown or expired. */
  async takeLogin(state: string): Promise<{ codeVerifier: string; nonce: string; returnTo: string } | null> {
    const [row] = (await this.dataSource.query(
      `WITH taken AS (DELETE FROM ui_logins WHERE state_hash = $1 AND created_at > now() - make_interval(secs => $2::double precision / 1000) RETURNING code_verifier, nonce, return_to) SELECT * FROM taken`,
      [hash(state), LOGIN_TTL_MS],
    )) as { code_verifier: string; nonce: string; return_to: string }[];
    return row ? { codeVerifier: row.code_verifier, nonce: row.nonce, returnTo: row.return_to } : null;
  }
}

/** A form's token is the session's `expected` one (compared in constant time): the staff's pages and the portal's. */
export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  // Compared as bytes: a text of the same length in characters may be longer in bytes (é), which timingSafeEqual refuses with a throw.
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

export const subjectHashOf = (issuer: string, subject: string) => hash(`${issuer}\n${subject}`);

/** A request of the UI once its session is known. */
/** A signed-in request: its session, and (on pages) what the processor has overdue, for the navigation bar. */
export type Signed = import('express').Request & { session?: UiSession; overdue?: number };
