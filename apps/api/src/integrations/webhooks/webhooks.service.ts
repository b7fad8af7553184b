import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { type AppConfig } from '#infra/config/config';
import { WEBHOOK_KINDS } from '#infra/webhooks/facts';
import { newWebhookSecret, sealSecret } from '#infra/webhooks/secrets';
import { checkedAddresses, checkTargetUrl, TargetRefused, targetPolicyOf } from '#infra/webhooks/targets';
import { ApiError } from '../../common/api-error';
import { UuidPipe } from '../../contracts/contract-id.pipe';
import { DEFAULT_PAGE, readCursor, toPage } from '../../common/pagination';
import { APP_CONFIG } from '../../config/config.module';

/** PostgreSQL's largest bigint: a cursor's position past it is not one this API wrote. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** How long the previous secret still signs once a subscription's secret is rotated. */
const ROTATION_OVERLAP = '24 hours';

interface SubscriptionRow {
  id: string;
  url: string;
  kinds: string[];
  status: 'active' | 'failing';
  failing_since: Date | null;
  created_at: Date;
  previous_until: Date | null;
}

export const subscriptionView = (r: SubscriptionRow) => ({
  id: r.id,
  url: r.url,
  kinds: r.kinds,
  status: r.status,
  failingSince: r.failing_since?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
  previousSecretSignsUntil: r.previous_until && r.previous_until.getTime() > Date.now() ? r.previous_until.toISOString() : null,
});
export type SubscriptionView = ReturnType<typeof subscriptionView>;

/** A subscription's id in a path, for the routes and the admin page alike. */
export const SUBSCRIPTION_ID = new UuidPipe('subscription id');

const SUBSCRIPTION_COLUMNS = 'id::text AS id, url, kinds, status, failing_since, created_at, previous_until';

/**
 * DESIGN §9: the endpoints that receive events out, for an admin. A subscription's secret is shown
 * once, when it is made or rotated, and stored sealed; while it is rotated both secrets sign for a
 * day. A target must pass the same checks at subscription as at every delivery.
 */
@Injectable()
export class WebhookSubscriptions {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get policy() {
    return targetPolicyOf(this.config);
  }

  async create(body: { url: string; kinds: string[] }): Promise<SubscriptionView & { secret: string }> {
    const unknown = body.kinds.filter((k) => !WEBHOOK_KINDS.includes(k));
    if (unknown.length) throw new ApiError(400, 'webhook.unknown_kind', `Unknown event kinds: ${unknown.join(', ')}. GET /webhooks/kinds lists them.`, { unknown });
    try {
      const url = checkTargetUrl(body.url, this.policy);
      if (this.policy.production || this.policy.allowed.length > 0) await checkedAddresses(url.hostname, this.policy);
    } catch (e) {
      if (e instanceof TargetRefused) throw new ApiError(422, e.code, e.message);
      throw new ApiError(422, 'webhook.target_refused', 'The target could not be resolved.');
    }
    const id = randomUUID();
    const secret = newWebhookSecret();
    const [row] = (await this.dataSource.query(
      `WITH s AS (INSERT INTO webhook_subscriptions (id, url, kinds, secret_sealed) VALUES ($1, $2, $3, $4) RETURNING ${SUBSCRIPTION_COLUMNS}) SELECT * FROM s`,
      [id, body.url, [...new Set(body.kinds)], sealSecret(this.config.vaultKeys, id, secret)],
    )) as SubscriptionRow[];
    return { ...subscriptionView(row!), secret };
  }

  async list(): Promise<{ items: SubscriptionView[] }> {
    const rows = (await this.dataSource.query(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions ORDER BY created_at, id`)) as SubscriptionRow[];
    return { items: rows.map(subscriptionView) };
  }

  async one(id: string): Promise<SubscriptionView> {
    const [row] = (await this.dataSource.query(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1`, [id])) as SubscriptionRow[];
    if (!row) throw new ApiError(404, 'not_found', 'No such subscription.');
    return subscriptionView(row);
  }

  async remove(id: string): Promise<void> {
    const rows = (await this.dataSource.query(`WITH d AS (DELETE FROM webhook_subscriptions WHERE id = $1 RETURNING id) SELECT id FROM d`, [id])) as unknown[];
    if (rows.length === 0) throw new ApiError(404, 'not_found', 'No such subscription.');
  }

  /** A new secret, shown once; the one it replaces still signs for ROTATION_OVERLAP. */
  async rotate(id: string): Promise<SubscriptionView & { secret: string }> {
    const secret = newWebhookSecret();
    const [row] = (await this.dataSource.query(
      `WITH s AS (UPDATE webhook_subscriptions SET previous_secret_sealed = secret_sealed, previous_until = now() + interval '${ROTATION_OVERLAP}', secret_sealed = $2 WHERE id = $1 RETURNING ${SUBSCRIPTION_COLUMNS}) SELECT * FROM s`,
      [id, sealSecret(this.config.vaultKeys, id, secret)],
    )) as SubscriptionRow[];
    if (!row) throw new ApiError(404, 'not_found', 'No such subscription.');
    return { ...subscriptionView(row), secret };
  }

  /** Each delivery to a subscription, newest first, with every try and its outcome. */
  async deliveries(id: string, state: string | undefined, limit = DEFAULT_PAGE, cursor?: string) {
    await this.one(id);
    const after = cursor ? readCursor(cursor, ([seq]) => (typeof seq === 'string' && /^\d{1,19}$/.test(seq) && BigInt(seq) <= MAX_BIGINT ? { seq } : null)) : null;
    const rows = (await this.dataSource.query(
      `SELECT d.fact_id::text AS fact_id, f.kind, f.seq::text AS seq, f.recorded_at, d.state, d.attempts, d.next_attempt_at, d.finished_at,
              coalesce((SELECT jsonb_agg(jsonb_build_object('attempt', a.attempt, 'at', a.at, 'durationMs', a.duration_ms, 'statusCode', a.status_code, 'error', a.error) ORDER BY a.attempt)
                          FROM webhook_attempts a WHERE a.subscription_id = d.subscription_id AND a.fact_id = d.fact_id), '[]'::jsonb) AS tries
         FROM webhook_deliveries d JOIN webhook_facts f ON f.id = d.fact_id
        WHERE d.subscription_id = $1 AND ($2::text IS NULL OR d.state = $2) AND ($3::bigint IS NULL OR f.seq < $3::bigint)
        ORDER BY f.seq DESC LIMIT $4`,
      [id, state ?? null, after?.seq ?? null, limit + 1],
    )) as { fact_id: string; kind: string; seq: string; recorded_at: Date; state: string; attempts: number; next_attempt_at: Date; finished_at: Date | null; tries: { attempt: number; at: string; durationMs: number; statusCode: number | null; error: string | null }[] }[];
    return toPage(
      rows,
      limit,
      (r) => ({
        id: r.fact_id,
        kind: r.kind,
        recordedAt: r.recorded_at.toISOString(),
        state: r.state,
        attempts: r.tries.map((t) => ({ ...t, at: new Date(t.at).toISOString() })),
        nextAttemptAt: r.state === 'pending' ? r.next_attempt_at.toISOString() : null,
        finishedAt: r.finished_at?.toISOString() ?? null,
      }),
      (r) => [r.seq],
    );
  }
}
