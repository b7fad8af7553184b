import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';

export type DependencyName = 'postgres' | 'temporal';

export interface DependencyHealth {
  readonly status: 'up' | 'down';
  readonly latencyMs: number;
  readonly error?: string;
}

export interface Health {
  readonly status: 'ok' | 'unavailable';
  readonly checks: Record<DependencyName, DependencyHealth>;
}

const TIMEOUT_MS = 2_000;

@Injectable()
export class HealthService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Client) private readonly temporal: Client,
  ) {}

  async check(): Promise<Health> {
    const [postgres, temporal] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(() =>
        this.temporal.connection.withDeadline(Date.now() + TIMEOUT_MS, () =>
          this.temporal.connection.workflowService.getSystemInfo({}),
        ),
      ),
    ]);
    return { status: postgres.status === 'up' && temporal.status === 'up' ? 'ok' : 'unavailable', checks: { postgres, temporal } };
  }
}

async function probe(call: () => Promise<unknown>): Promise<DependencyHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      call(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS))),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    // Driver messages name hosts and ports, never data; keep only the first line.
    const error = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error };
  } finally {
    clearTimeout(timer);
  }
}
