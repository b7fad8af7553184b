import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
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
import {
  AcknowledgeBreachNoticeDto,
  AffectedContractListView,
  BreachNoticeListView,
  BreachNoticeView,
  CloseIncidentDto,
  ConfirmIncidentDto,
  DismissIncidentDto,
  IncidentListView,
  IncidentView,
  ListIncidentsQuery,
  RecordIncidentDto,
  UpdateIncidentDto,
} from './dto/incidents.dto';
import { Incidents } from './incidents.service';

const IncidentParam = () => ApiParam({ name: 'id', schema: idParamSchema, description: 'Incident id' });
const incidentId = new UuidPipe('incident id');

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents')
export class IncidentsController {
  constructor(
    @Inject(Incidents) private readonly incidents: Incidents,
    @Inject(FileTrails) private readonly trails: FileTrails,
  ) {}

  @Post()
  @Roles('dpo')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes the POST safe to retry: the same key answers the first result again (24 h).' })
  @ApiOperation({ summary: 'P8: record an incident with its scope (locations over a window, or contracts). Status investigating.' })
  @ApiCreatedResponse({ type: IncidentView })
  @ApiOkResponse({ type: IncidentView, description: 'The same incident again (a retry under the same key).' })
  @ErrorResponses(400, 401, 403, 409, 422)
  async record(@Body() body: RecordIncidentDto, @CurrentPrincipal() principal: Principal, @IdempotencyKey() scope: IdempotencyScope | null, @Res({ passthrough: true }) res: Response) {
    const { created, view } = await this.incidents.record(body, principal, scope);
    res.status(created ? 201 : 200);
    return view;
  }

  @Get()
  @Roles('dpo', 'admin')
  @ApiOperation({ summary: 'Incidents, latest detected first, each with its notices by status.' })
  @ApiOkResponse({ type: IncidentListView })
  @ErrorResponses(400, 401, 403)
  list(@Query() query: ListIncidentsQuery) {
    return this.incidents.list(query);
  }

  @Get(':id')
  @Roles('dpo', 'admin')
  @IncidentParam()
  @ApiOperation({ summary: 'One incident with its affected contracts and each notice\'s status.' })
  @ApiOkResponse({ type: IncidentView })
  @ErrorResponses(400, 401, 403, 404)
  get(@Param('id', incidentId) id: string) {
    return this.incidents.found(id);
  }

  @Get(':id/notices')
  @Roles('dpo', 'admin')
  @IncidentParam()
  @ApiOperation({ summary: 'Every affected contract of the incident with its notice\'s status, by contract id.' })
  @ApiOkResponse({ type: AffectedContractListView })
  @ErrorResponses(400, 401, 403, 404)
  async notices(@Param('id', incidentId) id: string, @Query() query: PageQuery) {
    await this.incidents.found(id);
    return this.incidents.affected(id, query);
  }

  @Get(':id/events')
  @Roles('dpo', 'admin')
  @IncidentParam()
  @ApiOperation({ summary: "The incident's trail: every event in version order, with its hash chain." })
  @ApiOkResponse({ type: EventsView })
  @ErrorResponses(400, 401, 403, 404)
  async events(@Param('id', incidentId) id: string) {
    await this.incidents.found(id);
    return this.trails.events(id);
  }

  @Get(':id/events/verify')
  @Roles('dpo', 'admin')
  @IncidentParam()
  @ApiOperation({ summary: "Recomputes the incident's hash chain; names the first event that does not match." })
  @ApiOkResponse({ type: VerifyView })
  @ErrorResponses(400, 401, 403, 404)
  async verify(@Param('id', incidentId) id: string) {
    await this.incidents.found(id);
    return this.trails.verify(id);
  }

  @Post(':id/confirmation')
  @HttpCode(200)
  @Roles('dpo')
  @IncidentParam()
  @ApiOperation({ summary: 'Confirm the breach with awareAt: resolves the affected contracts and opens and sends one notice per contract.' })
  @ApiOkResponse({ type: IncidentView })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  confirm(@Param('id', incidentId) id: string, @Body() body: ConfirmIncidentDto, @CurrentPrincipal() principal: Principal) {
    return this.incidents.confirm(id, body, principal);
  }

  @Post(':id/dismissal')
  @HttpCode(200)
  @Roles('dpo')
  @IncidentParam()
  @ApiOperation({ summary: 'No breach: kept on record with its reason, no notice.' })
  @ApiOkResponse({ type: IncidentView })
  @ErrorResponses(400, 401, 403, 404, 409)
  dismiss(@Param('id', incidentId) id: string, @Body() body: DismissIncidentDto, @CurrentPrincipal() principal: Principal) {
    return this.incidents.dismiss(id, body, principal);
  }

  @Post(':id/updates')
  @HttpCode(200)
  @Roles('dpo')
  @IncidentParam()
  @ApiOperation({ summary: 'Content now known (GDPR 33(4)): sent to every affected controller as a supplement.' })
  @ApiOkResponse({ type: IncidentView })
  @ErrorResponses(400, 401, 403, 404, 409)
  update(@Param('id', incidentId) id: string, @Body() body: UpdateIncidentDto, @CurrentPrincipal() principal: Principal) {
    return this.incidents.update(id, body, principal);
  }

  @Post(':id/closure')
  @HttpCode(200)
  @Roles('dpo')
  @IncidentParam()
  @ApiOperation({ summary: 'Close the incident: its notices close with it.' })
  @ApiOkResponse({ type: IncidentView })
  @ErrorResponses(400, 401, 403, 404, 409)
  close(@Param('id', incidentId) id: string, @Body() body: CloseIncidentDto, @CurrentPrincipal() principal: Principal) {
    return this.incidents.close(id, body, principal);
  }
}

const NoticeParams = () => (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
  ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })(target, key, descriptor);
  ApiParam({ name: 'nid', schema: idParamSchema, description: 'Breach notice id' })(target, key, descriptor);
};
const noticeId = new UuidPipe('breach notice id');

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('contracts/:id/breach-notices')
export class BreachNoticesController {
  constructor(
    @Inject(Incidents) private readonly incidents: Incidents,
    @Inject(FileTrails) private readonly trails: FileTrails,
  ) {}

  @Get()
  @AnyRole()
  @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
  @ApiOperation({ summary: "The contract's breach notices: sentAt, targetDue, controllerAuthorityDue, supplements, acknowledgedAt." })
  @ApiOkResponse({ type: BreachNoticeListView })
  @ErrorResponses(400, 401, 404)
  list(@Param('id', ContractIdPipe) id: string, @Query() query: PageQuery) {
    return this.incidents.notices(id, query);
  }

  @Get(':nid')
  @AnyRole()
  @NoticeParams()
  @ApiOperation({ summary: 'One breach notice.' })
  @ApiOkResponse({ type: BreachNoticeView })
  @ErrorResponses(400, 401, 404)
  get(@Param('id', ContractIdPipe) id: string, @Param('nid', noticeId) nid: string) {
    return this.incidents.notice(id, nid);
  }

  @Get(':nid/events')
  @Roles('dpo', 'admin')
  @NoticeParams()
  @ApiOperation({ summary: "The notice's trail, with the receipt of each email (Message-ID, recipients, accepted instant, sha256)." })
  @ApiOkResponse({ type: EventsView })
  @ErrorResponses(400, 401, 403, 404)
  async events(@Param('id', ContractIdPipe) id: string, @Param('nid', noticeId) nid: string) {
    await this.incidents.notice(id, nid);
    return this.trails.events(nid);
  }

  @Get(':nid/events/verify')
  @Roles('dpo', 'admin')
  @NoticeParams()
  @ApiOperation({ summary: "Recomputes the notice's hash chain; names the first event that does not match." })
  @ApiOkResponse({ type: VerifyView })
  @ErrorResponses(400, 401, 403, 404)
  async verify(@Param('id', ContractIdPipe) id: string, @Param('nid', noticeId) nid: string) {
    await this.incidents.notice(id, nid);
    return this.trails.verify(nid);
  }

  @Post(':nid/acknowledgement')
  @HttpCode(200)
  @Roles('account_manager')
  @NoticeParams()
  @ApiOperation({ summary: 'The controller confirmed receipt of the notice.' })
  @ApiOkResponse({ type: BreachNoticeView })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  acknowledge(@Param('id', ContractIdPipe) id: string, @Param('nid', noticeId) nid: string, @Body() body: AcknowledgeBreachNoticeDto, @CurrentPrincipal() principal: Principal) {
    return this.incidents.acknowledge(id, nid, body, principal);
  }
}
