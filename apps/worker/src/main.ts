import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfigOrExit } from '../../../libs/infra/src/config/config';
import { exitWithSupervisor } from '../../../libs/infra/src/dev/supervised';
import { createLogger } from '../../../libs/infra/src/logging/logger';
import { temporalLogger } from './logging';
import { createWorkerRuntime } from './worker';

// Time after the grace for cancelled activities to report back and for the pools to close.
const FORCED_EXIT_MARGIN_MS = 5_000;

async function main(): Promise<void> {
  const config = loadConfigOrExit('worker');
  exitWithSupervisor();
  const logger = createLogger('worker', config.logLevel);
  // SIGINT/SIGTERM make the worker stop polling, let in-flight activities finish for
  // WORKER_SHUTDOWN_GRACE ms, then exit; an activity cut short is retried by the next worker.
  Runtime.install({ logger: temporalLogger(logger, 'WARN'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
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
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const runtime = await createWorkerRuntime({ config, connection, logger });
  logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker polling');
  try {
    await runtime.worker.run();
  } finally {
    await runtime.close();
    await connection.close();
    logger.info('worker stopped');
  }
}

main().catch((e: unknown) => {
  console.error('worker: failed:', e instanceof Error ? e.message : e);
  process.exit(1);
});
