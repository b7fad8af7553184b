// Controller records (DESIGN §8), each its own file run by the generic file workflow, and the files a controller has one of: their commands through Temporal and their reads from the read models.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WorkflowNotFoundError } from '@temporalio/client';
import { controllerType, FILE_TYPES, toControllerView, type ControllerState, type ControllerView, type FileType } from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import { contractsOfController } from '#infra/controllers';
import { controllerFileId, controllerRecordId } from '#infra/ids';
import { FILE_WORKFLOW, fileCommandSignal, fileCommandUpdate, workflowIdOf, type FileCommandInput, type FileWorkflowInput } from '#infra/temporal/messages';
import { ApiError } from '../common/api-error';
import { type PageQuery } from '../common/pagination';
import { actorOf, FileCommands, type Who } from '../kit/file-commands';
import { filesPage } from '../kit/file-pages';
import { FileTrails } from '../kit/trail';

const now = () => new Date().toISOString();

/** DESIGN §8: controller records, each its own file run by the generic file workflow. */
@Injectable()
export class ControllerRecords {
  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  /** The controller's latest contract, as the engine writes to it: 404 when the engine acts for no such controller. */
  private async parties(identity: string) {
    const of = contractsOfController(identity, 1);
    const [row] = (await this.dataSource.query(`SELECT c.state FROM contracts c WHERE ${of.where} ORDER BY (c.state->>'orderedAt') DESC LIMIT 1`, [of.value])) as { state: { controller: { name: string; email: string; dpoEmail: string | null }; reference: string | null } }[];
    if (!row) throw new ApiError(404, 'controller.unknown', 'The engine acts for no controller with this key: it has no contract.');
    const c = row.state.controller;
    return { controllerName: c.name, controllerEmail: c.email, controllerDpoEmail: c.dpoEmail ?? null, contractReference: null };
  }

  async stored(identity: string): Promise<ControllerState | null> {
    const [row] = (await this.dataSource.query(`SELECT state FROM controllers WHERE identity = $1`, [identity])) as { state: ControllerState }[];
    return row?.state ?? null;
  }

  async found(identity: string): Promise<ControllerView> {
    const state = await this.stored(identity);
    if (!state) throw new ApiError(404, 'not_found', 'No record of this controller.');
    return toControllerView(state);
  }

  async set(identity: string, body: unknown, principal: Principal): Promise<{ created: boolean; view: ControllerView }> {
    const parties = await this.parties(identity);
    const id = controllerRecordId(identity);
    const context = { id, contractId: null, contract: null, controller: { id, identity } };
    const spec = controllerType.commands!['set']!;
    const before = await this.stored(identity);
    this.files.refuseLocally(controllerType.stream.decide, spec.toCommand(body, { ...context, recordedAt: now() }), before ?? controllerType.stream.initialState());
    const input: FileWorkflowInput = { type: controllerType.name, id, parties };
    const args: FileCommandInput = { command: 'set', body, context, actor: actorOf(principal) };
    const answer = await this.files.open({ workflowType: FILE_WORKFLOW, workflowId: workflowIdOf(controllerType.name, id), input, update: fileCommandUpdate, args });
    if (!answer) throw new ApiError(503, 'engine.unavailable', "The controller's record could not be reached now; retry later (nothing was recorded).");
    const after = answer.state as ControllerState;
    // Told every time, not only on a change: a PUT retried after a failure here still reaches them.
    await this.tellFollowers(identity, (after.status !== 'none' ? after.breachContact : null) ?? parties.controllerEmail);
    return { created: before === null, view: toControllerView(after) };
  }

  /** The controller's files that follow its contact (FileType.follows) hear of the new one; those not opened yet will read it when they are. */
  private async tellFollowers(identity: string, contact: string): Promise<void> {
    for (const type of FILE_TYPES.filter((t) => t.follows)) {
      const id = controllerFileId(type.name, identity);
      const args: FileCommandInput = { command: type.follows!.contact, body: { contact }, context: { id, contractId: null, contract: null, controller: { id: controllerRecordId(identity), identity } }, actor: { role: 'engine' } };
      try {
        await this.files.temporal.workflow.getHandle(workflowIdOf(type.name, id)).signal(fileCommandSignal, args);
      } catch (e) {
        if (!(e instanceof WorkflowNotFoundError)) throw e;
      }
    }
  }

  list(query: PageQuery) {
    return filesPage(this.dataSource, 'controllers', { where: 'true', params: [] }, query, (state: ControllerState) => toControllerView(state));
  }
}

export type ControllerFileType = FileType & Required<Pick<FileType, 'commands' | 'route' | 'view'>>;

/** The file types a controller has one of (FileType.parent `controller`), served under its record. */
export const CONTROLLER_FILE_TYPES = FILE_TYPES.filter((t): t is ControllerFileType => t.parent === 'controller' && !!t.commands && !!t.route && !!t.view);

/** One controller's file of a type, read and commanded by staff: its view, its trail, and its commands that have roles. */
@Injectable()
export class ControllerFiles {
  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(FileTrails) readonly trails: FileTrails,
  ) {}

  async stored(type: ControllerFileType, identity: string): Promise<{ id: string; state: { status: string } }> {
    const [row] = (await this.dataSource.query(`SELECT id::text AS id, state FROM ${type.readModel.table} WHERE identity = $1`, [identity])) as { id: string; state: { status: string } }[];
    if (!row) throw new ApiError(404, 'not_found', `This controller has no ${type.noun} yet.`);
    return row;
  }

  async view(type: ControllerFileType, identity: string): Promise<unknown> {
    return type.view.of((await this.stored(type, identity)).state, now());
  }

  async command(type: ControllerFileType, name: string, identity: string, body: unknown, principal: Who): Promise<unknown> {
    const { id, state } = await this.stored(type, identity);
    const context = { id, contractId: null, contract: null, controller: { id: controllerRecordId(identity), identity } };
    const command = type.commands[name]!.toCommand(body, { ...context, recordedAt: now() });
    const args: FileCommandInput = { command: name, body, context, actor: actorOf(principal) };
    return this.files.send(
      workflowIdOf(type.name, id),
      async (h) => type.view.of((await h.executeUpdate(fileCommandUpdate, { args: [args] })).state as { status: string }, now()),
      async () => {
        this.files.refuseLocally(type.stream.decide, command, state);
        return type.view.of(state, now());
      },
    );
  }
}
