// Controller records (DESIGN §8): `PUT/GET /controllers[/{key}]` with their trail, and the routes of the files a controller has one of (`controllers/{key}/<path>`).
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Res, type PipeTransform, type Type } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { controllerType, EMAIL_SHAPE, FIELDS, textProblem, type FileType } from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import { CurrentPrincipal } from '../auth/auth.guard';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { ApiError } from '../common/api-error';
import { ErrorResponses } from '../common/openapi';
import { PageQuery } from '../common/pagination';
import { EventsView, VerifyView } from '../contracts/dto/views';
import { CommandBodyPipe, method, schemaNames, schemaRef, type Decorate, type DecorateParam } from '../kit/declared-files';
import { FileTrails } from '../kit/trail';
import { ControllerFiles, ControllerRecords, type ControllerFileType } from './controllers.service';


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
  @ApiOkResponse({ schema: schemaRef(names.list) })
  @ErrorResponses(400, 401)
  list(@Query() query: PageQuery) {
    return this.records.list(query);
  }

  @Put(':key')
  @Roles('account_manager', 'dpo')
  @keyParam
  @ApiOperation({ summary: controllerType.commands!['set']!.summary })
  @ApiBody({ schema: schemaRef(names.body('set')), required: false })
  @ApiCreatedResponse({ schema: schemaRef(names.view), description: 'The first record of this controller.' })
  @ApiOkResponse({ schema: schemaRef(names.view) })
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
  @ApiOkResponse({ schema: schemaRef(names.view) })
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

export function controllerFileController(type: ControllerFileType): Type {
  const names = schemaNames(type);
  class FilesOfController {
    constructor(readonly files: ControllerFiles) {}
  }
  Object.defineProperty(FilesOfController, 'name', { value: `Controller${names.view.replace(/File$/, '')}Controller` });
  Inject(ControllerFiles)(FilesOfController, undefined as never, 0);
  const key = [Param('key', ControllerKeyPipe)] as DecorateParam[];
  method(FilesOfController, 'view', function (this: FilesOfController, identity: string) {
    return this.files.view(type, identity);
  } as never, [Get(), AnyRole(), keyParam, ApiOperation({ summary: `The controller's ${type.noun}.` }), ApiOkResponse({ schema: schemaRef(names.view) }), ErrorResponses(400, 401, 404)] as Decorate[], key);
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
      [Post(spec.path!), HttpCode(200), Roles(...spec.roles), keyParam, ApiOperation({ summary: spec.summary }), ApiBody({ schema: schemaRef(names.body(name)), required: false }), ApiOkResponse({ schema: schemaRef(names.view) }), ErrorResponses(400, 401, 403, 404, 409, 422)] as Decorate[],
      [Param('key', ControllerKeyPipe), Body(new CommandBodyPipe(spec)), CurrentPrincipal()] as DecorateParam[],
    );
  }
  ApiTags('registers')(FilesOfController);
  ApiBearerAuth()(FilesOfController);
  Controller(`controllers/:key/${type.route.path}`)(FilesOfController);
  return FilesOfController;
}
