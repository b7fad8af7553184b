// The staff roster (DESIGN §3.4), each person a file of the declared type staff run by the generic file workflow, and their authorisations on contracts: their commands through Temporal and their reads from the read models.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { authorisationsOn, staffType, toStaffView, type AuthorisedPersonView, type ContractParties, type StaffState, type StaffView } from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import { FILE_WORKFLOW, fileCommandUpdate, staffWorkflowId, type FileCommandInput, type FileWorkflowInput, type Snapshot } from '#infra/temporal/messages';
import { ApiError } from '../common/api-error';
import { type IdempotencyScope } from '../common/idempotency.middleware';
import { type PageQuery } from '../common/pagination';
import { ContractQueries } from '../contracts/contract-queries.service';
import { actorOf, contractFor, FileCommands, newId } from '../kit/file-commands';
import { filesPage } from '../kit/file-pages';

const now = () => new Date().toISOString();

const NOT_FOUND = 'No such person on the roster.';

/** A person's file writes to the processor's own people only, never to a controller. */
const NO_CONTROLLER: ContractParties = { controllerName: '', controllerEmail: '', controllerDpoEmail: null, contractReference: null };

type StaffCommandName = keyof NonNullable<typeof staffType.commands>;

/**
 * DESIGN §3.4: the processor's roster, each person a file of the declared type `staff`, run by the
 * generic file workflow; their authorisations on contracts are in their file.
 */
@Injectable()
export class Roster {
  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(ContractQueries) private readonly contracts: ContractQueries,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  private spec(name: StaffCommandName) {
    return staffType.commands![name]!;
  }

  /** `body`: as the declared schema parsed it (CommandBodyPipe). */
  async register(body: unknown, principal: Principal, scope: IdempotencyScope | null): Promise<{ created: boolean; view: StaffView }> {
    const staffId = newId(scope, 'staff');
    const context = { id: staffId, contractId: null, contract: null };
    this.files.refuseLocally(staffType.stream.decide, this.spec('register').toCommand(body, { ...context, recordedAt: now() }), staffType.stream.initialState());
    const input: FileWorkflowInput = { type: staffType.name, id: staffId, parties: NO_CONTROLLER };
    const args: FileCommandInput = { command: 'register', body, context, actor: actorOf(principal) };
    const opened = await this.files.open({ workflowType: FILE_WORKFLOW, workflowId: staffWorkflowId(staffId), input, update: fileCommandUpdate, args });
    if (!opened) return { created: false, view: await this.found(staffId) };
    return { created: opened.created, view: toStaffView(opened.state as StaffState, now()) };
  }

  async stored(id: string): Promise<StaffState | null> {
    const [row] = (await this.dataSource.query(`SELECT state FROM staff WHERE id = $1`, [id])) as { state: StaffState }[];
    return row?.state ?? null;
  }

  /** How people name the contracts of `ids`: by their reference, else their controller's name. */
  async contractNames(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = (await this.dataSource.query(`SELECT id::text AS id, coalesce(reference, controller_name) AS name FROM contracts WHERE id = ANY($1::uuid[])`, [[...new Set(ids)]])) as { id: string; name: string }[];
    return new Map(rows.map((r) => [r.id, r.name]));
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

  /**
   * A command to the person's file (`contractId`: the contract an authorisation is addressed from);
   * the domain answers over the stored state if its workflow is gone.
   */
  private async send(id: string, name: StaffCommandName, body: unknown, p: Principal, contractId: string | null = null): Promise<StaffState> {
    await this.found(id);
    const context = { id, contractId, contract: null };
    const args: FileCommandInput = { command: name, body, context, actor: actorOf(p) };
    return this.files.send(
      staffWorkflowId(id),
      async (h) => ((await h.executeUpdate(fileCommandUpdate, { args: [args] })) as Snapshot<StaffState>).state,
      async () => {
        // A person's workflow runs as long as they are on the roster; ended by hand, the domain answers over the stored state.
        const state = (await this.stored(id))!;
        this.files.refuseLocally(staffType.stream.decide, this.spec(name).toCommand(body, { ...context, recordedAt: now() }), state);
        return state;
      },
    );
  }

  async sign(id: string, body: unknown, p: Principal): Promise<StaffView> {
    return toStaffView(await this.send(id, 'signConfidentiality', body, p), now());
  }

  async train(id: string, body: unknown, p: Principal): Promise<StaffView> {
    return toStaffView(await this.send(id, 'recordTraining', body, p), now());
  }

  /** The person's latest authorisation on the contract, as the contract's list shows it. */
  private latest(contractId: string, state: StaffState): AuthorisedPersonView {
    const views = authorisationsOn(state, contractId, now());
    return views[views.length - 1]!;
  }

  async authorise(contractId: string, body: { readonly staffId: string }, p: Principal): Promise<AuthorisedPersonView> {
    const contract = await contractFor(this.contracts, contractId);
    if (contract.status === 'destroyed' || contract.status === 'cancelled') {
      throw new ApiError(409, 'roster.contract_closed', `The contract is ${contract.status}: nobody is authorised on it any more.`, { status: contract.status });
    }
    const staffId = body.staffId.toLowerCase();
    return this.latest(contractId, await this.send(staffId, 'authorise', { staffId }, p, contractId));
  }

  async revoke(contractId: string, staffId: string, p: Principal): Promise<AuthorisedPersonView> {
    await this.contracts.found(contractId);
    return this.latest(contractId, await this.send(staffId, 'revoke', {}, p, contractId));
  }

  /** Everyone who is or was authorised on the contract: the GIN index on the roster's assignments finds them. */
  async authorised(contractId: string, query: PageQuery) {
    await this.contracts.found(contractId);
    const at = now();
    const page = await filesPage(this.dataSource, 'staff', { where: `state->'assignments' @> $1::jsonb`, params: [JSON.stringify([{ contractId }])] }, query, (s: StaffState) => authorisationsOn(s, contractId, at));
    return { items: page.items.flat(), nextCursor: page.nextCursor };
  }
}
