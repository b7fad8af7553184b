import { Counter, type Registry } from 'prom-client';
import { FILE_TYPES } from '#domain';
import { DatabaseGauges, outboxBacklog } from '#infra/metrics/database-gauges';
import { processRegistry } from '#infra/metrics/registry';

/**
 * The worker's own metrics (`dpa_*` and Node's defaults), followed in its /metrics by the Temporal
 * SDK's (`temporal_*`), which the SDK's runtime serves on a loopback port of its own.
 */
export class WorkerMetrics {
  readonly registry: Registry = processRegistry();
  readonly eventsAppended = new Counter({ name: 'dpa_events_appended_total', help: 'Events this worker wrote to the store (a retried append that found them written counts nothing), by stream type.', labelNames: ['stream_type'], registers: [this.registry] });
  readonly emailsSent = new Counter({ name: 'dpa_emails_sent_total', help: 'Emails the relay accepted, by kind.', labelNames: ['kind'], registers: [this.registry] });
  readonly emailsFailed = new Counter({
    name: 'dpa_emails_failed_total',
    help: 'Emails not sent, by kind and outcome: deferred (tried again later) or refused (a 5xx from the relay: never sent, its file records it).',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });
  private readonly sdkErrors = new Counter({ name: 'dpa_sdk_metrics_errors_total', help: "Scrapes that served without the Temporal SDK's metrics (its endpoint did not answer).", registers: [this.registry] });
  private readonly gauges: DatabaseGauges;

  constructor(
    databaseUrl: string,
    /** The SDK runtime's Prometheus endpoint, or null when it has none. */
    private readonly sdkMetricsUrl: string | null,
  ) {
    for (const { name } of FILE_TYPES) this.eventsAppended.inc({ stream_type: name }, 0);
    this.gauges = new DatabaseGauges(this.registry, databaseUrl, 'dpa-worker-metrics', [outboxBacklog(this.registry)]);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text of a scrape: the gauges read now, then the SDK's metrics appended. */
  async text(): Promise<string> {
    const [, sdk] = await Promise.all([this.gauges.refresh(), this.sdkText()]);
    return `${await this.registry.metrics()}\n${sdk}`;
  }

  close(): Promise<void> {
    return this.gauges.close();
  }

  private async sdkText(): Promise<string> {
    if (!this.sdkMetricsUrl) return '';
    try {
      const res = await fetch(this.sdkMetricsUrl, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) throw new Error(`status ${res.status}`);
      const text = await res.text();
      return text.endsWith('\n') || text === '' ? text : `${text}\n`;
    } catch {
      this.sdkErrors.inc();
      return '';
    }
  }
}
