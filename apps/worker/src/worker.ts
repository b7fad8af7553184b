import * as path from 'node:path';
import { bundleWorkflowCode, Worker, type NativeConnection } from '@temporalio/worker';
import { type Logger } from 'pino';
import { type AppConfig } from '../../../libs/infra/src/config/config';
import { dataConverter } from '../../../libs/infra/src/temporal/connection';
import { temporalLogger } from './logging';

export interface WorkerRuntime {
  readonly worker: Worker;
  close(): Promise<void>;
}

export const WORKFLOWS_PATH = path.join(__dirname, 'workflows');

/** Bundles the workflow code once, at start-up, and wires the worker. */
export async function createWorkerRuntime(deps: {
  config: AppConfig;
  connection: NativeConnection;
  logger: Logger;
  taskQueue?: string;
}): Promise<WorkerRuntime> {
  const { config, connection, logger } = deps;
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: temporalLogger(logger, 'WARN') });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: deps.taskQueue ?? config.temporal.taskQueue,
    workflowBundle,
    dataConverter: dataConverter(config),
    shutdownGraceTime: config.worker.shutdownGraceMs,
  });
  return { worker, close: async () => {} };
}
