import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { createParamDecorator, Inject, Injectable, type ExecutionContext, type NestMiddleware } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { type NextFunction, type Request, type Response } from 'express';
import { DataSource } from 'typeorm';
import { ApiKeys } from '#infra/auth/api-keys';
import { type AppConfig } from '#infra/config/config';
import { APP_CONFIG } from '../config/config.module';
import { ApiError } from './api-error';

const KEY = /^[\x21-\x7e]{1,200}$/;
/** Answers that say the request could not be read as one: they do not use up the key. */
const MALFORMED = new Set([400, 413, 415]);
/** Times a request waits 100 ms for another one under the same key before it gets 409. */
const IN_PROGRESS_WAITS = 20;
/** An answer still in progress after this long belongs to a process that died: the retry takes over. */
const ABANDONED_AFTER = '60 seconds';

export interface IdempotencyScope {
  readonly apiKeyId: string;
  readonly key: string;
}

export type IdempotentRequest = Request & { idempotencyKey?: IdempotencyScope };

/** The request's Idempotency-Key (with its API key), when it has one. */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): IdempotencyScope | null => {
  return context.switchToHttp().getRequest<IdempotentRequest>().idempotencyKey ?? null;
});

/** Answers are kept this long, then purged: they hold controllers' names and emails. */
const RETENTION = '24 hours';

/**
 * `Idempotency-Key` on any POST: the first answer (2xx or 4xx) is stored and given again to every
 * retry with the same key and body, for 24 hours. The same key with another body is refused.
 * Admin routes are left out: their answers may hold a new API key, which is never stored.
 */
@Injectable()
export class IdempotencyMiddleware implements NestMiddleware {
  /** Request bodies are compared by HMAC, so a stored fingerprint reveals nothing of a secret in them. */
  private readonly hmacKey: Buffer;
  private lastPurge = 0;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ApiKeys) private readonly keys: ApiKeys,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.hmacKey = Buffer.from(hkdfSync('sha256', config.vaultKeys.keys.get(config.vaultKeys.activeId)!, Buffer.alloc(0), 'dpa idempotency fingerprint', 32));
  }

  async use(req: IdempotentRequest, res: Response, next: NextFunction): Promise<void> {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || key === undefined || req.originalUrl.startsWith('/admin/')) return next();
    try {
      if (typeof key !== 'string' || !KEY.test(key)) throw new ApiError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 200 printable characters.');
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const principal = bearer ? await this.keys.verify(bearer) : null;
      // Unauthenticated requests go on to the guard, which refuses them.
      if (!principal) return next();
      const path = req.originalUrl.split('?')[0]!;
      const requestHash = createHmac('sha256', this.hmacKey).update(`${req.method} ${path}\n${canonicalize(req.body ?? null) ?? ''}`).digest('hex');
      const scope = { apiKeyId: principal.keyId, key };
      this.purgeOldAnswers();

      // A claim is new, or takes over a request abandoned by a dead process, or an expired record.
      const claim = randomUUID();
      // A request still being answered under this key is waited for a moment: it may be about to
      // complete (its answer is then replayed) or to release the key (a 400 does), and only then is
      // this one told to retry later.
      for (let wait = 0; ; wait++) {
        const claimed: unknown[] = await this.dataSource.query(
          `INSERT INTO idempotency_keys (api_key_id, key, method, path, request_hash, status, claim) VALUES ($1, $2, $3, $4, $5, 'in_progress', $6)
           ON CONFLICT (api_key_id, key) DO UPDATE SET created_at = now(), request_hash = EXCLUDED.request_hash, method = EXCLUDED.method,
             path = EXCLUDED.path, status = 'in_progress', claim = EXCLUDED.claim, response_status = NULL, response_body = NULL, completed_at = NULL
             WHERE idempotency_keys.status = 'in_progress' AND idempotency_keys.created_at < now() - interval '${ABANDONED_AFTER}'
                OR idempotency_keys.created_at < now() - interval '${RETENTION}'
           RETURNING key`,
          [scope.apiKeyId, key, req.method, path, requestHash, claim],
        );
        if (claimed.length > 0) break;
        const [row] = (await this.dataSource.query(
          `SELECT request_hash, status, response_status, response_body FROM idempotency_keys WHERE api_key_id = $1 AND key = $2`,
          [scope.apiKeyId, key],
        )) as { request_hash: string; status: string; response_status: number | null; response_body: unknown }[];
        if (!row) continue;
        if (row.request_hash !== requestHash) {
          throw new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
        }
        if (row.status === 'completed') {
          res.setHeader('Idempotent-Replayed', 'true');
          res.status(row.response_status!).json(row.response_body);
          return;
        }
        if (wait >= IN_PROGRESS_WAITS) {
          throw new ApiError(409, 'idempotency_key_in_progress', 'A request with this Idempotency-Key is still being answered; retry shortly.');
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      req.idempotencyKey = scope;
      let body: unknown;
      const json = res.json.bind(res);
      res.json = (value: unknown) => {
        body = value;
        return json(value);
      };
      // Settled when the answer is made, whether or not its client is still there to read it: a
      // client that gave up and retries finds the answer (or the key free), not a key held until
      // ABANDONED_AFTER. ('finish' never comes for a client that left.)
      let answered = false;
      const end = res.end.bind(res) as (...args: unknown[]) => Response;
      res.end = ((...args: unknown[]) => {
        onAnswer();
        return end(...args);
      }) as Response['end'];
      const onAnswer = () => {
        if (answered) return;
        answered = true;
        // Server errors are not answers, and neither is a request refused as malformed (400, 413,
        // 415): the key is released, so a retry, or the corrected request, runs again under it.
        // Only the request holding the claim settles the record (another may have taken it over).
        const settle =
          res.statusCode >= 500 || MALFORMED.has(res.statusCode)
            ? this.dataSource.query(`DELETE FROM idempotency_keys WHERE api_key_id = $1 AND key = $2 AND claim = $3`, [scope.apiKeyId, key, claim])
            : this.dataSource.query(
                `UPDATE idempotency_keys SET status = 'completed', response_status = $4, response_body = $5, completed_at = now() WHERE api_key_id = $1 AND key = $2 AND claim = $3`,
                [scope.apiKeyId, key, claim, res.statusCode, JSON.stringify(body ?? null)],
              );
        void settle.catch(() => undefined);
      };
      next();
    } catch (e) {
      next(e);
    }
  }

  /** At most once a minute per process: answers older than the retention are deleted. */
  private purgeOldAnswers(): void {
    if (Date.now() - this.lastPurge < 60_000) return;
    this.lastPurge = Date.now();
    void this.dataSource.query(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '${RETENTION}'`).catch(() => undefined);
  }
}
