import { Body, Controller, HttpCode, Inject, Injectable, Param, Post, Res, type PipeTransform, type Type } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { FILE_TYPES, openApiSchemaOf, parseBody, type CommandSpec, type EngineSettings, type FileType } from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import { FILE_WORKFLOW, fileCommandUpdate, workflowIdOf, type FileCommandInput, type FileWorkflowInput } from '#infra/temporal/messages';
import { CurrentPrincipal } from '../auth/auth.guard';
import { Roles } from '../auth/roles.decorator';
import { ApiError } from '../common/api-error';
import { idParamSchema } from '../common/fields';
import { IdempotencyKey, type IdempotencyScope } from '../common/idempotency.middleware';
import { ErrorResponses } from '../common/openapi';
import { ContractIdPipe, UuidPipe } from '../contracts/contract-id.pipe';
import { ContractQueries } from '../contracts/contract-queries.service';
import { ContractFileReads, ContractFiles } from './contract-files';
import { actorOf, contractFor, FileCommands, newId, partiesOf, type Who } from './file-commands';
import { FileTrails } from './trail';

/*
 * DESIGN §5: a file type that declares its commands gets its routes from the declaration — each
 * command a POST whose body is validated by its schema and documented from it, the reads every
 * file has, one generic workflow behind them. Nothing here names a type.
 */

const now = () => new Date().toISOString();

type Declared = FileType & Required<Pick<FileType, 'commands' | 'route' | 'view'>>;

/** The file types the generic routes serve: those under a contract that declare their commands. */
export const DECLARED_FILE_TYPES = FILE_TYPES.filter((t): t is Declared => t.parent === 'contract' && !!t.commands && !!t.route && !!t.view);

const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/** The names of a declared type's schemas in the OpenAPI document. */
export const schemaNames = (type: FileType) => ({
  view: `${pascal(type.name)}File`,
  list: `${pascal(type.name)}FileList`,
  body: (command: string) => `${pascal(type.name)}${pascal(command)}Body`,
});
/** A reference to one of the document's component schemas (declaredSchemas). */
export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const ref = schemaRef;

/** Every declared schema, as the OpenAPI document's components carry them. */
export function declaredSchemas(): Record<string, Record<string, unknown>> {
  const schemas: Record<string, Record<string, unknown>> = {};
  for (const type of FILE_TYPES.filter((t): t is Declared => !!t.commands && !!t.view)) {
    const names = schemaNames(type);
    schemas[names.view] = openApiSchemaOf(type.view.schema());
    schemas[names.list] = {
      type: 'object',
      properties: { items: { type: 'array', items: ref(names.view) }, nextCursor: { type: 'string', nullable: true } },
      required: ['items', 'nextCursor'],
    };
    for (const [command, spec] of Object.entries(type.commands)) schemas[names.body(command)] = openApiSchemaOf(spec.schema());
  }
  return schemas;
}

/** A body checked against its command's schema: every problem listed, as the API's validation lists them. */
export class CommandBodyPipe implements PipeTransform {
  constructor(private readonly spec: CommandSpec) {}

  transform(value: unknown): unknown {
    // A command with nothing to say may come with no body at all.
    const parsed = parseBody(this.spec.schema(), value ?? {});
    if (parsed.ok) return parsed.value;
    throw new ApiError(400, 'validation_failed', `The request is invalid: ${parsed.problems.map((p) => p.problem).join('; ')}`, { fields: parsed.problems });
  }
}

/** What every declared file type does with a command: find its contract, open or address its file's workflow. */
@Injectable()
export class DeclaredFiles {
  private readonly stores = new Map<string, ContractFiles<{ type: string }, { status: string }, unknown>>();

  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(ContractQueries) private readonly contracts: ContractQueries,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  /** The engine's settings a command's rules take (configuration): the same for every file type. */
  private settings(): EngineSettings {
    return { assistanceMargin: this.files.config.subjectRequests.assistanceMargin };
  }

  /** The type's files under a contract, read and commanded. */
  store(type: Declared): ContractFiles<{ type: string }, { status: string }, unknown> {
    let store = this.stores.get(type.name);
    if (!store) {
      const view = type.view.of as (state: { status: string }, at: string) => unknown;
      store = new ContractFiles({ table: type.readModel.table, noun: type.noun, workflowId: (id) => workflowIdOf(type.name, id), decide: type.stream.decide, view }, this.files, this.contracts, this.dataSource);
      this.stores.set(type.name, store);
    }
    return store;
  }

  /** The command that opens a file: its id from the Idempotency-Key when there is one, its workflow started with it. */
  async open(type: Declared, name: string, contractId: string, body: unknown, principal: Who, scope: IdempotencyScope | null): Promise<{ created: boolean; view: unknown }> {
    const contract = await contractFor(this.contracts, contractId);
    const id = newId(scope, `${type.name}\n${contractId}`);
    const context = { id, contractId, contract: { orderedAt: contract.orderedAt }, settings: this.settings() };
    this.files.refuseLocally(type.stream.decide, type.commands[name]!.toCommand(body, { ...context, recordedAt: now() }), type.stream.initialState());
    const input: FileWorkflowInput = { type: type.name, id, parties: partiesOf(contract) };
    const args: FileCommandInput = { command: name, body, context, actor: actorOf(principal) };
    const opened = await this.files.open({ workflowType: FILE_WORKFLOW, workflowId: workflowIdOf(type.name, id), input, update: fileCommandUpdate, args });
    if (!opened) return { created: false, view: await this.store(type).found(contractId, id) };
    return { created: opened.created, view: type.view.of(opened.state as { status: string }, now()) };
  }

  /**
   * Any other command, to the file's own workflow (or answered from the stored file once it
   * finished). `partOf`: the id of the part it is about, or, for one that mints a part, the
   * request's Idempotency-Key (a retry names the same part).
   */
  async command(type: Declared, name: string, contractId: string, id: string, body: unknown, principal: Who, partOf?: string | IdempotencyScope | null): Promise<unknown> {
    const contract = await contractFor(this.contracts, contractId);
    const part = type.commands[name]!.part;
    const partId = part?.minted ? newId((partOf ?? null) as IdempotencyScope | null, `${type.name}-${part.noun}\n${id}`) : typeof partOf === 'string' ? partOf : undefined;
    const context = { id, contractId, contract: { orderedAt: contract.orderedAt }, settings: this.settings(), ...(partId ? { partId } : {}) };
    const command = type.commands[name]!.toCommand(body, { ...context, recordedAt: now() }) as { type: string };
    const args: FileCommandInput = { command: name, body, context, actor: actorOf(principal) };
    return this.store(type).send(contractId, id, command, (h) => h.executeUpdate(fileCommandUpdate, { args: [args] }) as never);
  }
}

export type Decorate = (target: object, key: string, descriptor: PropertyDescriptor) => void;
export type DecorateParam = (target: object, key: string, index: number) => void;

/** Defines `key` on `cls` with its method and parameter decorators, as `@…` would. */
export function method(cls: Type, key: string, fn: (...args: never[]) => unknown, decorators: readonly Decorate[], params: readonly DecorateParam[]): void {
  Object.defineProperty(cls.prototype, key, { value: fn, writable: true, configurable: true });
  params.forEach((decorate, index) => decorate(cls.prototype, key, index));
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, key)!;
  for (const decorate of decorators) decorate(cls.prototype, key, descriptor);
  Object.defineProperty(cls.prototype, key, descriptor);
}

/** The controller of one declared type under a contract: its reads, then one POST per command. */
function controllerOf(type: Declared): Type {
  const names = schemaNames(type);
  const { path, param, plural } = type.route;
  const reads = ContractFileReads({ param, noun: type.noun, plural, view: { schema: ref(names.view) }, listView: { schema: ref(names.list) } });

  class DeclaredController extends reads.Reads {
    constructor(
      protected readonly files: DeclaredFiles,
      trails: FileTrails,
    ) {
      super(trails);
    }

    protected get store() {
      return this.files.store(type) as never;
    }
  }
  Object.defineProperty(DeclaredController, 'name', { value: `${pascal(type.name)}Controller` });
  Inject(DeclaredFiles)(DeclaredController, undefined as never, 0);
  Inject(FileTrails)(DeclaredController, undefined as never, 1);

  for (const [name, spec] of Object.entries(type.commands)) {
    const needsBody = ((openApiSchemaOf(spec.schema()).required as string[] | undefined) ?? []).length > 0;
    const documented = [Roles(...spec.roles), ApiOperation({ summary: spec.summary }), ApiBody({ schema: ref(names.body(name)), required: needsBody })] as Decorate[];
    if (spec.creates) {
      method(
        DeclaredController,
        name,
        async function (this: DeclaredController, contractId: string, body: unknown, principal: Principal, scope: IdempotencyScope | null, res: Response) {
          const { created, view } = await this.files.open(type, name, contractId, body, principal, scope);
          res.status(created ? 201 : 200);
          return view;
        } as never,
        [
          Post(),
          ...documented,
          ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' }),
          ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes the POST safe to retry: the same key answers the first result again (24 h).' }),
          ApiCreatedResponse({ schema: ref(names.view) }),
          ApiOkResponse({ schema: ref(names.view), description: `The same ${type.noun} again (its workflow had finished).` }),
          ErrorResponses(400, 401, 403, 404, 409, 422),
        ] as Decorate[],
        [Param('id', ContractIdPipe), Body(new CommandBodyPipe(spec)), CurrentPrincipal(), IdempotencyKey(), Res({ passthrough: true })] as DecorateParam[],
      );
    } else {
      // A command about one part of the file: the part named in the path, or a new one minted from the Idempotency-Key.
      const part = spec.part;
      const named = part?.param !== undefined && !part.minted ? part.param : null;
      method(
        DeclaredController,
        name,
        function (this: DeclaredController, contractId: string, id: string, body: unknown, principal: Principal, partOf?: string | IdempotencyScope | null) {
          return this.files.command(type, name, contractId, id, body, principal, partOf);
        } as never,
        [
          Post(`:${param}/${spec.path!.replace(/\{(\w+)\}/g, ':$1')}`),
          HttpCode(200),
          ...documented,
          reads.params,
          ...(named ? [ApiParam({ name: named, schema: idParamSchema, description: `${part!.noun} id` })] : []),
          ...(part?.minted ? [ApiHeader({ name: 'Idempotency-Key', required: false, description: `Makes the POST safe to retry: the same key answers the first result again (24 h), and names the same ${part.noun}.` })] : []),
          ApiOkResponse({ schema: ref(names.view) }),
          ErrorResponses(400, 401, 403, 404, 409, 422),
        ] as Decorate[],
        [
          Param('id', ContractIdPipe),
          Param(param, reads.id),
          Body(new CommandBodyPipe(spec)),
          CurrentPrincipal(),
          ...(named ? [Param(named, new UuidPipe(`${part!.noun} id`))] : part?.minted ? [IdempotencyKey()] : []),
        ] as DecorateParam[],
      );
    }
  }
  ApiTags('files')(DeclaredController);
  ApiBearerAuth()(DeclaredController);
  Controller(`contracts/:id/${path}`)(DeclaredController);
  return DeclaredController;
}

/** One controller per declared file type under a contract. */
export const declaredFileControllers = (): Type[] => DECLARED_FILE_TYPES.map(controllerOf);
