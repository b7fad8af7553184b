// Sub-processors (DESIGN §3.8): the register (`sub-processors`), the changes announced (`sub-processor-changes`) and each contract's notice of one with the controller's objection (`contracts/{id}/sub-processor-changes`): their routes.
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { type Principal } from '#infra/auth/api-keys';
import { subProcessorNoticeId } from '#infra/ids';
import { CurrentPrincipal } from '../auth/auth.guard';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { idParamSchema } from '../common/fields';
import { ErrorResponses } from '../common/openapi';
import { PageQuery } from '../common/pagination';
import { ContractIdPipe, UuidPipe } from '../contracts/contract-id.pipe';
import { EventsView, VerifyView } from '../contracts/dto/views';
import { ContractFileReads } from '../kit/contract-files';
import { FileTrails } from '../kit/trail';
import {
  AnnounceSubProcessorChangeDto,
  ObjectionDto,
  SubProcessorChangeListView,
  SubProcessorChangeRepresentation,
  SubProcessorNoticeListView,
  SubProcessorNoticeRepresentation,
  SubProcessorRegisterView,
} from './dto/sub-processors.dto';
import { SubProcessorChanges, SubProcessorNotices } from './sub-processors.service';

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
  list() {
    return this.changes.register();
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
