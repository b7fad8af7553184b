import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { contractWorkflowId, orderUpdate, type Actor, type EngineSettings, type OrderInput, type OrderResult } from './messages';

/**
 * L1 in one call: starts the contract's workflow (or finds it running) and sends it the order,
 * answering with the stored state (update-with-start). A closed workflow's id is never reused: a
 * destroyed contract's reference never starts a second contract.
 */
export function orderContract(client: Client, options: { taskQueue: string; settings: EngineSettings; order: OrderInput['order']; actor: Actor }): Promise<OrderResult> {
  const { contractId } = options.order;
  return client.workflow.executeUpdateWithStart(orderUpdate, {
    args: [{ order: options.order, actor: options.actor }],
    startWorkflowOperation: new WithStartWorkflowOperation('contractWorkflow', {
      workflowId: contractWorkflowId(contractId),
      taskQueue: options.taskQueue,
      args: [{ contractId, settings: options.settings }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    }),
  });
}
