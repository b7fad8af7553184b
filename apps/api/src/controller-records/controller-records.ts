import { Body, Controller, Get, HttpCode, Inject, Injectable, Module, Param, Post, Put, Query, Res, type PipeTransform, type Type } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { WorkflowNotFoundError } from '@temporalio/client';
import { controllerType, FIELDS, FILE_TYPES, textProblem, toControllerView, type ControllerState, type ControllerView, type FileType } from '../../../../libs/domain/src';
import { type Principal } from '../../../../libs/infra/src/auth/api-keys';
import { contractsOfController } from '../../../../libs/infra/src/controllers';
import { controllerFileId, controllerRecordId } from '../../../../libs/infra/src/ids';
import { FILE_WORKFLOW, fileCommandSignal, fileCommandUpdate, workflowIdOf, type FileCommandInput, type FileWorkflowInput } from '../../../../libs/infra/src/temporal/messages';
import { CurrentPrincipal } from '../auth/auth.guard';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { ApiError } from '../common/api-error';
import { ErrorResponses } from '../common/openapi';
import { PageQuery } from '../common/pagination';
import { ContractQueries } from '../contracts/contract-queries.service';
import { EventsView, VerifyView } from '../contracts/dto/views';
import { CommandBodyPipe, method, schemaNames, type Decorate, type DecorateParam } from '../kit/declared-files';
import { actorOf, FileCommands } from '../kit/file-commands';
import { filesPage } from '../kit/file-pages';
import { FileTrails } from '../kit/trail';

const now = () => new Date().toISOString();
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A controller's key in a path: `customer:<id>`, `email:<address>`, or either bare (an address has
 * an @); read as the identity the engine names it by (controllerIdentity).
 */
export class ControllerKeyPipe implements PipeTransform<string, string> {
  transform(raw: string): string {
    const [prefix, ...rest] = raw.split(':');
    const [kind, value] = prefix === 'customer' || prefix === 'email' ? [prefix, rest.join(':')] : [raw.includes('@') ? 'email' : 'customer', raw];
    const field = kind === 'email' ? FIELDS.email : FIELDS.customerId;
    const trimmed = value.trim();
    if (textProblem(trimmed, field) !== null || (kind === 'email' && !EMAIL_SHAPE.test(trimmed))) {
      throw new ApiError(400, 'invalid_controller_key', 'The controller key must be a customer id or an email address (optionally prefixed customer: or email:).');
    }
    return kind === 'email' ? `email:${trimmed.toLowerCase()}` : `customer:${trimmed}`;
  }
}

const keyParam = ApiParam({ name: 'key', schema: { type: 'string', minLength: 1, maxLength: 300 }, description: '`customer:<customerId>`, `email:<address>`, or either bare.' });
const names = schemaNames(controllerType as unknown as FileType);
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

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


@ApiTags('registers')
@ApiBearerAuth()
@Controller('controllers')
export class ControllerRecordsController {
  constructor(
    @Inject(ControllerRecords) private readonly records: ControllerRecords,
    @Inject(FileTrails) private readonly trails: FileTrails,
  ) {}

  @Get()
  @AnyRole()
  @ApiOperation({ summary: 'Every controller record, oldest first.' })
  @ApiOkResponse({ schema: ref(names.list) })
  @ErrorResponses(400, 401)
  list(@Query() query: PageQuery) {
    return this.records.list(query);
  }

  @Put(':key')
  @Roles('account_manager', 'dpo')
  @keyParam
  @ApiOperation({ summary: controllerType.commands!['set']!.summary })
  @ApiBody({ schema: ref(names.body('set')), required: false })
  @ApiCreatedResponse({ schema: ref(names.view), description: 'The first record of this controller.' })
  @ApiOkResponse({ schema: ref(names.view) })
  @ErrorResponses(400, 401, 403, 404, 422)
  async set(@Param('key', ControllerKeyPipe) identity: string, @Body(new CommandBodyPipe(controllerType.commands!['set']!)) body: unknown, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: Response) {
    const { created, view } = await this.records.set(identity, body, principal);
    res.status(created ? 201 : 200);
    return view;
  }

  @Get(':key')
  @AnyRole()
  @keyParam
  @ApiOperation({ summary: "One controller's record." })
  @ApiOkResponse({ schema: ref(names.view) })
  @ErrorResponses(400, 401, 404)
  get(@Param('key', ControllerKeyPipe) identity: string) {
    return this.records.found(identity);
  }

  @Get(':key/events')
  @Roles('dpo', 'admin')
  @keyParam
  @ApiOperation({ summary: "The record's trail: every event in version order, with its hash chain." })
  @ApiOkResponse({ type: EventsView })
  @ErrorResponses(400, 401, 403, 404)
  async events(@Param('key', ControllerKeyPipe) identity: string) {
    return this.trails.events((await this.records.found(identity)).id);
  }

  @Get(':key/events/verify')
  @Roles('dpo', 'admin')
  @keyParam
  @ApiOperation({ summary: "Recomputes the record's hash chain; names the first event that does not match." })
  @ApiOkResponse({ type: VerifyView })
  @ErrorResponses(400, 401, 403, 404)
  async verify(@Param('key', ControllerKeyPipe) identity: string) {
    return this.trails.verify((await this.records.found(identity)).id);
  }
}


type ControllerFileType = FileType & Required<Pick<FileType, 'commands' | 'route' | 'view'>>;

/** The file types a controller has one of (FileType.parent `controller`), served under its record. */
const CONTROLLER_FILE_TYPES = FILE_TYPES.filter((t): t is ControllerFileType => t.parent === 'controller' && !!t.commands && !!t.route && !!t.view);

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

  async command(type: ControllerFileType, name: string, identity: string, body: unknown, principal: Principal): Promise<unknown> {
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

function controllerFileController(type: ControllerFileType): Type {
  const names = schemaNames(type);
  class FilesOfController {
    constructor(readonly files: ControllerFiles) {}
  }
  Object.defineProperty(FilesOfController, 'name', { value: `Controller${names.view.replace(/File$/, '')}Controller` });
  Inject(ControllerFiles)(FilesOfController, undefined as never, 0);
  const key = [Param('key', ControllerKeyPipe)] as DecorateParam[];
  method(FilesOfController, 'view', function (this: FilesOfController, identity: string) {
    return this.files.view(type, identity);
  } as never, [Get(), AnyRole(), keyParam, ApiOperation({ summary: `The controller's ${type.noun}.` }), ApiOkResponse({ schema: ref(names.view) }), ErrorResponses(400, 401, 404)] as Decorate[], key);
  method(FilesOfController, 'events', async function (this: FilesOfController, identity: string) {
    return this.files.trails.events((await this.files.stored(type, identity)).id);
  } as never, [Get('events'), Roles('dpo', 'admin'), keyParam, ApiOperation({ summary: `The ${type.noun}'s trail: every event in version order, with its hash chain and its emails' receipts.` }), ApiOkResponse({ type: EventsView }), ErrorResponses(400, 401, 403, 404)] as Decorate[], key);
  method(FilesOfController, 'verify', async function (this: FilesOfController, identity: string) {
    return this.files.trails.verify((await this.files.stored(type, identity)).id);
  } as never, [Get('events/verify'), Roles('dpo', 'admin'), keyParam, ApiOperation({ summary: `Recomputes the ${type.noun}'s hash chain; names the first event that does not match.` }), ApiOkResponse({ type: VerifyView }), ErrorResponses(400, 401, 403, 404)] as Decorate[], key);
  for (const [name, spec] of Object.entries(type.commands).filter(([, c]) => c.roles.length > 0)) {
    method(
      FilesOfController,
      name,
      function (this: FilesOfController, identity: string, body: unknown, principal: Principal) {
        return this.files.command(type, name, identity, body, principal);
      } as never,
      [Post(spec.path!), HttpCode(200), Roles(...spec.roles), keyParam, ApiOperation({ summary: spec.summary }), ApiBody({ schema: ref(names.body(name)), required: false }), ApiOkResponse({ schema: ref(names.view) }), ErrorResponses(400, 401, 403, 404, 409, 422)] as Decorate[],
      [Param('key', ControllerKeyPipe), Body(new CommandBodyPipe(spec)), CurrentPrincipal()] as DecorateParam[],
    );
  }
  ApiTags('registers')(FilesOfController);
  ApiBearerAuth()(FilesOfController);
  Controller(`controllers/:key/${type.route.path}`)(FilesOfController);
  return FilesOfController;
}

@Module({
  controllers: [ControllerRecordsController, ...CONTROLLER_FILE_TYPES.map(controllerFileController)],
  providers: [FileCommands, FileTrails, ContractQueries, ControllerRecords, ControllerFiles],
  exports: [ControllerRecords],
})
export class ControllerRecordsModule {}
