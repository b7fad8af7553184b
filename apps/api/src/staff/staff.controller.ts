// The staff roster (DESIGN §3.4, `staff`) and each contract's authorised persons (`contracts/{id}/authorised-persons`): their routes.
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { type Principal } from '#infra/auth/api-keys';
import { CurrentPrincipal } from '../auth/auth.guard';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { idParamSchema } from '../common/fields';
import { IdempotencyKey, type IdempotencyScope } from '../common/idempotency.middleware';
import { ErrorResponses } from '../common/openapi';
import { PageQuery } from '../common/pagination';
import { ContractIdPipe, UuidPipe } from '../contracts/contract-id.pipe';
import { EventsView, VerifyView } from '../contracts/dto/views';
import { FileTrails } from '../kit/trail';
import { AuthorisedPersonListView, AuthorisedPersonRepresentation, AuthorisePersonDto, RecordTrainingDto, RegisterStaffDto, SignConfidentialityDto, StaffListView, StaffRepresentation } from './dto/staff.dto';
import { Roster } from './staff.service';

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
  @ApiOperation({ summary: 'P3, P4: a person on the roster. Not cleared until a confidentiality undertaking and a valid training are recorded.' })
  @ApiCreatedResponse({ type: StaffRepresentation })
  @ApiOkResponse({ type: StaffRepresentation, description: 'The same person again.' })
  @ErrorResponses(400, 401, 403, 409, 422)
  async register(@Body() body: RegisterStaffDto, @CurrentPrincipal() principal: Principal, @IdempotencyKey() scope: IdempotencyScope | null, @Res({ passthrough: true }) res: Response) {
    const { created, view } = await this.roster.register(body, principal, scope);
    res.status(created ? 201 : 200);
    return view;
  }

  @Get()
  @Roles('admin', 'dpo', 'account_manager')
  @ApiOperation({ summary: 'The roster, oldest registration first, each person with their clearance now.' })
  @ApiOkResponse({ type: StaffListView })
  @ErrorResponses(400, 401, 403)
  list(@Query() query: PageQuery) {
    return this.roster.list(query);
  }

  @Get(':sid')
  @Roles('admin', 'dpo', 'account_manager')
  @SidParam()
  @ApiOperation({ summary: 'One person on the roster.' })
  @ApiOkResponse({ type: StaffRepresentation })
  @ErrorResponses(400, 401, 403, 404)
  get(@Param('sid', staffId) sid: string) {
    return this.roster.found(sid);
  }

  @Post(':sid/confidentiality')
  @HttpCode(200)
  @Roles('admin', 'dpo')
  @SidParam()
  @ApiOperation({ summary: 'The signed confidentiality undertaking (GDPR 28(3)(b)).' })
  @ApiOkResponse({ type: StaffRepresentation })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  sign(@Param('sid', staffId) sid: string, @Body() body: SignConfidentialityDto, @CurrentPrincipal() p: Principal) {
    return this.roster.sign(sid, body, p);
  }

  @Post(':sid/training')
  @HttpCode(200)
  @Roles('admin', 'dpo')
  @SidParam()
  @ApiOperation({ summary: 'A data-protection training, valid for validFor (P1Y): account management is reminded P30D before it lapses; at the lapse every contract the person is on shows the gap.' })
  @ApiOkResponse({ type: StaffRepresentation })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  train(@Param('sid', staffId) sid: string, @Body() body: RecordTrainingDto, @CurrentPrincipal() p: Principal) {
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
  @ApiOperation({ summary: 'P3, P4: authorises a person on the contract; 422 roster.not_cleared without a signed confidentiality undertaking and a valid training.' })
  @ApiOkResponse({ type: AuthorisedPersonRepresentation })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  authorise(@Param('id', ContractIdPipe) id: string, @Body() body: AuthorisePersonDto, @CurrentPrincipal() p: Principal) {
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
  @ApiOperation({ summary: "Ends the person's authorisation on the contract (kept on record with its end)." })
  @ApiOkResponse({ type: AuthorisedPersonRepresentation })
  @ErrorResponses(400, 401, 403, 404, 409)
  revoke(@Param('id', ContractIdPipe) id: string, @Param('sid', staffId) sid: string, @CurrentPrincipal() p: Principal) {
    return this.roster.revoke(id, sid, p);
  }
}
