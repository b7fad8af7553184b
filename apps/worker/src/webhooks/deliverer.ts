import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { type Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import { type DataSource, type EntityManager } from 'typeorm';
import { clockOwner, DEADLINE_KINDS } from '#domain';
import { type KeyRing } from '#infra/config/key-ring';
import { DEADLINES_TABLE } from '#infra/event-store/deadlines-projection';
import { CLOCK_OVERDUE } from '#infra/webhooks/facts';
import { openSecret } from '#infra/webhooks/secrets';
import { checkedAddresses, checkTargetUrl, guardedLookup, type TargetPolicy } from '#infra/webhooks/targets';
import { Outbox } from '../mail/outbox';

/*
 * DESIGN §9, events out: the worker's deliverer. Each round it fans the facts not yet fanned out to
 * the subscriptions of their kinds (one statement: a fact is fanned out once), looks for clocks
 * newly overdue when someone subscribes to them, and sends the deliveries that are due. A delivery
 * is held by its lease (longer than a send may take, so a live sender is never overtaken), signed
 * per subscription in the Standard Webhooks format (both secrets while one is rotated), and carries
 * the fact's id as `webhook-id`, the same on every try, and the same body bytes. A 2xx delivers it;
 * anything else is tried again after a pause that doubles, up to WEBHOOK_RETRY_FOR from the first
 * try; then it is given up, its subscription marked failing, and the DPO emailed once.
 */

const LEASE = '15 seconds';
const SEND_TIMEOUT_MS = 10_000;
const FAN_OUT_BATCH = 500;
const SEND_BATCH = 16;
/** Clocks overdue for longer than this when first seen are not told (a new subscriber is not flooded). */
const CLOCK_LOOKBACK = '30 days';
const CLOCK_SCAN_MS = 5_000;
const MAX_PAUSE_S = 15 * 60;
/** How often a deliverer with nobody subscribed looks again. */
const IDLE_MS = 2_000;
/** Whose each clock is (the processor's or the controller's), as its fact says. */
const CLOCK_OWNERS = JSON.stringify(Object.fromEntries(DEADLINE_KINDS.map((k) => [k, clockOwner(k)])));

interface Due {
  subscription_id: string;
  fact_id: string;
  attempts: number;
  first_at: Date;
  lease: string;
  url: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_signs: boolean | null;
  kind: string;
  stream_type: string;
  stream_id: string;
  stream_version: number | null;
  contract_id: string | null;
  facts: Record<string, unknown>;
  recorded_at: Date;
  reference: string | null;
  customer_id: string | null;
}

/** The body of a delivery: the fact, its file and its contract by ids and reference, never a name or an email. */
export function payloadOf(d: Pick<Due, 'fact_id' | 'kind' | 'stream_type' | 'stream_id' | 'stream_version' | 'contract_id' | 'facts' | 'recorded_at' | 'reference' | 'customer_id'>): string {
  return JSON.stringify({
    type: d.kind,
    timestamp: d.recorded_at.toISOString(),
    data: {
      id: d.fact_id,
      file: { type: d.stream_type, id: d.stream_id, version: d.stream_version },
      contract: d.contract_id ? { id: d.contract_id, reference: d.reference, customerId: d.customer_id } : null,
      ...d.facts,
    },
  });
}

export interface DelivererOptions {
  readonly vaultKeys: KeyRing;
  readonly policy: TargetPolicy;
  readonly retryForMs: number;
  readonly dpoEmail: string;
  readonly mailFrom: string;
  /** Told when the DPO's email is in the outbox (its dispatcher sends it at once). */
  readonly emailed?: () => void;
  readonly intervalMs?: number;
}

export class WebhookDeliverer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private lastClockScan = 0;
  private readonly lookup;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    private readonly options: DelivererOptions,
  ) {
    this.lookup = guardedLookup(options.policy);
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      let pause = this.options.intervalMs ?? 250;
      this.running = this.round()
        .then((more) => void (pause = more === 'idle' ? IDLE_MS : more ? 0 : pause))
        .catch((e: unknown) => this.logger.warn({ err: { message: (e as Error).message } }, 'a round of webhook deliveries failed; the next one tries again'));
      await this.running;
      this.running = null;
      if (!this.stopped) this.timer = setTimeout(() => void tick(), pause);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One round; true when more is waiting, 'idle' when nobody is subscribed (facts wait, unfanned, for a subscriber). */
  async round(): Promise<boolean | 'idle'> {
    const [{ subscribed, clocks }] = (await this.dataSource.query(
      `SELECT count(*)::int AS subscribed, count(*) FILTER (WHERE $1 = ANY(kinds))::int AS clocks FROM webhook_subscriptions`,
      [CLOCK_OVERDUE],
    )) as { subscribed: number; clocks: number }[] as [{ subscribed: number; clocks: number }];
    // Nobody subscribed: nothing to fan out to (a subscriber gets only the facts recorded after it).
    if (subscribed === 0) return 'idle';
    if (clocks > 0 && Date.now() - this.lastClockScan >= CLOCK_SCAN_MS) await this.scanClocks();
    const fanned = await this.fanOut();
    const sent = await this.sendDue();
    return fanned === FAN_OUT_BATCH || sent === SEND_BATCH;
  }

  /** Clocks overdue now and not told yet: a fact each, once per clock and due instant. */
  private async scanClocks(): Promise<void> {
    this.lastClockScan = Date.now();
    await this.dataSource.query(
      `INSERT INTO webhook_facts (id, kind, stream_type, stream_id, contract_id, reference, customer_id, facts)
       SELECT md5($1 || ':' || d.stream_type || ':' || d.stream_id || ':' || d.kind || ':' || extract(epoch FROM d.due_at)::text)::uuid, $1, d.stream_type, d.stream_id, d.contract_id,
              c.reference, c.state->'controller'->>'customerId',
              jsonb_build_object('clock', d.kind, 'dueAt', to_char(d.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'whose', $2::jsonb ->> d.kind)
         FROM ${DEADLINES_TABLE} d LEFT JOIN contracts c ON c.id = d.contract_id
        WHERE d.due_at <= now() AND d.due_at > now() - interval '${CLOCK_LOOKBACK}'
       ON CONFLICT (id) DO NOTHING`,
      [CLOCK_OVERDUE, CLOCK_OWNERS],
    );
  }

  /** Facts not fanned out yet, each to the subscriptions of its kind that existed when it was recorded; returns how many facts. */
  private async fanOut(): Promise<number> {
    const [row] = (await this.dataSource.query(
      `WITH f AS (
         UPDATE webhook_facts SET fanned_out = true
          WHERE id IN (SELECT id FROM webhook_facts WHERE NOT fanned_out ORDER BY seq LIMIT ${FAN_OUT_BATCH} FOR UPDATE SKIP LOCKED)
          RETURNING id, kind, recorded_at),
       d AS (
         INSERT INTO webhook_deliveries (subscription_id, fact_id)
         SELECT s.id, f.id FROM f JOIN webhook_subscriptions s ON f.kind = ANY(s.kinds) AND s.created_at <= f.recorded_at
         ON CONFLICT DO NOTHING)
       SELECT count(*)::int AS facts FROM f`,
    )) as { facts: number }[];
    return row?.facts ?? 0;
  }

  private async sendDue(): Promise<number> {
    const due = (await this.dataSource.query(
      `WITH due AS (
         SELECT subscription_id, fact_id FROM webhook_deliveries
          WHERE state = 'pending' AND next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now())
          ORDER BY next_attempt_at LIMIT ${SEND_BATCH} FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE webhook_deliveries w SET leased_until = now() + interval '${LEASE}', attempts = w.attempts + 1
           FROM due WHERE w.subscription_id = due.subscription_id AND w.fact_id = due.fact_id
         RETURNING w.subscription_id, w.fact_id, w.attempts, w.created_at AS first_at, w.leased_until::text AS lease)
       SELECT c.*, s.url, s.secret_sealed, s.previous_secret_sealed, s.previous_until > now() AS previous_signs,
              f.kind, f.stream_type, f.stream_id, f.stream_version, f.contract_id::text AS contract_id, f.facts, f.recorded_at,
              f.reference, f.customer_id
         FROM claimed c JOIN webhook_subscriptions s ON s.id = c.subscription_id JOIN webhook_facts f ON f.id = c.fact_id`,
    )) as Due[];
    await Promise.all(due.map((d) => this.deliver(d)));
    return due.length;
  }

  private async deliver(d: Due): Promise<void> {
    const started = Date.now();
    const at = new Date();
    let outcome: { statusCode: number | null; error: string | null };
    try {
      const body = payloadOf(d);
      const sign = (sealed: string) => new Webhook(openSecret(this.options.vaultKeys, d.subscription_id, sealed)).sign(d.fact_id, at, body);
      const signature = [sign(d.secret_sealed), ...(d.previous_signs && d.previous_secret_sealed ? [sign(d.previous_secret_sealed)] : [])].join(' ');
      outcome = await this.post(d.url, body, { 'webhook-id': d.fact_id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature });
    } catch (e) {
      outcome = { statusCode: null, error: (e as Error).message.slice(0, 300) };
    }
    const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const expired = !ok && Date.now() - d.first_at.getTime() >= this.options.retryForMs;
    const pause = Math.min(2 ** Math.min(d.attempts - 1, 20), MAX_PAUSE_S);
    // One transaction: the try's outcome, a subscription given up on and the DPO's email stand or fall together.
    const emailed = await this.dataSource.transaction(async (tx) => {
      // Fenced by the lease: a holder overtaken (it was stopped past its lease) records nothing.
      const [updated] = (await tx.query(
        `WITH w AS (
           UPDATE webhook_deliveries SET leased_until = NULL,
                  state = CASE WHEN $3 THEN 'delivered' WHEN $4 THEN 'failed' ELSE 'pending' END,
                  finished_at = CASE WHEN $3 OR $4 THEN now() END,
                  next_attempt_at = CASE WHEN $3 OR $4 THEN next_attempt_at ELSE now() + make_interval(secs => $5) END
            WHERE subscription_id = $1 AND fact_id = $2 AND leased_until::text = $6
            RETURNING attempts),
         a AS (
           INSERT INTO webhook_attempts (subscription_id, fact_id, attempt, at, duration_ms, status_code, error)
           SELECT $1, $2, w.attempts, $7, $8, $9, $10 FROM w)
         SELECT count(*)::int AS n FROM w`,
        [d.subscription_id, d.fact_id, ok, expired, pause, d.lease, at.toISOString(), Date.now() - started, outcome.statusCode, outcome.error],
      )) as { n: number }[];
      if (!updated?.n) return false;
      if (ok) await tx.query(`UPDATE webhook_subscriptions SET status = 'active', failing_since = NULL WHERE id = $1 AND status = 'failing'`, [d.subscription_id]);
      return expired && (await this.markFailing(tx, d));
    });
    if (emailed) this.options.emailed?.();
  }

  /** Given up: the subscription is failing, and the DPO hears of it once per spell of failing (true when emailed). */
  private async markFailing(tx: EntityManager, d: Due): Promise<boolean> {
    const [turned] = (await tx.query(
      `WITH s AS (UPDATE webhook_subscriptions SET status = 'failing', failing_since = now() WHERE id = $1 AND status = 'active' RETURNING failing_since::text AS since) SELECT since FROM s`,
      [d.subscription_id],
    )) as { since: string }[];
    if (!turned) return false;
    const host = (() => {
      try {
        return new URL(d.url).host;
      } catch {
        return 'its endpoint';
      }
    })();
    await new Outbox(tx as unknown as DataSource, this.options.mailFrom).enqueue({
      messageId: `webhook-failing:${d.subscription_id}:${turned.since.replace(/\D/g, '')}`,
      contractId: null,
      kind: 'webhook-failing',
      to: this.options.dpoEmail,
      subject: 'An event subscription is failing',
      text: [
        `The endpoint ${host} has not accepted an event for as long as the engine tries one (WEBHOOK_RETRY_FOR): the delivery of ${d.kind} (${d.fact_id}) was given up.`,
        `The subscription ${d.subscription_id} is marked failing. Its deliveries, with each try and its outcome: GET /webhooks/${d.subscription_id}/deliveries.`,
        'The engine keeps trying the events that follow; the subscription is active again at the first one its endpoint accepts.',
      ].join('\n\n'),
    });
    return true;
  }

  /**
   * One POST, never following a redirect, to an address the lookup checked: its status as soon as
   * it comes (the body is not read), or the error. One deadline covers it all (lookup, connect,
   * TLS, the answer's head), well inside the lease, so that no send outlives its hold.
   */
  private async post(raw: string, body: string, headers: Record<string, string>): Promise<{ statusCode: number | null; error: string | null }> {
    const url = checkTargetUrl(raw, this.options.policy);
    // An address written in the URL is never looked up: checked here, allow-list included.
    if (isIP(url.hostname.replace(/^\[|\]$/g, ''))) await checkedAddresses(url.hostname, this.options.policy);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      const req = transport.request(url, {
        method: 'POST',
        lookup: this.lookup,
        agent: false,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'dpa-engine-webhooks/1' },
      });
      const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${SEND_TIMEOUT_MS / 1000} s`)), SEND_TIMEOUT_MS);
      req.on('response', (res) => {
        clearTimeout(deadline);
        resolve({ statusCode: res.statusCode ?? null, error: null });
        res.destroy();
      });
      req.on('error', (e) => {
        clearTimeout(deadline);
        resolve({ statusCode: null, error: e.message.slice(0, 300) });
      });
      req.end(body);
    });
  }
}
