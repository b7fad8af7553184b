import { NativeConnection, Runtime, type TelemetryOptions } from '@temporalio/worker';
import { loadConfigOrExit } from '#infra/config/config';
import { freePort } from '#infra/dev/processes';
import { exitWithSupervisor } from '#infra/dev/supervised';
import { createLogger } from '#infra/logging/logger';
import { temporalLogger } from './logging';
import { WorkerMetrics } from './metrics';
import { startOpsServer, workerReadiness } from './ops-server';
import { createWorkerRuntime } from './worker';

// Time after the grace for cancelled activities to report back and for the pools to close.
const FORCED_EXIT_MARGIN_MS = 5_000;

/** The SDK's Prometheus exporter on a loopback port, in Prometheus' own conventions (seconds, `_total`). */
const sdkTelemetry = (port: number): TelemetryOptions => ({
  metrics: { prometheus: { bindAddress: `127.0.0.1:${port}`, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } },
});

async function main(): Promise<void> {
  const config = loadConfigOrExit('worker');
  exitWithSupervisor();
  const logger = createLogger('worker', config.logLevel);
  // With WORKER_HTTP_PORT the worker's /metrics carries the SDK's too, read from a port only it knows.
  const sdkMetricsPort = config.worker.httpPort === null ? null : await freePort();
  // SIGINT/SIGTERM make the worker stop polling, let in-flight activities finish for
  // WORKER_SHUTDOWN_GRACE ms, then exit; an activity cut short is retried by the next worker.
  Runtime.install({
    logger: temporalLogger(logger, 'WARN'),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    ...(sdkMetricsPort === null ? {} : { telemetryOptions: sdkTelemetry(sdkMetricsPort) }),
  });
  // The SDK cancels what still runs after the grace, then waits for it to return. Deletions stop
  // on cancellation; anything that would still hold the process is cut short here instead: the
  // server retries the attempt on another worker, and every activity is idempotent.
  const exitAfterGrace = () => {
    process.off('SIGINT', exitAfterGrace).off('SIGTERM', exitAfterGrace);
    setTimeout(() => {
      logger.warn({ graceMs: config.worker.shutdownGraceMs }, 'activities outlived the shutdown grace; exiting, the server retries them');
      process.exit(1);
    }, config.worker.shutdownGraceMs + FORCED_EXIT_MARGIN_MS).unref();
  };
  process.on('SIGINT', exitAfterGrace).on('SIGTERM', exitAfterGrace);
  const metrics = sdkMetricsPort === null ? undefined : new WorkerMetrics(config.database.url, `http://127.0.0.1:${sdkMetricsPort}/metrics`);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  // WORKER_WORKFLOW_BUNDLE: a bundle made beforehand (`npm run build:workflows`); otherwise bundled now.
  const workflowBundle = config.worker.workflowBundle ? { codePath: config.worker.workflowBundle } : undefined;
  const runtime = await createWorkerRuntime({ config, connection, logger, metrics, workflowBundle });
  const ops =
    metrics && config.worker.httpPort !== null
      ? await startOpsServer({
          host: config.http.host,
          port: config.worker.httpPort,
          metricsToken: config.metrics.token,
          metrics,
          ready: () => workerReadiness(runtime.worker.getState(), () => runtime.dataSource.query('SELECT 1')),
        })
      : null;
  if (ops) logger.info({ url: ops.url }, 'worker serving /metrics and /health');
  logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker polling');
  // Controllers in processing before their followers existed: told once, in the background.
  const backfill = runtime.backfillFollowers().then(
    ({ contracts }) => logger.info({ contracts }, 'followers backfilled'),
    (e: unknown) => logger.warn({ error: (e as Error)?.name }, 'backfilling followers failed; the next start tries again'),
  );
  try {
    await runtime.worker.run();
    await backfill;
  } finally {
    await runtime.close();
    await connection.close();
    // Last: until here readiness answers 503 (the worker is draining, then stopped).
    await ops?.close();
    await metrics?.close();
    logger.info('worker stopped');
  }
}

main().catch((e: unknown) => {
  console.error('worker: failed:', e instanceof Error ? e.message : e);
  process.exit(1);
});
