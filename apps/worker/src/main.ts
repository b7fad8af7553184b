import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfigOrExit } from '../../../libs/infra/src/config/config';
import { createLogger } from '../../../libs/infra/src/logging/logger';
import { temporalLogger } from './logging';
import { createWorkerRuntime } from './worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit('worker');
  const logger = createLogger('worker', config.logLevel);
  // SIGINT/SIGTERM make the worker stop polling, let in-flight activities finish for
  // WORKER_SHUTDOWN_GRACE ms, then exit; an activity cut short is retried by the next worker.
  Runtime.install({ logger: temporalLogger(logger, 'WARN'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
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
