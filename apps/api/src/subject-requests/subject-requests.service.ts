import { Inject, Injectable } from '@nestjs/common';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { CANONICAL_UUID, isCalendarInstant, subjectRequestStream, toSubjectRequestView, type SubjectRequestCommand, type SubjectRequestState, type SubjectRequestView } from '../../../../libs/domain/src';
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
import { domainRefusal, temporalUnavailable } from '../common/domain-errors';
import { type IdempotencyScope } from '../common/idempotency.middleware';
import { DEFAULT_PAGE, readCursor, toPage } from '../common/pagination';
import { ContractQueries } from '../contracts/contract-queries.service';
import { actorOf, FileCommands, newId } from '../kit/file-commands';
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
    const contract = await this.contracts.found(contractId);
    if (contract.state.status === 'none') throw new ApiError(404, 'not_found', 'No such contract.');
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
      contractOrderedAt: contract.state.orderedAt,
    };
    this.files.refuseLocally(subjectRequestStream.decide, { type: 'OpenSubjectRequest', data: { ...open, openedAt: now() } } as SubjectRequestCommand, subjectRequestStream.initialState());
    await this.files.workerPresent();
    const { controller, reference } = contract.state;
    const input: SubjectRequestWorkflowInput = { requestId, parties: { controllerName: controller.name, controllerEmail: controller.email, controllerDpoEmail: controller.dpoEmail, contractReference: reference } };
    try {
      const { created, ...snapshot } = await this.files.temporal.workflow.executeUpdateWithStart(openSubjectRequestUpdate, {
        args: [{ open, actor: actorOf(principal) }],
        startWorkflowOperation: new WithStartWorkflowOperation('subjectRequestWorkflow', {
          workflowId: subjectRequestWorkflowId(requestId),
          taskQueue: this.files.config.temporal.taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      });
      return { created, view: toSubjectRequestView(snapshot.state, now()) };
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) {
        // Its workflow has finished (the request is completed): a retry gets the stored file.
        return { created: false, view: await this.found(contractId, requestId) };
      }
      throw domainRefusal(e) ?? temporalUnavailable(e) ?? e;
    }
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
    const limit = query.limit ?? DEFAULT_PAGE;
    const after = query.cursor
      ? readCursor(query.cursor, ([receivedAt, id, ...rest]) => (rest.length === 0 && isCalendarInstant(receivedAt) && typeof id === 'string' && CANONICAL_UUID.test(id) ? { receivedAt, id } : null))
      : null;
    const rows = (await this.dataSource.query(
      `SELECT id, received_at, state FROM subject_requests
       WHERE contract_id = $1 AND ($2::timestamptz IS NULL OR (received_at, id) > ($2, $3::uuid))
       ORDER BY received_at, id LIMIT $4`,
      [contractId, after?.receivedAt ?? null, after?.id ?? null, limit + 1],
    )) as { id: string; received_at: Date; state: SubjectRequestState }[];
    const at = now();
    return toPage(
      rows,
      limit,
      (r) => toSubjectRequestView(r.state, at),
      (last) => [last.received_at.toISOString(), last.id],
    );
  }
}
