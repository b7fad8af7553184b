import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type AppConfig } from '#infra/config/config';
import { DatabaseGauges, outboxBacklog } from '#infra/metrics/database-gauges';
import { processRegistry } from '#infra/metrics/registry';
import { APP_CONFIG } from '../config/config.module';
import { HttpMetrics } from './http-metrics';
import { storeGauges } from './store-gauges';

/** The API's metrics: its own registry, the HTTP traffic, and the read models' gauges read when scraped. */
@Injectable()
export class MetricsService implements OnApplicationShutdown {
  readonly registry = processRegistry();
  readonly http = new HttpMetrics(this.registry);
  private readonly gauges: DatabaseGauges;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.gauges = new DatabaseGauges(this.registry, config.database.url, 'dpa-api-metrics', [outboxBacklog(this.registry), ...storeGauges(this.registry)]);
  }

  async text(): Promise<string> {
    await this.gauges.refresh();
    return this.registry.metrics();
  }

  onApplicationShutdown(): Promise<void> {
    return this.gauges.close();
  }
}
