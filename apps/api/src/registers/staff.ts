import { Body, Controller, Delete, Get, HttpCode, Inject, Injectable, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { type WorkflowHandle } from '@temporalio/client';
import { type Response } from 'express';
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
import { CurrentPrincipal } from '../auth/auth.guard';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { ApiError } from '../common/api-error';
import { Duration, Email, Id, idParamSchema, Instant, Text } from '../common/fields';
import { IdempotencyKey, type IdempotencyScope } from '../common/idempotency.middleware';
import { ErrorResponses } from '../common/openapi';
import { PageQuery } from '../common/pagination';
import { ContractIdPipe, UuidPipe } from '../contracts/contract-id.pipe';
import { ContractQueries } from '../contracts/contract-queries.service';
import { EventsView, VerifyView } from '../contracts/dto/views';
import { actorOf, contractFor, FileCommands, newId } from '../kit/file-commands';
import { filesPage } from '../kit/file-pages';
import { FileTrails } from '../kit/trail';

const now = () => new Date().toISOString();

export class RegisterStaffDto {
  @Text('controllerName', { example: 'Alex Martin', description: "The person's name (the processor's own staff, never a data subject of a client)." })
  name!: string;

  @Email({ example: 'alex.martin@processor.example' })
  email!: string;
}

export class SignConfidentialityDto {
  @Instant({ example: '2027-01-10T08:00:00Z', description: 'When the confidentiality undertaking was signed (GDPR 28(3)(b)).' })
  signedAt!: string;
}

export class RecordTrainingDto {
  @Instant({ example: '2027-01-05T00:00:00Z', description: 'When the data-protection training was completed.' })
  completedAt!: string;

  @Text('controllerName', { example: 'GDPR for operators' })
  course!: string;

  @Duration({ example: 'P1Y', description: 'How long it is valid (default P1Y, at most P5Y).' }, true)
  validFor?: string;
}

export class AuthorisePersonDto {
  @Id({ description: 'The person on the roster (POST /staff).' })
  staffId!: string;
}

export class TrainingView {
  @ApiProperty({ format: 'date-time' }) completedAt!: string;
  @ApiProperty() course!: string;
  @ApiProperty({ format: 'duration' }) validFor!: string;
  @ApiProperty({ format: 'date-time' }) validUntil!: string;
}

const GAPS = ['no_confidentiality', 'no_training', 'training_lapsed'];

export class StaffRepresentation {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) confidentialitySignedAt!: string | null;
  @ApiProperty({ type: [TrainingView] }) trainings!: TrainingView[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The latest validity of any training.' }) trainingValidUntil!: string | null;
  @ApiProperty({ description: 'Both a confidentiality undertaking and a valid training now: may be authorised on a contract.' }) cleared!: boolean;
  @ApiProperty({ type: [String], enum: GAPS }) gaps!: string[];
  @ApiProperty({ type: [String], description: 'The contracts the person is authorised on now.' }) contracts!: string[];
  @ApiProperty({ type: [String], enum: ['trainingValidUntil'], description: 'The training lapsed while the person is on a contract.' }) overdue!: string[];
}

export class StaffListView {
  @ApiProperty({ type: [StaffRepresentation] }) items!: StaffRepresentation[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}

export class AuthorisedPersonRepresentation {
  @ApiProperty({ format: 'uuid' }) staffId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) authorisedFrom!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Set once the authorisation was revoked.' }) authorisedUntil!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) confidentialitySignedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) trainingValidUntil!: string | null;
  @ApiProperty({ description: 'False while an authorisation stands with a gap in its clearance (a lapsed training).' }) cleared!: boolean;
  @ApiProperty({ type: [String], enum: GAPS }) gaps!: string[];
}

export class AuthorisedPersonListView {
  @ApiProperty({ type: [AuthorisedPersonRepresentation], description: 'Everyone who is or was authorised on the contract, oldest authorisation first.' }) items!: AuthorisedPersonRepresentation[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}

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
