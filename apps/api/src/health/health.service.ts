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
  let timedOut = false;
  try {
    await Promise.race([
      call(),
      new Promise((_, reject) => (timer = setTimeout(() => ((timedOut = true), reject(new Error('timeout'))), TIMEOUT_MS))),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    // /health is public: say how it failed (a driver code such as ECONNREFUSED), not where or as whom.
    const code = (e as { code?: unknown })?.code;
    const error = timedOut ? 'timeout' : typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? code : 'unreachable';
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error };
  } finally {
    clearTimeout(timer);
  }
}
