// The staff roster (DESIGN §3.4), each person a file and a workflow of their own, and their authorisations on contracts: their commands through Temporal and their reads from the read models.
import { Inject, Injectable } from '@nestjs/common';
import { type WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { authorisationsOn, staffStream, toStaffView, type AuthorisedPersonView, type StaffCommand, type StaffState, type StaffView } from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import {
  authorisePersonUpdate,
  recordTrainingUpdate,
  registerStaffUpdate,
  revokeAuthorisationUpdate,
  signConfidentialityUpdate,
  staffWorkflowId,
  type StaffSnapshot,
  type StaffWorkflowInput,
} from '#infra/temporal/messages';
import { ApiError } from '../common/api-error';
import { type IdempotencyScope } from '../common/idempotency.middleware';
import { type PageQuery } from '../common/pagination';
import { ContractQueries } from '../contracts/contract-queries.service';
import { actorOf, contractFor, FileCommands, newId } from '../kit/file-commands';
import { filesPage } from '../kit/file-pages';
import { type AuthorisePersonDto, type RecordTrainingDto, type RegisterStaffDto, type SignConfidentialityDto } from './dto/staff.dto';

const now = () => new Date().toISOString();

const NOT_FOUND = 'No such person on the roster.';

/** DESIGN §3.4: the processor's roster, each person a file and a workflow of their own, their authorisations on contracts in it. */
@Injectable()
export class Roster {
  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(ContractQueries) private readonly contracts: ContractQueries,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  async register(body: RegisterStaffDto, principal: Principal, scope: IdempotencyScope | null): Promise<{ created: boolean; view: StaffView }> {
    const staffId = newId(scope, 'staff');
    this.files.refuseLocally(staffStream.decide, { type: 'RegisterStaff', data: { staffId, name: body.name, email: body.email, recordedAt: now() } } as StaffCommand, staffStream.initialState());
    const input: StaffWorkflowInput = { staffId };
    const opened = await this.files.open({ workflowType: 'staffWorkflow', workflowId: staffWorkflowId(staffId), input, update: registerStaffUpdate, args: { name: body.name, email: body.email, actor: actorOf(principal) } });
    if (!opened) return { created: false, view: await this.found(staffId) };
    return { created: opened.created, view: toStaffView(opened.state, now()) };
  }

  private async stored(id: string): Promise<StaffState | null> {
    const [row] = (await this.dataSource.query(`SELECT state FROM staff WHERE id = $1`, [id])) as { state: StaffState }[];
    return row?.state ?? null;
  }

  async found(id: string): Promise<StaffView> {
    const state = await this.stored(id);
    if (!state) throw new ApiError(404, 'not_found', NOT_FOUND);
    return toStaffView(state, now());
  }

  list(query: PageQuery) {
    const at = now();
    return filesPage(this.dataSource, 'staff', { where: 'true', params: [] }, query, (s: StaffState) => toStaffView(s, at));
  }

  private async send(id: string, command: StaffCommand, call: (h: WorkflowHandle) => Promise<StaffSnapshot>): Promise<StaffState> {
    await this.found(id);
    return this.files.send(
      staffWorkflowId(id),
      async (h) => (await call(h)).state,
      async () => {
        // A person's workflow runs as long as they are on the roster; ended by hand, the domain answers over the stored state.
        const state = (await this.stored(id))!;
        this.files.refuseLocally(staffStream.decide, command, state);
        return state;
      },
    );
  }

  async sign(id: string, body: SignConfidentialityDto, p: Principal): Promise<StaffView> {
    const state = await this.send(id, { type: 'SignConfidentiality', data: { signedAt: body.signedAt, recordedAt: now() } }, (h) => h.executeUpdate(signConfidentialityUpdate, { args: [{ signedAt: body.signedAt, actor: actorOf(p) }] }));
    return toStaffView(state, now());
  }

  async train(id: string, body: RecordTrainingDto, p: Principal): Promise<StaffView> {
    const args = { completedAt: body.completedAt, course: body.course, validFor: body.validFor ?? null };
    const state = await this.send(id, { type: 'RecordTraining', data: { ...args, recordedAt: now() } }, (h) => h.executeUpdate(recordTrainingUpdate, { args: [{ ...args, actor: actorOf(p) }] }));
    return toStaffView(state, now());
  }

  /** The person's latest authorisation on the contract, as the contract's list shows it. */
  private latest(contractId: string, state: StaffState): AuthorisedPersonView {
    const views = authorisationsOn(state, contractId, now());
    return views[views.length - 1]!;
  }

  async authorise(contractId: string, body: AuthorisePersonDto, p: Principal): Promise<AuthorisedPersonView> {
    const contract = await contractFor(this.contracts, contractId);
    if (contract.status === 'destroyed' || contract.status === 'cancelled') {
      throw new ApiError(409, 'roster.contract_closed', `The contract is ${contract.status}: nobody is authorised on it any more.`, { status: contract.status });
    }
    const staffId = body.staffId.toLowerCase();
    const state = await this.send(staffId, { type: 'AuthorisePerson', data: { contractId, recordedAt: now() } }, (h) => h.executeUpdate(authorisePersonUpdate, { args: [{ contractId, actor: actorOf(p) }] }));
    return this.latest(contractId, state);
  }

  async revoke(contractId: string, staffId: string, p: Principal): Promise<AuthorisedPersonView> {
    await this.contracts.found(contractId);
    const state = await this.send(staffId, { type: 'RevokeAuthorisation', data: { contractId, recordedAt: now() } }, (h) => h.executeUpdate(revokeAuthorisationUpdate, { args: [{ contractId, actor: actorOf(p) }] }));
    return this.latest(contractId, state);
  }

  /** Everyone who is or was authorised on the contract: the GIN index on the roster's assignments finds them. */
  async authorised(contractId: string, query: PageQuery) {
    await this.contracts.found(contractId);
    const at = now();
    const page = await filesPage(this.dataSource, 'staff', { where: `state->'assignments' @> $1::jsonb`, params: [JSON.stringify([{ contractId }])] }, query, (s: StaffState) => authorisationsOn(s, contractId, at));
    return { items: page.items.flat(), nextCursor: page.nextCursor };
  }
}
