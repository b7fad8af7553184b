import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { probe, PROBE_TIMEOUT_MS, readinessOf, type DependencyHealth, type Readiness } from '#infra/health/probe';

export type DependencyName = 'postgres' | 'temporal';

export type Health = Readiness<DependencyName> & { readonly checks: Record<DependencyName, DependencyHealth> };

const NAMES: Record<DependencyName, string> = { postgres: 'PostgreSQL', temporal: 'Temporal' };

@Injectable()
export class HealthService implements OnModuleDestroy {
  private stopping = false;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Client) private readonly temporal: Client,
  ) {}

  /** Nest's shutdown has begun (SIGTERM, or `app.close()`): the instance is to be taken out of rotation. */
  get shuttingDown(): boolean {
    return this.stopping;
  }

  onModuleDestroy(): void {
    this.stopping = true;
  }

  async check(): Promise<Health> {
    const [postgres, temporal] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(() =>
        this.temporal.connection.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () =>
          this.temporal.connection.workflowService.getSystemInfo({}),
        ),
      ),
    ]);
    return readinessOf({ postgres, temporal }, NAMES);
  }
}
