import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Client, WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { type UpdateDefinition } from '@temporalio/common';
import { v5 as uuidv5 } from 'uuid';
import { type AppConfig } from '#infra/config/config';
import { ID_NAMESPACE } from '#infra/ids';
import { WorkerPresence } from '#infra/temporal/worker-presence';
import { type Actor, type BreachNoticeParties, type Snapshot } from '#infra/temporal/messages';
import { type OrderedOrLater } from '#domain';
import { type ContractQueries } from '../contracts/contract-queries.service';
import { ApiError } from '../common/api-error';
import { domainRefusal, isWorkflowGone, temporalUnavailable } from '../common/domain-errors';
import { type IdempotencyScope } from '../common/idempotency.middleware';
import { APP_CONFIG } from '../config/config.module';

/** Ids derived from an Idempotency-Key, and from a controller's reference. */
export { ID_NAMESPACE };

/** Who sends a command: a staff principal (an API key, a browser session), or the controller from its portal. */
export type Who = Pick<Actor, 'role' | 'keyId'>;

export const actorOf = (p: Who): Actor => ({ role: p.role, keyId: p.keyId ?? null });

/** Whom a file's emails go to, and how they name the contract: from the contract the file belongs to. */
export const partiesOf = (contract: OrderedOrLater): BreachNoticeParties => ({
  controllerName: contract.controller.name,
  controllerEmail: contract.controller.email,
  controllerDpoEmail: contract.controller.dpoEmail,
  contractReference: contract.reference,
});

/** The contract a new file is opened under: 404 when there is none. */
export async function contractFor(contracts: ContractQueries, contractId: string): Promise<OrderedOrLater> {
  const { state } = await contracts.found(contractId);
  if (state.status === 'none') throw new ApiError(404, 'not_found', 'No such contract.');
  return state;
}

/**
 * A new id, or — under an Idempotency-Key — the same id for every retry of the request, so a
 * retry after a crash cannot create a second file (a contract, a credential, a request).
 */
export const newId = (scope: IdempotencyScope | null, kind: string): string => (scope ? uuidv5(`${kind}\n${scope.apiKeyId}\n${scope.key}`, ID_NAMESPACE) : randomUUID());

/** An update that failed for the engine's own reasons (not the domain's): a 503 the client may retry. */
export const unrecorded = (e: unknown): ApiError | null =>
  e instanceof WorkflowUpdateFailedError ? new ApiError(503, 'engine.unavailable', 'The engine could not record the command now; retry later (nothing was recorded).') : null;

/**
 * What every file type's API service does with its workflow (DESIGN §5: one owner per stream):
 * refuse at once while no worker polls, send the update, and turn what comes back into the API's
 * answers — a domain refusal, the file's workflow gone (finished), Temporal unavailable.
 */
@Injectable()
export class FileCommands {
  private readonly presence: WorkerPresence;

  constructor(
    @Inject(Client) readonly temporal: Client,
    @Inject(APP_CONFIG) readonly config: AppConfig,
  ) {
    this.presence = new WorkerPresence(temporal, config.temporal, config.temporal.workerStaleAfterMs);
  }

  /** 503 at once while no worker polls the task queue: the command would wait with nobody to answer. */
  async workerPresent(): Promise<void> {
    if (!(await this.presence.workerPolls())) {
      throw new ApiError(503, 'temporal.no_worker', 'No worker is running to answer commands; retry later with the same Idempotency-Key (the request changed nothing).');
    }
  }

  /**
   * An update to the workflow that owns a file; `gone` answers (or throws) once that workflow has
   * finished. An update that failed for the engine's own reasons (its store away past the
   * activity's retries) is a 503 the client may retry, never a 500.
   */
  async send<T>(workflowId: string, call: (h: WorkflowHandle) => Promise<T>, gone: () => Promise<T>): Promise<T> {
    await this.workerPresent();
    try {
      return await call(this.temporal.workflow.getHandle(workflowId));
    } catch (e) {
      const refusal = domainRefusal(e);
      if (refusal) throw refusal;
      if (isWorkflowGone(e)) return gone();
      throw unrecorded(e) ?? temporalUnavailable(e) ?? e;
    }
  }

  /**
   * Opens a file: starts its workflow and sends its first command in one call (update-with-start),
   * answered once the command is stored. Null when the file's workflow already finished (a retry
   * of a file since closed): the caller answers the stored file.
   */
  async open<S, A>(o: { workflowType: string; workflowId: string; input: unknown; update: UpdateDefinition<Snapshot<S> & { created: boolean }, [A]>; args: A }): Promise<(Snapshot<S> & { created: boolean }) | null> {
    await this.workerPresent();
    try {
      return await this.temporal.workflow.executeUpdateWithStart(o.update, {
        args: [o.args],
        startWorkflowOperation: new WithStartWorkflowOperation(o.workflowType, {
          workflowId: o.workflowId,
          taskQueue: this.config.temporal.taskQueue,
          args: [o.input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      });
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) return null;
      throw domainRefusal(e) ?? unrecorded(e) ?? temporalUnavailable(e) ?? e;
    }
  }

  /** The domain's refusal of `command` over `state`, thrown as the API's; nothing when it would go ahead. */
  refuseLocally<C, S>(decide: (command: C, state: S) => unknown, command: C, state: S): void {
    try {
      decide(command, state);
    } catch (e) {
      throw domainRefusal(e) ?? e;
    }
  }
}
