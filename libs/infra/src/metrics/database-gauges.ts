import { Pool } from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';

type Row = Record<string, unknown>;

/** Gauges read from PostgreSQL when scraped: one statement, whose rows set them. */
export interface ScrapeQuery {
  /** Its label on `dpa_scrape_errors_total`. */
  readonly name: string;
  readonly sql: string;
  readonly params?: readonly unknown[];
  /** Emptied when the statement fails: a gauge the database did not answer for is absent, not stale. */
  readonly gauges: readonly Gauge[];
  set(rows: readonly Row[]): void;
}

/**
 * Runs each ScrapeQuery at scrape time on its own small pool, with a statement timeout: a scrape
 * can neither wait long on the database nor take connections from the pool that commands use.
 */
export class DatabaseGauges {
  private readonly pool: Pool;
  private readonly errors: Counter<'query'>;

  constructor(
    registry: Registry,
    url: string,
    applicationName: string,
    private readonly queries: readonly ScrapeQuery[],
  ) {
    this.pool = new Pool({ connectionString: url, max: 2, application_name: applicationName, connectionTimeoutMillis: 2_000, statement_timeout: 2_000, query_timeout: 2_500, idleTimeoutMillis: 30_000 });
    // An idle connection the server dropped (a restart) is an error event: without a listener it would end the process.
    this.pool.on('error', () => undefined);
    this.errors = new Counter({ name: 'dpa_scrape_errors_total', help: 'Scrape-time database reads that failed or timed out, by query (their gauges are absent from that scrape).', labelNames: ['query'], registers: [registry] });
    for (const q of queries) this.errors.inc({ query: q.name }, 0);
  }

  /** Sets every gauge afresh; a statement that fails empties its gauges and counts an error. Never throws. */
  async refresh(): Promise<void> {
    await Promise.all(
      this.queries.map(async (q) => {
        try {
          const { rows } = await this.pool.query<Row>(q.sql, q.params ? [...q.params] : undefined);
          q.set(rows);
        } catch {
          for (const gauge of q.gauges) gauge.reset();
          this.errors.inc({ query: q.name });
        }
      }),
    );
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * Sets a one-label gauge from rows of (`label`, `n`): every value in `known` is present (0 when no
 * row names it), so an alert on `> 0` has a series to watch from the start.
 */
export function setByLabel(gauge: Gauge<string>, label: string, known: readonly string[], rows: readonly Row[]): void {
  gauge.reset();
  for (const value of known) gauge.set({ [label]: value }, 0);
  for (const row of rows) gauge.set({ [label]: String(row.label) }, Number(row.n));
}

/** The outbox's emails not yet sent, and how long the oldest has waited (DESIGN §5: a message is a row first). */
export function outboxBacklog(registry: Registry): ScrapeQuery {
  const backlog = new Gauge({ name: 'dpa_outbox_backlog', help: 'Emails in the outbox not yet sent (pending, or being sent).', registers: [registry] });
  const oldest = new Gauge({ name: 'dpa_outbox_oldest_seconds', help: 'How long the oldest email not yet sent has waited; 0 when none waits.', registers: [registry] });
  return {
    name: 'outbox_backlog',
    // `status <> 'sent'` is the partial index outbox_due's predicate: sent rows, kept as proof, are never read.
    sql: `SELECT count(*) FILTER (WHERE status <> 'failed') AS n,
                 coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status <> 'failed')), 0) AS oldest
          FROM outbox WHERE status <> 'sent'`,
    gauges: [backlog, oldest],
    set([row]) {
      backlog.set(Number(row?.n ?? 0));
      oldest.set(Number(row?.oldest ?? 0));
    },
  };
}
