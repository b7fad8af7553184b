import { Body, Controller, Get, HttpCode, Inject, Injectable, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, ValidateNested } from 'class-validator';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import {
  STORAGE_LOCATIONS,
  SUB_PROCESSOR_CHANGE_KINDS,
  SUB_PROCESSORS,
  subProcessorChangeStream,
  subProcessorNoticeStream,
  toSubProcessorChangeView,
  toSubProcessorNoticeView,
  type SubProcessorChangeCommand,
  type SubProcessorChangeState,
  type SubProcessorChangeView,
  type SubProcessorNoticeCommand,
  type SubProcessorNoticeState,
  type SubProcessorNoticeView,
} from '../../../../libs/domain/src';
import { type Principal } from '../../../../libs/infra/src/auth/api-keys';
import { type AppConfig } from '../../../../libs/infra/src/config/config';
import { ID_NAMESPACE, subProcessorNoticeId } from '../../../../libs/infra/src/ids';
import { announceSubProcessorChangeUpdate, objectToSubProcessorChangeUpdate, subProcessorChangeWorkflowId, subProcessorNoticeWorkflowId, type SubProcessorChangeWorkflowInput } from '../../../../libs/infra/src/temporal/messages';
import { CurrentPrincipal } from '../auth/auth.guard';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { ApiError } from '../common/api-error';
import { idParamSchema, Instant, OptionalText, Text } from '../common/fields';
import { ErrorResponses } from '../common/openapi';
import { PageQuery } from '../common/pagination';
import { APP_CONFIG } from '../config/config.module';
import { ContractIdPipe, UuidPipe } from '../contracts/contract-id.pipe';
import { ContractQueries } from '../contracts/contract-queries.service';
import { EventsView, StorageLocationView, VerifyView } from '../contracts/dto/views';
import { ContractFileReads, ContractFiles } from '../kit/contract-files';
import { actorOf, FileCommands } from '../kit/file-commands';
import { filesPage } from '../kit/file-pages';
import { FileTrails } from '../kit/trail';

const now = () => new Date().toISOString();
const LOCATION_KINDS = ['web-platform', 'backup'];

export class SubProcessorPartyDto {
  @Text('subProcessorName', { example: 'OVH (OVHcloud)' }) name!: string;
  @Text('subProcessorText', { example: 'Backup datacenter RBX-8 (Roubaix)' }) role!: string;
  @Text('country', { example: 'France' }) country!: string;
}

export class NewLocationDto {
  @Text('newLocationId', { example: 'ovh-rbx-8' }) id!: string;
  @Text('subProcessorName', { example: 'OVH RBX-8' }) name!: string;
  @ApiProperty({ enum: LOCATION_KINDS }) @IsIn(LOCATION_KINDS) kind!: string;
  @Text('subProcessorText', { example: 'Roubaix, France' }) site!: string;
}

export class SubProcessorChangeDetailsDto {
  @ApiProperty({ enum: SUB_PROCESSOR_CHANGE_KINDS, description: 'An addition: the data is also held at the new location. A replacement: the new location takes over from `replaces`.' })
  @IsIn(SUB_PROCESSOR_CHANGE_KINDS)
  kind!: string;

  @ApiProperty({ type: SubProcessorPartyDto }) @IsObject() @ValidateNested() @Type(() => SubProcessorPartyDto) subProcessor!: SubProcessorPartyDto;

  @ApiProperty({ type: NewLocationDto, description: 'The location the change adds: its id is new.' }) @IsObject() @ValidateNested() @Type(() => NewLocationDto) location!: NewLocationDto;

  @OptionalText('locationId', { example: 'ovh-gra-1', description: "A replacement's location the data leaves (a location in use now)." })
  replaces?: string;
}

export class AnnounceSubProcessorChangeDto {
  @ApiProperty({ type: SubProcessorChangeDetailsDto }) @IsObject() @ValidateNested() @Type(() => SubProcessorChangeDetailsDto) change!: SubProcessorChangeDetailsDto;

  @Instant({ example: '2027-04-15T00:00:00Z', description: 'When the change takes effect: at least the objection period (SUB_PROCESSOR_OBJECTION_PERIOD, P30D) after the announcement.' })
  effectiveAt!: string;
}

export class ObjectionDto {
  @Text('reason', { example: 'our policy keeps backups at two sites we audited' }) reason!: string;
}

export class SubProcessorPartyView {
  @ApiProperty() name!: string;
  @ApiProperty() role!: string;
  @ApiProperty() country!: string;
}

export class SubProcessorChangeRepresentation {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: SUB_PROCESSOR_CHANGE_KINDS }) kind!: string;
  @ApiProperty({ type: SubProcessorPartyView }) subProcessor!: SubProcessorPartyView;
  @ApiProperty({ type: StorageLocationView }) location!: StorageLocationView;
  @ApiProperty({ type: String, nullable: true }) replaces!: string | null;
  @ApiProperty({ enum: ['announced', 'notified', 'effective'], description: 'announced; notified once every affected contract has its notice; effective on the effective date.' }) status!: string;
  @ApiProperty({ format: 'date-time' }) announcedAt!: string;
  @ApiProperty() objectionPeriod!: string;
  @ApiProperty({ format: 'date-time' }) objectionDeadline!: string;
  @ApiProperty({ format: 'date-time' }) effectiveAt!: string;
  @ApiProperty({ type: Number, nullable: true }) contractsNotified!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Their controllers, each counted once.' }) controllersNotified!: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) notifiedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) effectiveRecordedAt!: string | null;
}

export class SubProcessorChangeListView {
  @ApiProperty({ type: [SubProcessorChangeRepresentation] }) items!: SubProcessorChangeRepresentation[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}

export class SubProcessorView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['sub-processor', 'own-site'], description: "Another company engaged under GDPR 28(4), or the processor's own site." }) kind!: string;
  @ApiProperty() role!: string;
  @ApiProperty() country!: string;
  @ApiProperty({ type: [String], description: 'The storage locations of the catalog it holds data at (see GET /contracts/{id}/processing-record).' }) locations!: string[];
  @ApiProperty({ type: [String], description: 'The sites of those locations, as the seed names them.' }) sites!: string[];
}

export class SubProcessorRegisterView {
  @ApiProperty({ type: [SubProcessorView] }) items!: SubProcessorView[];
  @ApiProperty({ type: [SubProcessorChangeRepresentation], description: 'Every change announced, latest first: additions and replacements with their status.' }) changes!: SubProcessorChangeRepresentation[];
}

export class SubProcessorNoticeRepresentation {
  @ApiProperty({ format: 'uuid', description: "The contract's notice of the change (its trail's id)." }) id!: string;
  @ApiProperty({ format: 'uuid' }) changeId!: string;
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ enum: ['announced', 'objected', 'kept', 'applying', 'applied', 'lapsed'], description: 'kept: objected, the contract kept its locations; lapsed: processing ended before the effective date.' }) status!: string;
  @ApiProperty({ enum: SUB_PROCESSOR_CHANGE_KINDS }) kind!: string;
  @ApiProperty({ type: SubProcessorPartyView }) subProcessor!: SubProcessorPartyView;
  @ApiProperty({ type: StorageLocationView }) location!: StorageLocationView;
  @ApiProperty({ type: String, nullable: true }) replaces!: string | null;
  @ApiProperty({ format: 'date-time' }) announcedAt!: string;
  @ApiProperty({ format: 'date-time' }) objectionDeadline!: string;
  @ApiProperty({ format: 'date-time' }) effectiveAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the relay accepted the email to the controller.' }) sentAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) objectedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) objectionReason!: string | null;
  @ApiProperty({ description: 'An objection stands: account management takes it up with the controller.' }) needsAccountManagement!: boolean;
  @ApiProperty({ type: [String], nullable: true, description: "The contract's storage locations once the change was taken." }) storageLocations!: readonly string[] | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) settledAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) lapsedBecause!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['objection', 'controller_not_told'], description: 'Why the contract kept its locations: its objection, or its controller not told before the objection deadline (account management is emailed).' }) keptBecause!: string | null;
}

export class SubProcessorNoticeListView {
  @ApiProperty({ type: [SubProcessorNoticeRepresentation] }) items!: SubProcessorNoticeRepresentation[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}

/** One change per new location: its id follows from the location's, so a repeat (or a race) names the same change. */
export const subProcessorChangeId = (locationId: string) => uuidv5(`sub-processor-change\n${locationId}`, ID_NAMESPACE);

/** DESIGN §3.8: sub-processor changes, processor-wide, each its own stream and workflow. */
@Injectable()
export class SubProcessorChanges {
  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async stored(id: string): Promise<SubProcessorChangeState | null> {
    const [row] = (await this.dataSource.query(`SELECT state FROM sub_processor_changes WHERE id = $1`, [id])) as { state: SubProcessorChangeState }[];
    return row?.state ?? null;
  }

  async found(id: string): Promise<SubProcessorChangeView> {
    const state = await this.stored(id);
    if (!state) throw new ApiError(404, 'not_found', 'No such sub-processor change.');
    return toSubProcessorChangeView(state);
  }

  list(query: PageQuery) {
    return filesPage(this.dataSource, 'sub_processor_changes', { where: 'true', params: [] }, query, toSubProcessorChangeView);
  }

  async all(): Promise<SubProcessorChangeView[]> {
    const rows = (await this.dataSource.query(`SELECT state FROM sub_processor_changes ORDER BY received_at DESC, id DESC`)) as { state: SubProcessorChangeState }[];
    return rows.map((r) => toSubProcessorChangeView(r.state));
  }

  async announce(body: AnnounceSubProcessorChangeDto, principal: Principal): Promise<{ created: boolean; view: SubProcessorChangeView }> {
    const { change, effectiveAt } = body;
    const changeId = subProcessorChangeId(change.location.id);
    const added = (await this.dataSource.query(`SELECT location_id, status, state->>'replaces' AS replaces FROM sub_processor_changes`)) as { location_id: string; status: string; replaces: string | null }[];
    const pending = added.filter((r) => r.status !== 'effective').flatMap((r) => [r.location_id, ...(r.replaces ? [r.replaces] : [])]);
    const announcement = {
      kind: change.kind,
      subProcessor: change.subProcessor,
      location: change.location,
      replaces: change.replaces ?? null,
      effectiveAt,
      objectionPeriod: this.config.subProcessors.objectionPeriod,
      knownLocations: [...STORAGE_LOCATIONS.map((l) => l.id), ...added.map((r) => r.location_id)],
      pendingLocations: pending,
    };
    const command: SubProcessorChangeCommand = { type: 'AnnounceSubProcessorChange', data: { changeId, ...announcement, announcedAt: now() } };
    this.files.refuseLocally(subProcessorChangeStream.decide, command, (await this.stored(changeId)) ?? subProcessorChangeStream.initialState());
    const input: SubProcessorChangeWorkflowInput = { changeId };
    const opened = await this.files.open({ workflowType: 'subProcessorChangeWorkflow', workflowId: subProcessorChangeWorkflowId(changeId, this.config.temporal.taskQueue), input, update: announceSubProcessorChangeUpdate, args: { announcement, actor: actorOf(principal) } });
    if (!opened) return { created: false, view: await this.found(changeId) };
    return { created: opened.created, view: toSubProcessorChangeView(opened.state) };
  }
}

/** Each affected contract's notice of a change, found under the contract by the change's id. */
@Injectable()
export class SubProcessorNotices extends ContractFiles<SubProcessorNoticeCommand, SubProcessorNoticeState, SubProcessorNoticeView> {
  constructor(@Inject(FileCommands) files: FileCommands, @Inject(ContractQueries) contracts: ContractQueries, @Inject(DataSource) dataSource: DataSource) {
    super({ table: 'sub_processor_notices', noun: 'sub-processor change', workflowId: subProcessorNoticeWorkflowId, decide: subProcessorNoticeStream.decide, view: toSubProcessorNoticeView }, files, contracts, dataSource);
  }

  object(contractId: string, changeId: string, body: ObjectionDto, principal: Principal) {
    const command: SubProcessorNoticeCommand = { type: 'ObjectToSubProcessorChange', data: { reason: body.reason, objectedAt: now() } };
    return this.send(contractId, subProcessorNoticeId(changeId, contractId), command, (h) => h.executeUpdate(objectToSubProcessorChangeUpdate, { args: [{ reason: body.reason, actor: actorOf(principal) }] }));
  }
}

const changeId = new UuidPipe('sub-processor change id');
const ChangeParam = () => ApiParam({ name: 'cid', schema: idParamSchema, description: 'Sub-processor change id' });

@ApiTags('registers')
@ApiBearerAuth()
@Controller('sub-processors')
export class SubProcessorsController {
  constructor(@Inject(SubProcessorChanges) private readonly changes: SubProcessorChanges) {}

  @Get()
  @AnyRole()
  @ApiOperation({ summary: "GDPR 28(2), 28(4): the register of the parties that hold controllers' data for the processor — the hosting datacenters and the backup sites of the catalog, each with its locations — and every change announced." })
  @ApiOkResponse({ type: SubProcessorRegisterView })
  @ErrorResponses(401)
  async list() {
    const changes = await this.changes.all();
    // A change in force engages its party: listed after the catalog's, oldest first.
    const engaged = changes
      .filter((c) => c.status === 'effective')
      .reverse()
      .map((c) => ({ id: c.id, name: c.subProcessor.name, kind: 'sub-processor', role: c.subProcessor.role, country: c.subProcessor.country, locations: [c.location.id], sites: [`${c.location.name}: ${c.location.site}`] }));
    return {
      items: [...SUB_PROCESSORS.map((s) => ({ ...s, locations: [...s.locations], sites: s.locations.map((id) => STORAGE_LOCATIONS.find((l) => l.id === id)!).map((l) => `${l.name}: ${l.site}`) })), ...engaged],
      changes,
    };
  }
}

@ApiTags('registers')
@ApiBearerAuth()
@Controller('sub-processor-changes')
export class SubProcessorChangesController {
  constructor(
    @Inject(SubProcessorChanges) private readonly changes: SubProcessorChanges,
    @Inject(FileTrails) private readonly trails: FileTrails,
  ) {}

  @Post()
  @Roles('dpo')
  @ApiOperation({ summary: 'DESIGN §3.8: announces an addition or a replacement to every affected controller (a notice per contract), with the objection period and the effective date.' })
  @ApiCreatedResponse({ type: SubProcessorChangeRepresentation })
  @ApiOkResponse({ type: SubProcessorChangeRepresentation, description: 'The same change again (it names the same new location).' })
  @ErrorResponses(400, 401, 403, 409, 422)
  async announce(@Body() body: AnnounceSubProcessorChangeDto, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: Response) {
    const { created, view } = await this.changes.announce(body, principal);
    res.status(created ? 201 : 200);
    return view;
  }

  @Get()
  @AnyRole()
  @ApiOperation({ summary: 'Sub-processor changes, oldest announcement first.' })
  @ApiOkResponse({ type: SubProcessorChangeListView })
  @ErrorResponses(400, 401)
  list(@Query() query: PageQuery) {
    return this.changes.list(query);
  }

  @Get(':cid')
  @AnyRole()
  @ChangeParam()
  @ApiOperation({ summary: 'One sub-processor change: how many contracts and controllers it reached, and whether it is in force.' })
  @ApiOkResponse({ type: SubProcessorChangeRepresentation })
  @ErrorResponses(400, 401, 404)
  get(@Param('cid', changeId) id: string) {
    return this.changes.found(id);
  }

  @Get(':cid/events')
  @Roles('dpo', 'admin')
  @ChangeParam()
  @ApiOperation({ summary: "The change's trail, with its hash chain (the contracts it reached as a count and a digest, never a list)." })
  @ApiOkResponse({ type: EventsView })
  @ErrorResponses(400, 401, 403, 404)
  async events(@Param('cid', changeId) id: string) {
    await this.changes.found(id);
    return this.trails.events(id);
  }

  @Get(':cid/events/verify')
  @Roles('dpo', 'admin')
  @ChangeParam()
  @ApiOperation({ summary: "Recomputes the change's hash chain." })
  @ApiOkResponse({ type: VerifyView })
  @ErrorResponses(400, 401, 403, 404)
  async verify(@Param('cid', changeId) id: string) {
    await this.changes.found(id);
    return this.trails.verify(id);
  }
}

const reads = ContractFileReads({
  param: 'cid',
  noun: 'sub-processor change',
  plural: 'notices of sub-processor changes',
  view: SubProcessorNoticeRepresentation,
  listView: SubProcessorNoticeListView,
  fileIdOf: (contractId, cid) => subProcessorNoticeId(cid, contractId),
});

@ApiTags('registers')
@ApiBearerAuth()
@Controller('contracts/:id/sub-processor-changes')
export class ContractSubProcessorChangesController extends reads.Reads {
  constructor(
    @Inject(SubProcessorNotices) protected readonly store: SubProcessorNotices,
    @Inject(FileTrails) trails: FileTrails,
  ) {
    super(trails);
  }

  @Post(':cid/objection')
  @HttpCode(200)
  @Roles('account_manager')
  @reads.params
  @ApiOperation({ summary: "DESIGN §3.8: the controller objects (within the objection period): the contract keeps its locations, and account management is told. Status objected." })
  @ApiOkResponse({ type: SubProcessorNoticeRepresentation })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  object(@Param('id', ContractIdPipe) id: string, @Param('cid', reads.id) cid: string, @Body() body: ObjectionDto, @CurrentPrincipal() principal: Principal) {
    return this.store.object(id, cid, body, principal);
  }
}
