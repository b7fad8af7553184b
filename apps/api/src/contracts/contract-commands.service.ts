import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { v5 as uuidv5 } from 'uuid';
import { decide, initialState, type ContractCommand, type OrderContract } from '../../../../libs/domain/src';
import { type Principal } from '../../../../libs/infra/src/auth/api-keys';
import { type AppConfig } from '../../../../libs/infra/src/config/config';
import {
  acceptRenewalUpdate,
  cancelUpdate,
  contractWorkflowId,
  destructionWorkflowId,
  handOverCredentialsUpdate,
  noticeNonRenewalUpdate,
  rejectRenewalUpdate,
  requestDataExportUpdate,
  snapshotUpdate,
  terminateUpdate,
  withdrawRenewalUpdate,
  type Actor,
  type ContractSnapshot,
  type ContractWorkflowInput,
} from '../../../../libs/infra/src/temporal/messages';
import { CredentialVault } from '../../../../libs/infra/src/vault/credential-vault';
import { ApiError } from '../common/api-error';
import { domainRefusal, isHandedOff, isWorkflowGone, temporalUnavailable } from '../common/domain-errors';
import { type IdempotencyScope } from '../common/idempotency.middleware';
import { APP_CONFIG } from '../config/config.module';
import { ContractQueries } from './contract-queries.service';
import { type OrderContractDto } from './dto/order-contract.dto';
import { type AcceptRenewalDto, type HandOverCredentialsDto } from './dto/commands.dto';

/** Contract ids derived from a client's reference: the same reference is the same contract. */
const REFERENCE_NAMESPACE = '6f1c4f4e-2d4b-5a54-9c33-7724d9a00001';

const actorOf = (p: Principal): Actor => ({ role: p.role, keyId: p.keyId });

/**
 * A new id, or — under an Idempotency-Key — the same id for every retry of the request, so a
 * retry after a crash cannot create a second contract, credential or export request.
 */
const newId = (scope: IdempotencyScope | null, kind: string): string => (scope ? uuidv5(`${kind}\n${scope.apiKeyId}\n${scope.key}`, REFERENCE_NAMESPACE) : randomUUID());

/**
 * Translates each API command into a workflow start or update (DESIGN §6) and nothing else: the
 * domain decides, in the workflow. When a contract's workflow has finished, the refusal comes from
 * the same domain over the stored state.
 */
@Injectable()
export class ContractCommands {
  constructor(
    @Inject(Client) private readonly temporal: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CredentialVault) private readonly vault: CredentialVault,
    @Inject(ContractQueries) private readonly queries: ContractQueries,
  ) {}

  async order(body: OrderContractDto, principal: Principal, scope: IdempotencyScope | null): Promise<{ created: boolean; snapshot: ContractSnapshot }> {
    const contractId = body.reference ? uuidv5(body.reference, REFERENCE_NAMESPACE) : newId(scope, 'contract');
    const order: OrderContract['data'] = {
      contractId,
      reference: body.reference ?? null,
      controller: { name: body.controller.name, email: body.controller.email, address: body.controller.address ?? null, dpoEmail: body.controller.dpoEmail ?? null },
      billingPeriod: body.billingPeriod,
      catalog: body.catalog ?? null,
      returnWindow: body.returnWindow ?? null,
      renewalGracePeriod: body.renewalGracePeriod ?? null,
      orderedAt: new Date().toISOString(),
    };
    // Refuse a bad order here, before a workflow exists for it; the workflow decides again.
    this.refuseLocally({ type: 'OrderContract', data: order }, initialState());
    const input: ContractWorkflowInput = { contractId, order, actor: actorOf(principal), settings: { escalationMargin: this.config.destruction.escalationMargin } };
    let created = true;
    try {
      await this.temporal.workflow.start('contractWorkflow', {
        workflowId: contractWorkflowId(contractId),
        taskQueue: this.config.temporal.taskQueue,
        args: [input],
        // A destroyed contract's id stays taken: its reference never starts a second contract.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw temporalUnavailable(e) ?? e;
      created = false;
    }
    const snapshot = await this.send(contractId, [contractWorkflowId(contractId), destructionWorkflowId(contractId)], (h) => h.executeUpdate(snapshotUpdate), null);
    // The same reference from another controller is someone else's contract: never answer with it.
    if (!created && snapshot.state.status !== 'none' && snapshot.state.controller.email.toLowerCase() !== order.controller.email.toLowerCase()) {
      throw new ApiError(409, 'contract.reference_taken', 'This reference belongs to another controller\'s contract.');
    }
    return { created, snapshot };
  }

  async handOver(contractId: string, body: HandOverCredentialsDto, principal: Principal, scope: IdempotencyScope | null): Promise<ContractSnapshot> {
    const current = await this.queries.found(contractId);
    const credentialId = newId(scope, 'credential');
    const command: ContractCommand = { type: 'HandOverCredentials', data: { credentialId, kind: body.kind, host: body.host, handedOverAt: new Date().toISOString() } };
    // Checked before sealing: a refused hand-over leaves no key and no sealed secret behind.
    this.refuseLocally(command, current.state);
    const sealed = await this.vault.seal(contractId, credentialId, { username: body.username, secret: body.secret }).catch((e: unknown) => {
      if ((e as { code?: string }).code === 'vault.shredded') throw new ApiError(409, 'contract.ended', 'The contract has ended: its credentials were destroyed.');
      throw e;
    });
    return this.toContract(contractId, command, (h) =>
      h.executeUpdate(handOverCredentialsUpdate, { args: [{ credentialId, kind: body.kind, host: body.host, sealed, actor: actorOf(principal) }] }),
    );
  }

  acceptRenewal(contractId: string, body: AcceptRenewalDto, principal: Principal): Promise<ContractSnapshot> {
    const data = { invoiceId: body.invoiceId, coveredPeriod: { start: body.coveredPeriod.start, end: body.coveredPeriod.end }, acceptedAt: body.acceptedAt };
    return this.toContract(contractId, { type: 'AcceptRenewal', data }, (h) => h.executeUpdate(acceptRenewalUpdate, { args: [{ ...data, actor: actorOf(principal) }] }));
  }

  rejectRenewal(contractId: string, invoiceId: string, reason: string | null, principal: Principal): Promise<ContractSnapshot> {
    return this.toContract(contractId, { type: 'RejectRenewal', data: { invoiceId, reason, rejectedAt: new Date().toISOString() } }, (h) =>
      h.executeUpdate(rejectRenewalUpdate, { args: [{ invoiceId, reason, actor: actorOf(principal) }] }),
    );
  }

  withdrawRenewal(contractId: string, invoiceId: string, reason: string | null, principal: Principal): Promise<ContractSnapshot> {
    return this.toContract(contractId, { type: 'WithdrawRenewal', data: { invoiceId, reason, withdrawnAt: new Date().toISOString() } }, (h) =>
      h.executeUpdate(withdrawRenewalUpdate, { args: [{ invoiceId, reason, actor: actorOf(principal) }] }),
    );
  }

  noticeNonRenewal(contractId: string, reason: string | null, principal: Principal): Promise<ContractSnapshot> {
    return this.toContract(contractId, { type: 'NoticeNonRenewal', data: { reason, noticedAt: new Date().toISOString() } }, (h) =>
      h.executeUpdate(noticeNonRenewalUpdate, { args: [{ reason, actor: actorOf(principal) }] }),
    );
  }

  terminate(contractId: string, reason: string, principal: Principal): Promise<ContractSnapshot> {
    return this.toContract(contractId, { type: 'TerminateContract', data: { reason, terminatedAt: new Date().toISOString() } }, (h) =>
      h.executeUpdate(terminateUpdate, { args: [{ reason, actor: actorOf(principal) }] }),
    );
  }

  cancel(contractId: string, reason: string, principal: Principal): Promise<ContractSnapshot> {
    return this.toContract(contractId, { type: 'CancelContract', data: { reason, cancelledAt: new Date().toISOString() } }, (h) =>
      h.executeUpdate(cancelUpdate, { args: [{ reason, actor: actorOf(principal) }] }),
    );
  }

  /** L9: goes to the destruction workflow, which owns the contract once processing has ended. */
  async requestDataExport(contractId: string, principal: Principal, scope: IdempotencyScope | null): Promise<ContractSnapshot> {
    await this.queries.found(contractId);
    const requestId = newId(scope, 'export');
    return this.send(contractId, [destructionWorkflowId(contractId)], (h) => h.executeUpdate(requestDataExportUpdate, { args: [{ requestId, actor: actorOf(principal) }] }), {
      type: 'RequestDataExport',
      data: { requestId, requestedAt: new Date().toISOString() },
    });
  }

  /** Contract commands go to whichever workflow holds the stream: the contract's, then after its end the destruction's. */
  private async toContract(contractId: string, command: ContractCommand, call: (h: WorkflowHandle) => Promise<ContractSnapshot>): Promise<ContractSnapshot> {
    await this.queries.found(contractId);
    return this.send(contractId, [contractWorkflowId(contractId), destructionWorkflowId(contractId)], call, command);
  }

  private async send(contractId: string, workflowIds: string[], call: (h: WorkflowHandle) => Promise<ContractSnapshot>, command: ContractCommand | null): Promise<ContractSnapshot> {
    // The stream passes from one workflow to the next in a few milliseconds; a command that lands
    // in between is sent again shortly.
    for (let attempt = 0; ; attempt++) {
      for (const workflowId of workflowIds) {
        try {
          return await call(this.temporal.workflow.getHandle(workflowId));
        } catch (e) {
          const refusal = domainRefusal(e);
          if (refusal) throw refusal;
          if (!isWorkflowGone(e) && !isHandedOff(e)) throw temporalUnavailable(e) ?? e;
        }
      }
      // No workflow holds the stream: the stored state is final, or about to pass to the next holder.
      const stored = await this.queries.found(contractId);
      if (!command) return stored;
      this.refuseLocally(command, stored.state);
      if (stored.state.status === 'destroyed' || attempt >= 10) {
        throw new ApiError(409, 'contract.closed', 'This contract no longer accepts commands of this kind.');
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private refuseLocally(command: ContractCommand, state: ContractSnapshot['state']): void {
    try {
      decide(command, state);
    } catch (e) {
      throw domainRefusal(e) ?? e;
    }
  }
}
