import * as path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfigOrExit } from '#infra/config/config';
import { exitWithSupervisor } from '#infra/dev/supervised';
import { createLogger } from '#infra/logging/logger';
import { bundleWorkflows, createWorkerRuntime } from '../../apps/worker/src/worker';

/**
 * The engine's worker as `apps/worker` runs it (same activities, codec, task queue and settings),
 * with the benchmark's trivial workflow in its bundle, so that both sides of `bench:api` run on one
 * worker process.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit('worker');
  exitWithSupervisor();
  const logger = createLogger('worker', config.logLevel);
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  // Bundled as the engine's own worker bundles (its library aliases, zod left out): only the trivial workflow is added.
  const workflowBundle = await bundleWorkflows(logger, path.join(__dirname, 'workflows.ts'));
  const runtime = await createWorkerRuntime({ config, connection, logger, workflowBundle });
  logger.info({ taskQueue: config.temporal.taskQueue }, 'worker polling');
  try {
    await runtime.worker.run();
  } finally {
    await runtime.close();
    await connection.close();
  }
}

main().catch((e: unknown) => {
  console.error('bench worker: failed:', e instanceof Error ? e.message : e);
  process.exit(1);
});
