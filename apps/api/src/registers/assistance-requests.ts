import { Body, Controller, HttpCode, Inject, Injectable, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { ASSISTANCE_KINDS, assistanceRequestStream, toAssistanceRequestView, type AssistanceRequestCommand, type AssistanceRequestState, type AssistanceRequestView } from '../../../../libs/domain/src';
import { type Principal } from '../../../../libs/infra/src/auth/api-keys';
import { assistanceRequestWorkflowId, deliverAssistanceUpdate, requestAssistanceUpdate, type AssistanceRequestWorkflowInput } from '../../../../libs/infra/src/temporal/messages';
import { CurrentPrincipal } from '../auth/auth.guard';
import { Roles } from '../auth/roles.decorator';
import { idParamSchema, Instant, Text } from '../common/fields';
import { IdempotencyKey, type IdempotencyScope } from '../common/idempotency.middleware';
import { ErrorResponses } from '../common/openapi';
import { ContractIdPipe } from '../contracts/contract-id.pipe';
import { ContractQueries } from '../contracts/contract-queries.service';
import { ContractFileReads, ContractFiles } from '../kit/contract-files';
import { actorOf, contractFor, FileCommands, newId, partiesOf } from '../kit/file-commands';
import { FileTrails } from '../kit/trail';

const now = () => new Date().toISOString();

export class RequestAssistanceDto {
  @ApiProperty({ enum: ASSISTANCE_KINDS, description: 'A data protection impact assessment (GDPR 35) or a prior consultation of the supervisory authority (GDPR 36).' })
  @IsIn(ASSISTANCE_KINDS)
  kind!: string;

  @Instant({ example: '2027-03-01T09:00:00Z', description: 'When the controller asked.' })
  receivedAt!: string;

  @Instant({ example: '2027-03-15T17:00:00Z', description: 'When the controller needs it (set by the controller).' })
  dueAt!: string;

  @Text('assistanceText', { example: 'DPIA of the new customer-analytics database: hosting security measures and sub-processors' })
  summary!: string;
}

export class DeliverAssistanceDto {
  @Instant({ description: 'When the help was given to the controller.' })
  deliveredAt!: string;

  @Text('assistanceText', { example: 'Security measures of the hosting (seed §Security), the sub-processor list, the data flow of backups' })
  provided!: string;
}

export class AssistanceRequestRepresentation {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ enum: ASSISTANCE_KINDS }) kind!: string;
  @ApiProperty({ enum: ['open', 'delivered'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ format: 'date-time', description: "The controller's due date: reminded two days before, escalated to the DPO when it passes." }) dueAt!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) provided!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) remindedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) escalatedAt!: string | null;
  @ApiProperty({ description: 'Delivered after dueAt.' }) late!: boolean;
  @ApiProperty({ type: [String], enum: ['dueAt'] }) overdue!: string[];
}

export class AssistanceRequestListView {
  @ApiProperty({ type: [AssistanceRequestRepresentation] }) items!: AssistanceRequestRepresentation[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}

/** DESIGN §3.5: a contract's DPIA and prior-consultation assistance requests, each its own file and workflow. */
@Injectable()
export class AssistanceRequests extends ContractFiles<AssistanceRequestCommand, AssistanceRequestState, AssistanceRequestView> {
  constructor(@Inject(FileCommands) files: FileCommands, @Inject(ContractQueries) contracts: ContractQueries, @Inject(DataSource) dataSource: DataSource) {
    super(
      { table: 'assistance_requests', noun: 'assistance request', workflowId: assistanceRequestWorkflowId, decide: assistanceRequestStream.decide, view: toAssistanceRequestView },
      files,
      contracts,
      dataSource,
    );
  }

  async request(contractId: string, body: RequestAssistanceDto, principal: Principal, scope: IdempotencyScope | null): Promise<{ created: boolean; view: AssistanceRequestView }> {
    const contract = await contractFor(this.contracts, contractId);
    const requestId = newId(scope, `assistance-request\n${contractId}`);
    const request = { requestId, contractId, kind: body.kind, receivedAt: body.receivedAt, dueAt: body.dueAt, summary: body.summary, contractOrderedAt: contract.orderedAt };
    this.files.refuseLocally(assistanceRequestStream.decide, { type: 'RequestAssistance', data: { ...request, recordedAt: now() } } as AssistanceRequestCommand, assistanceRequestStream.initialState());
    const input: AssistanceRequestWorkflowInput = { requestId, parties: partiesOf(contract) };
    const opened = await this.files.open({ workflowType: 'assistanceRequestWorkflow', workflowId: assistanceRequestWorkflowId(requestId), input, update: requestAssistanceUpdate, args: { request, actor: actorOf(principal) } });
    if (!opened) return { created: false, view: await this.found(contractId, requestId) };
    return { created: opened.created, view: toAssistanceRequestView(opened.state, now()) };
  }

  deliver(contractId: string, id: string, body: DeliverAssistanceDto, principal: Principal) {
    const command: AssistanceRequestCommand = { type: 'DeliverAssistance', data: { deliveredAt: body.deliveredAt, provided: body.provided, recordedAt: now() } };
    return this.send(contractId, id, command, (h) => h.executeUpdate(deliverAssistanceUpdate, { args: [{ deliveredAt: body.deliveredAt, provided: body.provided, actor: actorOf(principal) }] }));
  }
}

const reads = ContractFileReads({ param: 'aid', noun: 'assistance request', plural: 'DPIA and prior-consultation assistance requests', view: AssistanceRequestRepresentation, listView: AssistanceRequestListView });

@ApiTags('registers')
@ApiBearerAuth()
@Controller('contracts/:id/assistance-requests')
export class AssistanceRequestsController extends reads.Reads {
  constructor(
    @Inject(AssistanceRequests) protected readonly store: AssistanceRequests,
    @Inject(FileTrails) trails: FileTrails,
  ) {
    super(trails);
  }

  @Post()
  @Roles('account_manager', 'dpo')
  @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes the POST safe to retry: the same key answers the first result again (24 h).' })
  @ApiOperation({ summary: "P9: the controller asks for help with a DPIA or a prior consultation, due when it says. Status open." })
  @ApiCreatedResponse({ type: AssistanceRequestRepresentation })
  @ApiOkResponse({ type: AssistanceRequestRepresentation, description: 'The same request again (its workflow had finished).' })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  async record(@Param('id', ContractIdPipe) id: string, @Body() body: RequestAssistanceDto, @CurrentPrincipal() principal: Principal, @IdempotencyKey() scope: IdempotencyScope | null, @Res({ passthrough: true }) res: Response) {
    const { created, view } = await this.store.request(id, body, principal, scope);
    res.status(created ? 201 : 200);
    return view;
  }

  @Post(':aid/delivery')
  @HttpCode(200)
  @Roles('account_manager', 'dpo')
  @reads.params
  @ApiOperation({ summary: 'The help was given: when, and what was provided. Status delivered (late when after dueAt).' })
  @ApiOkResponse({ type: AssistanceRequestRepresentation })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  deliver(@Param('id', ContractIdPipe) id: string, @Param('aid', reads.id) aid: string, @Body() body: DeliverAssistanceDto, @CurrentPrincipal() principal: Principal) {
    return this.store.deliver(id, aid, body, principal);
  }
}
