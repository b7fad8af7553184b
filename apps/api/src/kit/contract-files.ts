import { Get, Inject, Injectable, Param, Query, type Type } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { type WorkflowHandle } from '@temporalio/client';
import { type DataSource } from 'typeorm';
import { type Snapshot } from '#infra/temporal/messages';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { ApiError } from '../common/api-error';
import { idParamSchema } from '../common/fields';
import { ErrorResponses } from '../common/openapi';
import { PageQuery } from '../common/pagination';
import { ContractIdPipe, UuidPipe } from '../contracts/contract-id.pipe';
import { type ContractQueries } from '../contracts/contract-queries.service';
import { EventsView, VerifyView } from '../contracts/dto/views';
import { type FileCommands } from './file-commands';
import { contractFilesPage } from './file-pages';
import { FileTrails } from './trail';

const now = () => new Date().toISOString();

/** A file type under a contract, as the API reads and commands it. */
export interface ContractFileType<C, S, V> {
  readonly table: string;
  /** "assistance request": how errors name one. */
  readonly noun: string;
  readonly workflowId: (id: string) => string;
  readonly decide: (command: C, state: S) => unknown;
  readonly view: (state: S, at: string) => V;
}

/**
 * What every file type under a contract answers from its read model and sends to its workflow:
 * one file (404 unless it is that contract's), a page of them, and a command — which, once the
 * file's workflow has finished, the domain answers over the stored state (a repeat, or a refusal).
 */
export class ContractFiles<C, S, V> {
  constructor(
    readonly type: ContractFileType<C, S, V>,
    readonly files: FileCommands,
    readonly contracts: ContractQueries,
    readonly dataSource: DataSource,
  ) {}

  async stored(id: string): Promise<{ state: S; contractId: string } | null> {
    const [row] = (await this.dataSource.query(`SELECT state, contract_id FROM ${this.type.table} WHERE id = $1`, [id])) as { state: S; contract_id: string }[];
    return row ? { state: row.state, contractId: row.contract_id } : null;
  }

  async found(contractId: string, id: string): Promise<V> {
    const stored = await this.stored(id);
    if (!stored || stored.contractId !== contractId) throw new ApiError(404, 'not_found', `No such ${this.type.noun} for this contract.`);
    return this.type.view(stored.state, now());
  }

  async list(contractId: string, query: PageQuery): Promise<{ items: V[]; nextCursor: string | null }> {
    await this.contracts.found(contractId);
    const at = now();
    return contractFilesPage(this.dataSource, this.type.table, contractId, query, (state: S) => this.type.view(state, at));
  }

  async send(contractId: string, id: string, command: C, call: (h: WorkflowHandle) => Promise<Snapshot<S>>): Promise<V> {
    await this.found(contractId, id);
    return this.files.send(
      this.type.workflowId(id),
      async (h) => this.type.view((await call(h)).state, now()),
      async () => {
        const state = (await this.stored(id))!.state;
        this.files.refuseLocally(this.type.decide, command, state);
        return this.type.view(state, now());
      },
    );
  }
}

/** What the read endpoints need of a file type's store. */
export interface FileReader<V> {
  found(contractId: string, id: string): Promise<V>;
  list(contractId: string, query: PageQuery): Promise<{ items: V[]; nextCursor: string | null }>;
}

/** The two path parameters of a file under a contract, in the OpenAPI document. */
export const fileParams =
  (param: string, noun: string) =>
  (target: object, key: string | symbol, descriptor: PropertyDescriptor): void => {
    ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })(target, key, descriptor);
    ApiParam({ name: param, schema: idParamSchema, description: `${noun[0]!.toUpperCase()}${noun.slice(1)} id` })(target, key, descriptor);
  };

/**
 * The read endpoints every file type under a contract has — its list, one file, its trail and the
 * trail's verification — as a base class its controller extends: `GET …/<files>`, `…/{param}`,
 * `…/{param}/events`, `…/{param}/events/verify`.
 */
export function ContractFileReads<V>(o: {
  readonly param: string;
  readonly noun: string;
  readonly plural: string;
  /** The file's representation and a page of them: a class, or a schema of the OpenAPI document. */
  readonly view: Type<V> | { readonly schema: Record<string, unknown> };
  readonly listView: Type<unknown> | { readonly schema: Record<string, unknown> };
  /** The file's id when the path names it otherwise (a sub-processor notice by its change's id). */
  readonly fileIdOf?: (contractId: string, param: string) => string;
}) {
  const fileIdOf = o.fileIdOf ?? ((_contractId: string, param: string) => param);
  const documented = (view: Type<unknown> | { readonly schema: Record<string, unknown> }) => ('schema' in view ? { schema: view.schema } : { type: view });
  const id = new UuidPipe(`${o.noun} id`);
  const params = fileParams(o.param, o.noun);

  @Injectable()
  abstract class Reads {
    protected abstract readonly store: FileReader<V>;
    constructor(@Inject(FileTrails) protected readonly trails: FileTrails) {}

    @Get()
    @AnyRole()
    @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
    @ApiOperation({ summary: `The contract's ${o.plural}, oldest first.` })
    @ApiOkResponse(documented(o.listView))
    @ErrorResponses(400, 401, 404)
    list(@Param('id', ContractIdPipe) contractId: string, @Query() query: PageQuery) {
      return this.store.list(contractId, query);
    }

    @Get(`:${o.param}`)
    @AnyRole()
    @params
    @ApiOperation({ summary: `One ${o.noun}.` })
    @ApiOkResponse(documented(o.view))
    @ErrorResponses(400, 401, 404)
    get(@Param('id', ContractIdPipe) contractId: string, @Param(o.param, id) fileId: string) {
      return this.store.found(contractId, fileIdOf(contractId, fileId));
    }

    @Get(`:${o.param}/events`)
    @Roles('dpo', 'admin')
    @params
    @ApiOperation({ summary: `The ${o.noun}'s trail: every event in version order, with its hash chain and its emails' receipts.` })
    @ApiOkResponse({ type: EventsView })
    @ErrorResponses(400, 401, 403, 404)
    async events(@Param('id', ContractIdPipe) contractId: string, @Param(o.param, id) fileId: string) {
      await this.store.found(contractId, fileIdOf(contractId, fileId));
      return this.trails.events(fileIdOf(contractId, fileId));
    }

    @Get(`:${o.param}/events/verify`)
    @Roles('dpo', 'admin')
    @params
    @ApiOperation({ summary: `Recomputes the ${o.noun}'s hash chain; names the first event that does not match.` })
    @ApiOkResponse({ type: VerifyView })
    @ErrorResponses(400, 401, 403, 404)
    async verify(@Param('id', ContractIdPipe) contractId: string, @Param(o.param, id) fileId: string) {
      await this.store.found(contractId, fileIdOf(contractId, fileId));
      return this.trails.verify(fileIdOf(contractId, fileId));
    }
  }
  return { Reads, id, params };
}

