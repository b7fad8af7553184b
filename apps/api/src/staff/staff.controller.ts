// The staff roster (DESIGN §3.4, `staff`) and each contract's authorised persons (`contracts/{id}/authorised-persons`): their routes.
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { staffType, type FileType } from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import { CurrentPrincipal } from '../auth/auth.guard';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { idParamSchema } from '../common/fields';
import { IdempotencyKey, type IdempotencyScope } from '../common/idempotency.middleware';
import { ErrorResponses } from '../common/openapi';
import { NoBody } from '../common/validation';
import { PageQuery } from '../common/pagination';
import { ContractIdPipe, UuidPipe } from '../contracts/contract-id.pipe';
import { EventsView, VerifyView } from '../contracts/dto/views';
import { CommandBodyPipe, schemaNames, schemaRef } from '../kit/declared-files';
import { FileTrails } from '../kit/trail';
import { AuthorisedPersonListView, AuthorisedPersonRepresentation } from './dto/staff.dto';
import { Roster } from './staff.service';

/** The roster's bodies and views are the staff declaration's schemas (as in /docs' components). */
const names = schemaNames(staffType as unknown as FileType);
const declared = (command: string) => {
  const spec = staffType.commands![command]!;
  return { pipe: new CommandBodyPipe(spec), body: ApiBody({ schema: schemaRef(names.body(command)) }), summary: spec.summary };
};
const register = declared('register');
const sign = declared('signConfidentiality');
const train = declared('recordTraining');
const authorise = declared('authorise');

const staffId = new UuidPipe('staff id');
const SidParam = () => ApiParam({ name: 'sid', schema: idParamSchema, description: 'Staff id' });

@ApiTags('registers')
@ApiBearerAuth()
@Controller('staff')
export class StaffController {
  constructor(
    @Inject(Roster) private readonly roster: Roster,
    @Inject(FileTrails) private readonly trails: FileTrails,
  ) {}

  @Post()
  @Roles('admin', 'dpo')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes the POST safe to retry: the same key answers the first result again (24 h).' })
  @ApiOperation({ summary: register.summary })
  @register.body
  @ApiCreatedResponse({ schema: schemaRef(names.view) })
  @ApiOkResponse({ schema: schemaRef(names.view), description: 'The same person again.' })
  @ErrorResponses(400, 401, 403, 409, 422)
  async register(@Body(register.pipe) body: unknown, @CurrentPrincipal() principal: Principal, @IdempotencyKey() scope: IdempotencyScope | null, @Res({ passthrough: true }) res: Response) {
    const { created, view } = await this.roster.register(body, principal, scope);
    res.status(created ? 201 : 200);
    return view;
  }

  @Get()
  @Roles('admin', 'dpo', 'account_manager')
  @ApiOperation({ summary: 'The roster, oldest registration first, each person with their clearance now.' })
  @ApiOkResponse({ schema: schemaRef(names.list) })
  @ErrorResponses(400, 401, 403)
  list(@Query() query: PageQuery) {
    return this.roster.list(query);
  }

  @Get(':sid')
  @Roles('admin', 'dpo', 'account_manager')
  @SidParam()
  @ApiOperation({ summary: 'One person on the roster.' })
  @ApiOkResponse({ schema: schemaRef(names.view) })
  @ErrorResponses(400, 401, 403, 404)
  get(@Param('sid', staffId) sid: string) {
    return this.roster.found(sid);
  }

  @Post(':sid/confidentiality')
  @HttpCode(200)
  @Roles('admin', 'dpo')
  @SidParam()
  @ApiOperation({ summary: sign.summary })
  @sign.body
  @ApiOkResponse({ schema: schemaRef(names.view) })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  sign(@Param('sid', staffId) sid: string, @Body(sign.pipe) body: unknown, @CurrentPrincipal() p: Principal) {
    return this.roster.sign(sid, body, p);
  }

  @Post(':sid/training')
  @HttpCode(200)
  @Roles('admin', 'dpo')
  @SidParam()
  @ApiOperation({ summary: train.summary })
  @train.body
  @ApiOkResponse({ schema: schemaRef(names.view) })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  train(@Param('sid', staffId) sid: string, @Body(train.pipe) body: unknown, @CurrentPrincipal() p: Principal) {
    return this.roster.train(sid, body, p);
  }

  @Get(':sid/events')
  @Roles('dpo', 'admin')
  @SidParam()
  @ApiOperation({ summary: "The person's trail: registration, undertaking, trainings, authorisations, with its hash chain." })
  @ApiOkResponse({ type: EventsView })
  @ErrorResponses(400, 401, 403, 404)
  async events(@Param('sid', staffId) sid: string) {
    await this.roster.found(sid);
    return this.trails.events(sid);
  }

  @Get(':sid/events/verify')
  @Roles('dpo', 'admin')
  @SidParam()
  @ApiOperation({ summary: "Recomputes the person's hash chain; names the first event that does not match." })
  @ApiOkResponse({ type: VerifyView })
  @ErrorResponses(400, 401, 403, 404)
  async verify(@Param('sid', staffId) sid: string) {
    await this.roster.found(sid);
    return this.trails.verify(sid);
  }
}

@ApiTags('registers')
@ApiBearerAuth()
@Controller('contracts/:id/authorised-persons')
export class AuthorisedPersonsController {
  constructor(@Inject(Roster) private readonly roster: Roster) {}

  @Post()
  @HttpCode(200)
  @Roles('account_manager', 'dpo')
  @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
  @ApiOperation({ summary: authorise.summary })
  @authorise.body
  @ApiOkResponse({ type: AuthorisedPersonRepresentation })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  authorise(@Param('id', ContractIdPipe) id: string, @Body(authorise.pipe) body: { readonly staffId: string }, @CurrentPrincipal() p: Principal) {
    return this.roster.authorise(id, body, p);
  }

  @Get()
  @AnyRole()
  @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
  @ApiOperation({ summary: 'Who is and was authorised on the contract, with any gap in their clearance now.' })
  @ApiOkResponse({ type: AuthorisedPersonListView })
  @ErrorResponses(400, 401, 404)
  list(@Param('id', ContractIdPipe) id: string, @Query() query: PageQuery) {
    return this.roster.authorised(id, query);
  }

  @Delete(':sid')
  @HttpCode(200)
  @Roles('account_manager', 'dpo')
  @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
  @SidParam()
  @ApiOperation({ summary: staffType.commands!['revoke']!.summary })
  @ApiOkResponse({ type: AuthorisedPersonRepresentation })
  @ErrorResponses(400, 401, 403, 404, 409)
  revoke(@Param('id', ContractIdPipe) id: string, @Param('sid', staffId) sid: string, @NoBody() _body: undefined, @CurrentPrincipal() p: Principal) {
    return this.roster.revoke(id, sid, p);
  }
}
