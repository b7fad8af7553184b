import { createHash } from 'node:crypto';
import { createParamDecorator, Inject, Injectable, type ExecutionContext, type NestMiddleware } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { type NextFunction, type Request, type Response } from 'express';
import { DataSource } from 'typeorm';
import { ApiKeys } from '../../../../libs/infra/src/auth/api-keys';
import { ApiError } from './api-error';

const KEY = /^[\x21-\x7e]{1,200}$/;
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

/**
 * `Idempotency-Key` on any POST: the first answer (2xx or 4xx) is stored and given again to every
 * retry with the same key and body, for 24 hours. The same key with another body is refused.
 */
@Injectable()
export class IdempotencyMiddleware implements NestMiddleware {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ApiKeys) private readonly keys: ApiKeys,
  ) {}

  async use(req: IdempotentRequest, res: Response, next: NextFunction): Promise<void> {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || key === undefined) return next();
    try {
      if (typeof key !== 'string' || !KEY.test(key)) throw new ApiError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 200 printable characters.');
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const principal = bearer ? await this.keys.verify(bearer) : null;
      // Unauthenticated requests go on to the guard, which refuses them.
      if (!principal) return next();
      const path = req.originalUrl.split('?')[0]!;
      const requestHash = createHash('sha256').update(`${req.method} ${path}\n${canonicalize(req.body ?? null) ?? ''}`).digest('hex');
      const scope = { apiKeyId: principal.keyId, key };

      const claimed: unknown[] = await this.dataSource.query(
        `INSERT INTO idempotency_keys (api_key_id, key, method, path, request_hash, status) VALUES ($1, $2, $3, $4, $5, 'in_progress')
         ON CONFLICT (api_key_id, key) DO UPDATE SET created_at = now(), request_hash = EXCLUDED.request_hash, method = EXCLUDED.method, path = EXCLUDED.path
           WHERE idempotency_keys.status = 'in_progress' AND idempotency_keys.created_at < now() - interval '${ABANDONED_AFTER}'
              OR idempotency_keys.created_at < now() - interval '24 hours'
         RETURNING key`,
        [scope.apiKeyId, key, req.method, path, requestHash],
      );
      if (claimed.length === 0) {
        const [row] = (await this.dataSource.query(
          `SELECT request_hash, status, response_status, response_body FROM idempotency_keys WHERE api_key_id = $1 AND key = $2`,
          [scope.apiKeyId, key],
        )) as { request_hash: string; status: string; response_status: number | null; response_body: unknown }[];
        if (row && row.request_hash !== requestHash) {
          throw new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
        }
        if (!row || row.status !== 'completed') {
          throw new ApiError(409, 'idempotency_key_in_progress', 'A request with this Idempotency-Key is still being answered; retry shortly.');
        }
        res.setHeader('Idempotent-Replayed', 'true');
        res.status(row.response_status!).json(row.response_body);
        return;
      }

      req.idempotencyKey = scope;
      let body: unknown;
      const json = res.json.bind(res);
      res.json = (value: unknown) => {
        body = value;
        return json(value);
      };
      res.on('finish', () => {
        // Server errors are not answers: the key is released so a retry runs the request again.
        const settle =
          res.statusCode >= 500
            ? this.dataSource.query(`DELETE FROM idempotency_keys WHERE api_key_id = $1 AND key = $2`, [scope.apiKeyId, key])
            : this.dataSource.query(
                `UPDATE idempotency_keys SET status = 'completed', response_status = $3, response_body = $4, completed_at = now() WHERE api_key_id = $1 AND key = $2`,
                [scope.apiKeyId, key, res.statusCode, JSON.stringify(body ?? null)],
              );
        void settle.catch(() => undefined);
      });
      next();
    } catch (e) {
      next(e);
    }
  }
}
