import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { waitFor } from '../dev/processes';
import { namespaceReady } from '../dev/services';

/**
 * The frontend knows a new namespace at once, the history service only once its namespace cache
 * refreshes (about a second later): until then starting a workflow fails with NamespaceNotFound.
 * Asking history about a workflow that does not exist tells which: "workflow not found" means ready.
 */
async function historyKnows(address: string, namespace: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await connection.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId: 'dpa-readiness-probe' } });
    return true;
  } catch (e) {
    const message = e instanceof Error ? e.message : '';
    return (e as { code?: number }).code === 5 && !/namespace/i.test(message);
  } finally {
    await connection.close();
  }
}

/**
 * Registers the namespace through the frontend's own API unless it exists, retried while the
 * cluster forms (a new Temporal cluster has none). Retention: 72 hours of closed workflows.
 */
export async function registerNamespace(address: string, namespace: string, exited?: Promise<unknown>, timeoutMs = 180_000): Promise<void> {
  await waitFor(
    `namespace ${namespace}`,
    async () => {
      if ((await namespaceReady(address, namespace).catch(() => false)) && (await historyKnows(address, namespace))) return true;
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('72h') }).catch(() => undefined);
      } finally {
        await connection.close();
      }
      return (await namespaceReady(address, namespace).catch(() => false)) && (await historyKnows(address, namespace));
    },
    { timeoutMs, intervalMs: 1_000, exited },
  );
}

/** `node dist/libs/infra/src/temporal/namespace.js` (docker compose's temporal-namespace): TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE. */
if (require.main === module) {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  registerNamespace(address, namespace, undefined, 300_000)
    .then(() => console.log(`namespace ${namespace} ready on ${address}`))
    .catch((e: unknown) => {
      console.error(`temporal-namespace: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    });
}
