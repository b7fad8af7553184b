import { Inject, Injectable } from '@nestjs/common';
import { type WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { subjectRequestStream, toSubjectRequestView, type SubjectRequestCommand, type SubjectRequestState, type SubjectRequestView } from '../../../../libs/domain/src';
import { type Principal } from '../../../../libs/infra/src/auth/api-keys';
import {
  completeSubjectRequestUpdate,
  extendSubjectRequestUpdate,
  openSubjectRequestUpdate,
  subjectRequestWorkflowId,
  type SubjectRequestSnapshot,
  type SubjectRequestWorkflowInput,
} from '../../../../libs/infra/src/temporal/messages';
import { ApiError } from '../common/api-error';
import { type IdempotencyScope } from '../common/idempotency.middleware';
import { ContractQueries } from '../contracts/contract-queries.service';
import { actorOf, contractFor, FileCommands, newId, partiesOf } from '../kit/file-commands';
import { contractFilesPage } from '../kit/file-pages';
import { type CompleteSubjectRequestDto, type ExtendSubjectRequestDto, type ListSubjectRequestsQuery, type OpenSubjectRequestDto } from './subject-requests.dto';

const now = () => new Date().toISOString();

/** DESIGN §3.2: the commands of a data-subject request file, each an update of the file's own workflow. */
@Injectable()
export class SubjectRequests {
  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(ContractQueries) private readonly contracts: ContractQueries,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  async open(contractId: string, body: OpenSubjectRequestDto, principal: Principal, scope: IdempotencyScope | null): Promise<{ created: boolean; view: SubjectRequestView }> {
    const contract = await contractFor(this.contracts, contractId);
    // The contract is part of the name: one key reused under another contract is another request.
    const requestId = newId(scope, `subject-request\n${contractId}`);
    const open = {
      requestId,
      contractId,
      requestType: body.type,
      receivedAt: body.receivedAt,
      receivedBy: body.receivedBy,
      reference: body.reference,
      assistanceMargin: this.files.config.subjectRequests.assistanceMargin,
      contractOrderedAt: contract.orderedAt,
    };
    this.files.refuseLocally(subjectRequestStream.decide, { type: 'OpenSubjectRequest', data: { ...open, openedAt: now() } } as SubjectRequestCommand, subjectRequestStream.initialState());
    const input: SubjectRequestWorkflowInput = { requestId, parties: partiesOf(contract) };
    const opened = await this.files.open({ workflowType: 'subjectRequestWorkflow', workflowId: subjectRequestWorkflowId(requestId), input, update: openSubjectRequestUpdate, args: { open, actor: actorOf(principal) } });
    // Its workflow has finished (the request is completed): a retry gets the stored file.
    if (!opened) return { created: false, view: await this.found(contractId, requestId) };
    return { created: opened.created, view: toSubjectRequestView(opened.state, now()) };
  }

  async extend(contractId: string, requestId: string, body: ExtendSubjectRequestDto, principal: Principal): Promise<SubjectRequestView> {
    await this.found(contractId, requestId);
    const command: SubjectRequestCommand = { type: 'ExtendSubjectRequest', data: { months: body.months, reason: body.reason, extendedAt: now() } };
    return this.send(requestId, command, (h) => h.executeUpdate(extendSubjectRequestUpdate, { args: [{ months: body.months, reason: body.reason, actor: actorOf(principal) }] }));
  }

  async complete(contractId: string, requestId: string, body: CompleteSubjectRequestDto, principal: Principal): Promise<SubjectRequestView> {
    await this.found(contractId, requestId);
    const reason = body.reason ?? null;
    const command: SubjectRequestCommand = { type: 'CompleteSubjectRequest', data: { outcome: body.outcome, reason, completedAt: now() } };
    return this.send(requestId, command, (h) => h.executeUpdate(completeSubjectRequestUpdate, { args: [{ outcome: body.outcome, reason, actor: actorOf(principal) }] }));
  }

  private send(requestId: string, command: SubjectRequestCommand, call: (h: WorkflowHandle) => Promise<SubjectRequestSnapshot>): Promise<SubjectRequestView> {
    return this.files.send(
      subjectRequestWorkflowId(requestId),
      async (h) => toSubjectRequestView((await call(h)).state, now()),
      async () => {
        // The workflow finished: the request is completed. The domain answers over the stored state:
        // a refusal, or — for a retried completion — nothing new, and the stored file.
        const stored = await this.stored(requestId);
        if (!stored) throw new ApiError(404, 'not_found', 'No such subject request for this contract.');
        this.files.refuseLocally(subjectRequestStream.decide, command, stored.state);
        return toSubjectRequestView(stored.state, now());
      },
    );
  }

  private async stored(requestId: string): Promise<{ state: SubjectRequestState; contractId: string } | null> {
    const [row] = (await this.dataSource.query(`SELECT state, contract_id FROM subject_requests WHERE id = $1`, [requestId])) as { state: SubjectRequestState; contract_id: string }[];
    return row ? { state: row.state, contractId: row.contract_id } : null;
  }

  /** The request as its read model holds it, or 404 (also when it belongs to another contract). */
  async found(contractId: string, requestId: string): Promise<SubjectRequestView> {
    const stored = await this.stored(requestId);
    if (!stored || stored.contractId !== contractId) throw new ApiError(404, 'not_found', 'No such subject request for this contract.');
    return toSubjectRequestView(stored.state, now());
  }

  async list(contractId: string, query: ListSubjectRequestsQuery): Promise<{ items: SubjectRequestView[]; nextCursor: string | null }> {
    await this.contracts.found(contractId);
    const at = now();
    return contractFilesPage(this.dataSource, 'subject_requests', contractId, query, (state: SubjectRequestState) => toSubjectRequestView(state, at));
  }
}
