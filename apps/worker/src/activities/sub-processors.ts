import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { controllerIdentity, type OrderedOrLater, type StorageLocation, type SubProcessorChange } from '#domain';
import { subProcessorNoticeId } from '#infra/ids';
import {
  changeStorageLocationsUpdate,
  contractWorkflowId,
  DOMAIN_FAILURE,
  subProcessorNoticeWorkflowId,
  type DomainFailureDetails,
  type SubProcessorNoticeWorkflowInput,
} from '#infra/temporal/messages';
import { type ActivityDependencies } from './dependencies';
import { databaseFailure } from './failures';
import { FAN_OUT_CONCURRENCY, inParallel } from './fan-out';
import { keepAlive } from './heartbeats';

/*
 * A change of sub-processor (DESIGN §3.8): a notice to every contract it affects, then, on its
 * effective date, the change itself to each contract's own workflow.
 */

/** Contracts told of a sub-processor change per page of its fan-out. */
const SUB_PROCESSOR_PAGE = 500;

/**
 * DESIGN §3.8: a sub-processor change reaches every contract it affects — an addition every contract
 * processing (ordered or active), a replacement those whose data is at the location it replaces —
 * through one notice each (its id follows from change and contract: a retried fan-out opens each once).
 */
export function subProcessorActivities(deps: ActivityDependencies) {
  return {
    async openSubProcessorNotices(input: { change: SubProcessorChange }): Promise<{ contracts: number; controllers: number; digest: string }> {
      const context = Context.current();
      const { taskQueue } = context.info;
      const { change } = input;
      const contracts: string[] = [];
      const controllers = new Set<string>();
      // Beats every few seconds whatever a page costs: a 20 s heartbeat timeout then finds a dead worker fast.
      return keepAlive(async () => {
        for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
          const rows = (await deps.dataSource
            .query(
              `SELECT id::text AS id, state FROM contracts
                WHERE id > $1::uuid AND status IN ('ordered', 'active')
                  AND ($2::text IS NULL OR state->'catalog'->'storageLocations' ? $2::text)
                ORDER BY id LIMIT $3`,
              [after, change.replaces, SUB_PROCESSOR_PAGE],
            )
            .catch(databaseFailure)) as { id: string; state: OrderedOrLater }[];
          await inParallel(rows, FAN_OUT_CONCURRENCY, async ({ id, state }) => {
            const noticeId = subProcessorNoticeId(change.changeId, id);
            const args: SubProcessorNoticeWorkflowInput = {
              noticeId,
              contractId: id,
              change,
              parties: { controllerName: state.controller.name, controllerEmail: state.controller.email, controllerDpoEmail: state.controller.dpoEmail, contractReference: state.reference },
            };
            try {
              await deps.client.workflow.start('subProcessorNoticeWorkflow', { workflowId: subProcessorNoticeWorkflowId(noticeId), taskQueue, args: [args], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
            } catch (e) {
              if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
            }
            contracts.push(id);
            controllers.add(controllerIdentity(state.controller));
          });
          context.heartbeat({ done: contracts.length });
          if (rows.length < SUB_PROCESSOR_PAGE) break;
          after = rows.at(-1)!.id;
        }
        return { contracts: contracts.length, controllers: controllers.size, digest: createHash('sha256').update([...contracts].sort().join('\n')).digest('hex') };
      });
    },

    /** The change, on its effective date, to the contract's own workflow (its only writer); a contract no longer processing keeps its data where it is. */
    async applySubProcessorChange(input: { contractId: string; changeId: string; added: StorageLocation | null; removed: string | null; dueAt: string }): Promise<{ applied: boolean; storageLocations: string[] | null; why: string | null }> {
      const { contractId, ...change } = input;
      try {
        const { state } = await deps.client.workflow.getHandle(contractWorkflowId(contractId)).executeUpdate(changeStorageLocationsUpdate, { args: [{ ...change, actor: { role: 'engine' } }] });
        const taken = state.status !== 'none' && (state.locationChanges ?? []).includes(input.changeId);
        return { applied: taken, storageLocations: state.status === 'none' ? null : [...state.catalog.storageLocations], why: taken ? null : 'contract.not_changed' };
      } catch (e) {
        // A contract whose workflow finished was destroyed: its stored state still says whether it took the change.
        if (e instanceof WorkflowNotFoundError) {
          const [row] = (await deps.dataSource.query(`SELECT state FROM contracts WHERE id = $1`, [contractId]).catch(databaseFailure)) as { state: OrderedOrLater }[];
          const taken = (row?.state.locationChanges ?? []).includes(input.changeId);
          return { applied: taken, storageLocations: taken ? [...row!.state.catalog.storageLocations] : null, why: taken ? null : 'contract.destroyed' };
        }
        const cause = e instanceof WorkflowUpdateFailedError ? e.cause : null;
        if (cause instanceof ApplicationFailure && cause.type === DOMAIN_FAILURE) {
          return { applied: false, storageLocations: null, why: (cause.details?.[0] as DomainFailureDetails | undefined)?.code ?? 'contract.refused' };
        }
        throw e;
      }
    },
  };
}

export type SubProcessorActivities = ReturnType<typeof subProcessorActivities>;
