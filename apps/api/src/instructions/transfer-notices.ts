import { Body, Controller, Get, Inject, Injectable, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { toTransferNoticeView, transferNoticeStream, type TransferNoticeCommand, type TransferNoticeState, type TransferNoticeView } from '../../../../libs/domain/src';
import { type Principal } from '../../../../libs/infra/src/auth/api-keys';
import { recordTransferNoticeUpdate, transferNoticeWorkflowId, type TransferNoticeWorkflowInput } from '../../../../libs/infra/src/temporal/messages';
import { CurrentPrincipal } from '../auth/auth.guard';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { ApiError } from '../common/api-error';
import { idParamSchema, Instant, OptionalText, Text } from '../common/fields';
import { IdempotencyKey, type IdempotencyScope } from '../common/idempotency.middleware';
import { ErrorResponses } from '../common/openapi';
import { PageQuery } from '../common/pagination';
import { ContractIdPipe, UuidPipe } from '../contracts/contract-id.pipe';
import { ContractQueries } from '../contracts/contract-queries.service';
import { EventsView, VerifyView } from '../contracts/dto/views';
import { actorOf, contractFor, FileCommands, newId, partiesOf } from '../kit/file-commands';
import { contractFilesPage } from '../kit/file-pages';
import { FileTrails } from '../kit/trail';

const now = () => new Date().toISOString();

export class RecordTransferNoticeDto {
  @Text('transferDestination', { example: 'United States: a federal court', description: 'The third country or international organisation.' })
  destination!: string;

  @Text('reason', { example: 'court order 24-cv-0113 under 18 U.S.C. § 2703', description: 'The Union or Member State law that requires the transfer.' })
  legalObligation!: string;

  @Instant({ description: 'When the transfer is planned: the controller is told before it.' })
  plannedAt!: string;

  @OptionalText('reason', { description: 'When that law forbids telling the controller (important grounds of public interest): recorded, and no email goes out.' })
  withheldReason?: string;
}

export class TransferNoticeRepresentation {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ enum: ['pending', 'sent', 'withheld'] }) status!: string;
  @ApiProperty() destination!: string;
  @ApiProperty() legalObligation!: string;
  @ApiProperty({ format: 'date-time' }) plannedAt!: string;
  @ApiProperty({ type: String, nullable: true }) withheldReason!: string | null;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the relay accepted the email to the controller.' }) sentAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) escalatedAt!: string | null;
  @ApiProperty({ description: 'Sent only after the planned transfer.' }) late!: boolean;
  @ApiProperty({ type: [String], enum: ['plannedAt'] }) overdue!: string[];
}

export class TransferNoticeListView {
  @ApiProperty({ type: [TransferNoticeRepresentation] }) items!: TransferNoticeRepresentation[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}

/** DESIGN §3.3: transfer notices under a contract, each its own file and workflow. */
@Injectable()
export class TransferNotices {
  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(ContractQueries) private readonly contracts: ContractQueries,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  async record(contractId: string, body: RecordTransferNoticeDto, principal: Principal, scope: IdempotencyScope | null): Promise<{ created: boolean; view: TransferNoticeView }> {
    const contract = await contractFor(this.contracts, contractId);
    const noticeId = newId(scope, `transfer-notice\n${contractId}`);
    const record = { noticeId, contractId, destination: body.destination, legalObligation: body.legalObligation, plannedAt: body.plannedAt, withheldReason: body.withheldReason ?? null };
    this.files.refuseLocally(transferNoticeStream.decide, { type: 'RecordTransferNotice', data: { ...record, recordedAt: now() } } as TransferNoticeCommand, transferNoticeStream.initialState());
    const input: TransferNoticeWorkflowInput = { noticeId, parties: partiesOf(contract) };
    const opened = await this.files.open({ workflowType: 'transferNoticeWorkflow', workflowId: transferNoticeWorkflowId(noticeId), input, update: recordTransferNoticeUpdate, args: { record, actor: actorOf(principal) } });
    if (!opened) return { created: false, view: await this.found(contractId, noticeId) };
    return { created: opened.created, view: toTransferNoticeView(opened.state, now()) };
  }

  async found(contractId: string, noticeId: string): Promise<TransferNoticeView> {
    const [row] = (await this.dataSource.query(`SELECT state, contract_id FROM transfer_notices WHERE id = $1`, [noticeId])) as { state: TransferNoticeState; contract_id: string }[];
    if (!row || row.contract_id !== contractId) throw new ApiError(404, 'not_found', 'No such transfer notice for this contract.');
    return toTransferNoticeView(row.state, now());
  }

  async list(contractId: string, query: PageQuery) {
    await this.contracts.found(contractId);
    const at = now();
    return contractFilesPage(this.dataSource, 'transfer_notices', contractId, query, (state: TransferNoticeState) => toTransferNoticeView(state, at));
  }
}

const Params = () => (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
  ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })(target, key, descriptor);
  ApiParam({ name: 'tid', schema: idParamSchema, description: 'Transfer notice id' })(target, key, descriptor);
};
const noticeId = new UuidPipe('transfer notice id');

@ApiTags('instructions')
@ApiBearerAuth()
@Controller('contracts/:id/transfer-notices')
export class TransferNoticesController {
  constructor(
    @Inject(TransferNotices) private readonly notices: TransferNotices,
    @Inject(FileTrails) private readonly trails: FileTrails,
  ) {}

  @Post()
  @Roles('dpo')
  @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes the POST safe to retry: the same key answers the first result again (24 h).' })
  @ApiOperation({ summary: 'P2: a transfer the law requires; the controller is emailed before it, unless that law forbids telling it (withheldReason: recorded, nothing sent).' })
  @ApiCreatedResponse({ type: TransferNoticeRepresentation })
  @ApiOkResponse({ type: TransferNoticeRepresentation, description: 'The same notice again (its workflow had finished).' })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  async record(@Param('id', ContractIdPipe) id: string, @Body() body: RecordTransferNoticeDto, @CurrentPrincipal() principal: Principal, @IdempotencyKey() scope: IdempotencyScope | null, @Res({ passthrough: true }) res: Response) {
    const { created, view } = await this.notices.record(id, body, principal, scope);
    res.status(created ? 201 : 200);
    return view;
  }

  @Get()
  @AnyRole()
  @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
  @ApiOperation({ summary: "The contract's transfer notices, oldest first." })
  @ApiOkResponse({ type: TransferNoticeListView })
  @ErrorResponses(400, 401, 404)
  list(@Param('id', ContractIdPipe) id: string, @Query() query: PageQuery) {
    return this.notices.list(id, query);
  }

  @Get(':tid')
  @AnyRole()
  @Params()
  @ApiOperation({ summary: 'One transfer notice.' })
  @ApiOkResponse({ type: TransferNoticeRepresentation })
  @ErrorResponses(400, 401, 404)
  get(@Param('id', ContractIdPipe) id: string, @Param('tid', noticeId) tid: string) {
    return this.notices.found(id, tid);
  }

  @Get(':tid/events')
  @Roles('dpo', 'admin')
  @Params()
  @ApiOperation({ summary: "The notice's trail, with its email's receipt." })
  @ApiOkResponse({ type: EventsView })
  @ErrorResponses(400, 401, 403, 404)
  async events(@Param('id', ContractIdPipe) id: string, @Param('tid', noticeId) tid: string) {
    await this.notices.found(id, tid);
    return this.trails.events(tid);
  }

  @Get(':tid/events/verify')
  @Roles('dpo', 'admin')
  @Params()
  @ApiOperation({ summary: "Recomputes the notice's hash chain; names the first event that does not match." })
  @ApiOkResponse({ type: VerifyView })
  @ErrorResponses(400, 401, 403, 404)
  async verify(@Param('id', ContractIdPipe) id: string, @Param('tid', noticeId) tid: string) {
    await this.notices.found(id, tid);
    return this.trails.verify(tid);
  }
}
