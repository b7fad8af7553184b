import * as path from 'node:path';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkflowBundleOption, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type Logger } from 'pino';
import { type DataSource } from 'typeorm';
import { type AppConfig } from '#infra/config/config';
import { createDataSource } from '#infra/database/data-source';
import { webpackLibraryAliases } from '#infra/dev/library-aliases';
import { projectRoot } from '#infra/dev/project-root';
import { createEventStore } from '#infra/event-store/streams';
import { dataConverter } from '#infra/temporal/connection';
import { resendUnprocessedUpdates } from '#infra/temporal/unprocessed-updates';
import { emailFailedSignal, emailSentSignal } from '#infra/temporal/messages';
import { CredentialVault } from '#infra/vault/credential-vault';
import { targetPolicyOf } from '#infra/webhooks/targets';
import { followers } from './activities/followers';
import { createActivities, dpoActivities, incidentActivities, subProcessorActivities, type ActivityDependencies } from './activities';
import { temporalLogger } from './logging';
import { Outbox, OutboxDispatcher } from './mail/outbox';
import { WebhookDeliverer } from './webhooks/deliverer';
import { type WorkerMetrics } from './metrics';
import { ensureDefaultRoots, storageRegistry, type StorageRegistry } from './storage/registry';

export interface WorkerRuntime {
  readonly worker: Worker;
  readonly dataSource: DataSource;
  readonly dispatcher: OutboxDispatcher;
  /** Tells the followers of controllers already in processing (FileType.follows) what they missed; once, at start. */
  backfillFollowers(): Promise<{ contracts: number }>;
  /** After `worker.run()` returns: stops the mail dispatcher and closes the database pool. */
  close(): Promise<void>;
}

export const WORKFLOWS_PATH = path.join(__dirname, 'workflows');

/** The worker's workflow bundle; `workflowsPath` names another module re-exporting these workflows (a benchmark's). */
export function bundleWorkflows(logger?: Logger, workflowsPath = WORKFLOWS_PATH): Promise<WorkflowBundleWithSourceMap> {
  // `#domain`, `#infra/*` for webpack: the libraries' sources when the worker runs from source, their build from dist/.
  const libraries = webpackLibraryAliases(projectRoot(), __filename.endsWith('.ts') ? 'dpa-source' : 'default');
  return bundleWorkflowCode({
    workflowsPath,
    // Schemas are built on first use (CommandSpec.schema) and never in a workflow: zod stays out of
    // the sandbox, where each cached workflow would instantiate it anew. A workflow that used it would fail loudly.
    ignoreModules: ['zod', 'i18next'],
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as Record<string, string | false>), ...libraries } },
      // Every workflow evaluates the bundle's modules anew (their state is its own): the engine's
      // modules joined into as few as their imports allow (scope hoisting) cost it less to start.
      optimization: { ...config.optimization, usedExports: true, concatenateModules: true },
    }),
    ...(logger ? { logger: temporalLogger(logger, 'WARN') } : {}),
  });
}

/** Bundles the workflow code once, at start-up, and wires activities over their dependencies. */
export async function createWorkerRuntime(deps: {
  config: AppConfig;
  connection: NativeConnection;
  logger: Logger;
  taskQueue?: string;
  namespace?: string;
  storage?: StorageRegistry;
  workflowBundle?: WorkflowBundleOption;
  outboxIntervalMs?: number;
  /** The longest wait before a refused email is tried again (tests shorten it). */
  outboxMaxRetrySeconds?: number;
  /** Counters of events written and emails sent, when the worker serves /metrics. */
  metrics?: WorkerMetrics;
}): Promise<WorkerRuntime> {
  const { config, connection, logger } = deps;
  const dataSource = createDataSource({ url: config.database.url, poolSize: config.database.poolSize, applicationName: 'dpa-worker' });
  await dataSource.initialize();
  if (!deps.storage) await ensureDefaultRoots(config);
  const namespace = deps.namespace ?? config.temporal.namespace;
  // The worker's own client, on its connection: the outbox reports deliveries, incidents start their notices.
  const client = new Client({ connection, namespace, dataConverter: dataConverter(config), interceptors: { workflow: [resendUnprocessedUpdates((attempt) => logger.warn({ attempt }, 'an update the server rejected as unprocessed is sent again'))] } });
  const dispatcher = new OutboxDispatcher(dataSource, config.mail.smtpUrl, config.mail.from, logger, deps.outboxIntervalMs, (workflowId, report) =>
    report.type === 'RecordEmailSent' ? client.workflow.getHandle(workflowId).signal(emailSentSignal, report.data) : client.workflow.getHandle(workflowId).signal(emailFailedSignal, report.data),
    deps.outboxMaxRetrySeconds,
    deps.metrics,
  );
  try {
    const activityDeps: ActivityDependencies = {
      store: createEventStore(dataSource),
      vault: new CredentialVault(dataSource, config.vaultKeys),
      storage: deps.storage ?? storageRegistry(config),
      outbox: new Outbox(dataSource, config.mail.from, () => dispatcher.wake()),
      client,
      exportRoot: config.storage.exportRoot,
      processorDpoEmail: config.processor.dpoEmail,
      accountManagementEmail: config.processor.accountManagementEmail,
      links: config.links,
      dataSource,
      metrics: deps.metrics,
    };
    const taskQueue = deps.taskQueue ?? config.temporal.taskQueue;
    const follow = followers({ client, dataSource, taskQueue, followers: { period: config.contactChecks.period }, warn: (message, attributes) => logger.warn(attributes, message) });
    const activities = { ...createActivities(activityDeps, follow.tell), ...incidentActivities(activityDeps), ...dpoActivities(activityDeps), ...subProcessorActivities(activityDeps), ...follow.activities };
    const worker = await Worker.create({
      connection,
      namespace,
      taskQueue,
      workflowBundle: deps.workflowBundle ?? (await bundleWorkflows(logger)),
      activities,
      dataConverter: dataConverter(config),
      shutdownGraceTime: config.worker.shutdownGraceMs,
      maxCachedWorkflows: config.worker.maxCachedWorkflows,
      // A worker killed with workflows cached: their next tasks leave its sticky queue for the shared one
      // after 5 s (10 s by default). A live but slow worker only loses its cache (a replay), never a task.
      stickyQueueScheduleToStartTimeout: '5 seconds',
    });
    dispatcher.start();
    // DESIGN §9: events out, to the endpoints subscribed.
    const deliverer = new WebhookDeliverer(dataSource, logger, {
      vaultKeys: config.vaultKeys,
      policy: targetPolicyOf(config),
      retryForMs: config.webhooks.retryForMs,
      dpoEmail: config.processor.dpoEmail,
      mailFrom: config.mail.from,
      emailed: () => dispatcher.wake(),
    });
    deliverer.start();
    return {
      worker,
      dataSource,
      dispatcher,
      backfillFollowers: follow.backfill,
      close: async () => {
        await deliverer.stop();
        await dispatcher.stop();
        await dataSource.destroy();
      },
    };
  } catch (e) {
    await dataSource.destroy();
    throw e;
  }
}
