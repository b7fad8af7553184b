import { Inject, Injectable } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import { decide, initialState, orderKey, type ContractCommand, type OrderContract } from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import { orderContract } from '#infra/temporal/contract-client';
import {
  acceptRenewalUpdate,
  cancelUpdate,
  contractWorkflowId,
  handOverCredentialsUpdate,
  noticeNonRenewalUpdate,
  rejectRenewalUpdate,
  requestDataExportUpdate,
  terminateUpdate,
  withdrawRenewalUpdate,
  type ContractSnapshot,
} from '#infra/temporal/messages';
import { readCurrentDpo } from '#infra/event-store/processor-dpo-projection';
import { CredentialVault } from '#infra/vault/credential-vault';
import { ApiError } from '../common/api-error';
import { domainRefusal, temporalUnavailable } from '../common/domain-errors';
import { type IdempotencyScope } from '../common/idempotency.middleware';
import { actorOf, FileCommands, ID_NAMESPACE, newId, unrecorded, type Who } from '../kit/file-commands';
import { ContractQueries } from './contract-queries.service';
import { type OrderContractDto } from './dto/order-contract.dto';
import { type AcceptRenewalDto, type HandOverCredentialsDto } from './dto/commands.dto';

/**
 * Translates each API command into an update of the contract's workflow (DESIGN §6) and nothing
 * else: the domain decides, in the workflow, which owns the contract's stream for its whole life.
 * Once that workflow has finished (the data is destroyed), the same domain answers over the stored
 * state.
 */
@Injectable()
export class ContractCommands {
  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(CredentialVault) private readonly vault: CredentialVault,
    @Inject(ContractQueries) private readonly queries: ContractQueries,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  async order(body: OrderContractDto, principal: Principal, scope: IdempotencyScope | null): Promise<{ created: boolean; snapshot: ContractSnapshot }> {
    const c = body.controller;
    const controller = { customerId: c.customerId ?? null, name: c.name, email: c.email, address: c.address ?? null, dpoEmail: c.dpoEmail ?? null };
    const contractId = body.reference ? uuidv5(orderKey(controller, body.reference), ID_NAMESPACE) : newId(scope, 'contract');
    const order: OrderContract['data'] = {
      contractId,
      reference: body.reference ?? null,
      controller,
      billingPeriod: body.billingPeriod,
      catalog: body.catalog ?? null,
      returnWindow: body.returnWindow ?? null,
      renewalGracePeriod: body.renewalGracePeriod ?? null,
      orderedAt: new Date().toISOString(),
    };
    // Refuse a bad order here, before a workflow exists for it; the workflow decides again.
    this.refuseLocally({ type: 'OrderContract', data: order }, initialState());
    await this.files.workerPresent();
    try {
      const { created, ...snapshot } = await orderContract(this.files.temporal, {
        taskQueue: this.files.config.temporal.taskQueue,
        settings: { escalationMargin: this.files.config.destruction.escalationMargin },
        order,
        actor: actorOf(principal),
      });
      return { created, snapshot };
    } catch (e) {
      throw domainRefusal(e) ?? (e instanceof WorkflowExecutionAlreadyStartedError ? this.closed(contractId, { type: 'OrderContract', data: order }) : (unrecorded(e) ?? temporalUnavailable(e) ?? e));
    }
  }

  async handOver(contractId: string, body: HandOverCredentialsDto, principal: Principal, scope: IdempotencyScope | null): Promise<ContractSnapshot> {
    const current = await this.queries.found(contractId);
    const credentialId = newId(scope, 'credential');
    // P12: the processor's DPO as it stands now goes with the hand-over; the first one communicates it.
    const c = this.files.config.processor;
    const dpo = await readCurrentDpo(this.dataSource, { name: c.dpoName, email: c.dpoEmail, phone: c.dpoPhone });
    const command: ContractCommand = { type: 'HandOverCredentials', data: { credentialId, kind: body.kind, host: body.host, handedOverAt: new Date().toISOString(), dpo } };
    // Checked before sealing: a refused hand-over leaves no key and no sealed secret behind.
    this.refuseLocally(command, current.state);
    await this.files.workerPresent();
    // Sealed and stored here: the secret never reaches Temporal, not even sealed (L2, P3).
    const sealed = await this.vault.seal(contractId, credentialId, { username: body.username, secret: body.secret }).catch((e: unknown) => {
      if ((e as { code?: string }).code === 'vault.shredded') throw new ApiError(409, 'contract.ended', 'The contract has ended: its credentials were destroyed.');
      throw e;
    });
    await this.vault.store(contractId, credentialId, body.kind, body.host, sealed);
    try {
      return await this.send(contractId, command, (h) => h.executeUpdate(handOverCredentialsUpdate, { args: [{ credentialId, kind: body.kind, host: body.host, actor: actorOf(principal), dpo }] }));
    } catch (e) {
      // Refused by the workflow after all (a command raced this one): the trail never names it.
      if (e instanceof ApiError && e.status < 500 && !(await this.handedOver(contractId, credentialId))) await this.vault.discard(contractId, credentialId);
      throw e;
    }
  }

  /**
   * L3: an invoice belongs to one contract. The first contract an invoice id is sent for claims it
   * (one row, race-free); an acceptance of the same invoice for another contract is refused.
   */
  private async claimInvoice(contractId: string, invoiceId: string): Promise<boolean> {
    await this.queries.found(contractId);
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO invoice_claims (invoice_id, contract_id) VALUES ($1, $2) ON CONFLICT (invoice_id) DO NOTHING RETURNING invoice_id`,
      [invoiceId, contractId],
    );
    // Read after the insert (its own statement): a claim another request committed meanwhile is seen.
    const [claim] = (await this.dataSource.query(`SELECT contract_id FROM invoice_claims WHERE invoice_id = $1`, [invoiceId])) as { contract_id: string }[];
    if (claim && claim.contract_id !== contractId) {
      throw new ApiError(422, 'renewal.invoice_of_another_contract', 'This invoice was sent for another contract: an invoice renews one contract only.');
    }
    return inserted.length > 0;
  }

  /** True when the contract's trail records this credential (a retried hand-over under the same key). */
  private async handedOver(contractId: string, credentialId: string): Promise<boolean> {
    const snapshot = await this.queries.snapshot(contractId);
    return snapshot !== null && snapshot.state.status !== 'none' && snapshot.state.credentials.some((c) => c.credentialId === credentialId);
  }

  async acceptRenewal(contractId: string, body: AcceptRenewalDto, principal: Principal): Promise<ContractSnapshot> {
    const claimed = await this.claimInvoice(contractId, body.invoiceId);
    const data = { invoiceId: body.invoiceId, coveredPeriod: { start: body.coveredPeriod.start, end: body.coveredPeriod.end }, acceptedAt: body.acceptedAt };
    try {
      return await this.send(contractId, { type: 'AcceptRenewal', data: { ...data, receivedAt: new Date().toISOString() } }, (h) =>
        h.executeUpdate(acceptRenewalUpdate, { args: [{ ...data, actor: actorOf(principal) }] }),
      );
    } catch (e) {
      // Refused, or never sent: the invoice is not this contract's after all. (A timeout keeps the
      // claim: the acceptance may still be recorded.)
      if (claimed && e instanceof ApiError && (e.status < 500 || e.code === 'temporal.no_worker')) {
        await this.dataSource.query(`DELETE FROM invoice_claims WHERE invoice_id = $1 AND contract_id = $2`, [body.invoiceId, contractId]);
      }
      throw e;
    }
  }

  rejectRenewal(contractId: string, invoiceId: string, reason: string | null, principal: Principal): Promise<ContractSnapshot> {
    return this.send(contractId, { type: 'RejectRenewal', data: { invoiceId, reason, rejectedAt: new Date().toISOString() } }, (h) =>
      h.executeUpdate(rejectRenewalUpdate, { args: [{ invoiceId, reason, actor: actorOf(principal) }] }),
    );
  }

  withdrawRenewal(contractId: string, invoiceId: string, reason: string | null, principal: Principal): Promise<ContractSnapshot> {
    return this.send(contractId, { type: 'WithdrawRenewal', data: { invoiceId, reason, withdrawnAt: new Date().toISOString() } }, (h) =>
      h.executeUpdate(withdrawRenewalUpdate, { args: [{ invoiceId, reason, actor: actorOf(principal) }] }),
    );
  }

  noticeNonRenewal(contractId: string, reason: string | null, principal: Principal): Promise<ContractSnapshot> {
    return this.send(contractId, { type: 'NoticeNonRenewal', data: { reason, noticedAt: new Date().toISOString() } }, (h) =>
      h.executeUpdate(noticeNonRenewalUpdate, { args: [{ reason, actor: actorOf(principal) }] }),
    );
  }

  terminate(contractId: string, reason: string, principal: Principal): Promise<ContractSnapshot> {
    return this.send(contractId, { type: 'TerminateContract', data: { reason, terminatedAt: new Date().toISOString() } }, (h) =>
      h.executeUpdate(terminateUpdate, { args: [{ reason, actor: actorOf(principal) }] }),
    );
  }

  cancel(contractId: string, reason: string, principal: Principal): Promise<ContractSnapshot> {
    return this.send(contractId, { type: 'CancelContract', data: { reason, cancelledAt: new Date().toISOString() } }, (h) =>
      h.executeUpdate(cancelUpdate, { args: [{ reason, actor: actorOf(principal) }] }),
    );
  }

  /** L9: answered by the contract's workflow with the domain's rules, in the return window or after it. */
  requestDataExport(contractId: string, principal: Who, scope: IdempotencyScope | null): Promise<ContractSnapshot> {
    const requestId = newId(scope, 'export');
    return this.send(contractId, { type: 'RequestDataExport', data: { requestId, requestedAt: new Date().toISOString() } }, (h) =>
      h.executeUpdate(requestDataExportUpdate, { args: [{ requestId, actor: actorOf(principal) }] }),
    );
  }

  /**
   * To the one workflow that owns the contract's stream. No workflow (never ordered, or finished
   * after destruction) reads the stored state: 404, or the domain's answer over it.
   */
  private send(contractId: string, command: ContractCommand, call: (h: WorkflowHandle) => Promise<ContractSnapshot>): Promise<ContractSnapshot> {
    return this.files.send(contractWorkflowId(contractId), call, async () => {
      throw await this.closed(contractId, command);
    });
  }

  /** The workflow finished with the contract's data destroyed (L12): the domain's refusal over the stored state. */
  private async closed(contractId: string, command: ContractCommand): Promise<ApiError> {
    const stored = await this.queries.found(contractId);
    this.refuseLocally(command, stored.state);
    return new ApiError(409, 'contract.closed', 'This contract no longer accepts commands.');
  }

  private refuseLocally(command: ContractCommand, state: ContractSnapshot['state']): void {
    this.files.refuseLocally(decide, command, state);
  }
}
