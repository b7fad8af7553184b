import { Inject, Injectable } from '@nestjs/common';
import { type WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { instructionStream, toInstructionView, type InstructionCommand, type InstructionState, type InstructionView } from '../../../../libs/domain/src';
import { type Principal } from '../../../../libs/infra/src/auth/api-keys';
import {
  acknowledgeInstructionUpdate,
  confirmInstructionUpdate,
  documentInstructionUpdate,
  executeInstructionUpdate,
  instructionWorkflowId,
  objectToInstructionUpdate,
  withdrawInstructionUpdate,
  type InstructionSnapshot,
  type InstructionWorkflowInput,
} from '../../../../libs/infra/src/temporal/messages';
import { ApiError } from '../common/api-error';
import { type IdempotencyScope } from '../common/idempotency.middleware';
import { ContractQueries } from '../contracts/contract-queries.service';
import { actorOf, contractFor, FileCommands, newId, partiesOf } from '../kit/file-commands';
import { contractFilesPage } from '../kit/file-pages';
import { type DocumentInstructionDto, type ObjectToInstructionDto } from './instructions.dto';

const now = () => new Date().toISOString();
const NOT_FOUND = 'No such instruction for this contract.';

/** DESIGN §3.3: a contract's documented instructions, each command an update of the instruction's own workflow. */
@Injectable()
export class Instructions {
  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(ContractQueries) private readonly contracts: ContractQueries,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  async document(contractId: string, body: DocumentInstructionDto, principal: Principal, scope: IdempotencyScope | null): Promise<{ created: boolean; view: InstructionView }> {
    const contract = await contractFor(this.contracts, contractId);
    const instructionId = newId(scope, `instruction\n${contractId}`);
    const document = { instructionId, contractId, receivedAt: body.receivedAt, channel: body.channel, summary: body.summary, documentRef: body.documentRef, contractOrderedAt: contract.orderedAt };
    this.files.refuseLocally(instructionStream.decide, { type: 'DocumentInstruction', data: { ...document, documentedAt: now() } } as InstructionCommand, instructionStream.initialState());
    const input: InstructionWorkflowInput = {
      instructionId,
      parties: partiesOf(contract),
    };
    const opened = await this.files.open({ workflowType: 'instructionWorkflow', workflowId: instructionWorkflowId(instructionId), input, update: documentInstructionUpdate, args: { document, actor: actorOf(principal) } });
    // Its workflow has finished (executed or withdrawn): a retry gets the stored file.
    if (!opened) return { created: false, view: await this.found(contractId, instructionId) };
    return { created: opened.created, view: toInstructionView(opened.state) };
  }

  acknowledge(contractId: string, id: string, principal: Principal) {
    return this.send(contractId, id, { type: 'AcknowledgeInstruction', data: { acknowledgedAt: now() } }, (h) => h.executeUpdate(acknowledgeInstructionUpdate, { args: [{ actor: actorOf(principal) }] }));
  }

  execute(contractId: string, id: string, principal: Principal) {
    return this.send(contractId, id, { type: 'ExecuteInstruction', data: { executedAt: now() } }, (h) => h.executeUpdate(executeInstructionUpdate, { args: [{ actor: actorOf(principal) }] }));
  }

  object(contractId: string, id: string, body: ObjectToInstructionDto, principal: Principal) {
    return this.send(contractId, id, { type: 'ObjectToInstruction', data: { reason: body.reason, objectedAt: now() } }, (h) => h.executeUpdate(objectToInstructionUpdate, { args: [{ reason: body.reason, actor: actorOf(principal) }] }));
  }

  confirm(contractId: string, id: string, principal: Principal) {
    return this.send(contractId, id, { type: 'ConfirmInstruction', data: { confirmedAt: now() } }, (h) => h.executeUpdate(confirmInstructionUpdate, { args: [{ actor: actorOf(principal) }] }));
  }

  withdraw(contractId: string, id: string, principal: Principal) {
    return this.send(contractId, id, { type: 'WithdrawInstruction', data: { withdrawnAt: now() } }, (h) => h.executeUpdate(withdrawInstructionUpdate, { args: [{ actor: actorOf(principal) }] }));
  }

  private async send(contractId: string, id: string, command: InstructionCommand, call: (h: WorkflowHandle) => Promise<InstructionSnapshot>): Promise<InstructionView> {
    await this.found(contractId, id);
    return this.files.send(
      instructionWorkflowId(id),
      async (h) => toInstructionView((await call(h)).state),
      async () => {
        // The workflow finished (executed or withdrawn): the domain answers over the stored state.
        const state = (await this.stored(id))!.state;
        this.files.refuseLocally(instructionStream.decide, command, state);
        return toInstructionView(state);
      },
    );
  }

  private async stored(id: string): Promise<{ state: InstructionState; contractId: string } | null> {
    const [row] = (await this.dataSource.query(`SELECT state, contract_id FROM instructions WHERE id = $1`, [id])) as { state: InstructionState; contract_id: string }[];
    return row ? { state: row.state, contractId: row.contract_id } : null;
  }

  async found(contractId: string, id: string): Promise<InstructionView> {
    const stored = await this.stored(id);
    if (!stored || stored.contractId !== contractId) throw new ApiError(404, 'not_found', NOT_FOUND);
    return toInstructionView(stored.state);
  }

  async list(contractId: string, query: { limit?: number; cursor?: string }): Promise<{ items: InstructionView[]; nextCursor: string | null }> {
    await this.contracts.found(contractId);
    return contractFilesPage(this.dataSource, 'instructions', contractId, query, (state: InstructionState) => toInstructionView(state));
  }
}
