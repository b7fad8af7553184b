import { Body, Controller, Get, Inject, Injectable, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import {
  ACTING_STATUSES,
  PROCESSOR_DPO_ID,
  processorDpoStream,
  processorRecord,
  processorRecordCsv,
  toProcessorDpoView,
  type ContractState,
  type DpoContact,
  type ProcessorDpoCommand,
  type ProcessorDpoState,
  type ProcessorDpoView,
  type TransferNoticeState,
} from '../../../../libs/domain/src';
import { type Principal } from '../../../../libs/infra/src/auth/api-keys';
import { type AppConfig } from '../../../../libs/infra/src/config/config';
import { processorDpoWorkflowId, setDpoUpdate, type ProcessorDpoWorkflowInput } from '../../../../libs/infra/src/temporal/messages';
import { CurrentPrincipal } from '../auth/auth.guard';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { Email, OptionalText, Text } from '../common/fields';
import { ErrorResponses } from '../common/openapi';
import { APP_CONFIG } from '../config/config.module';
import { EventsView, VerifyView } from '../contracts/dto/views';
import { actorOf, FileCommands } from '../kit/file-commands';
import { FileTrails } from '../kit/trail';

const now = () => new Date().toISOString();

export class SetDpoDto {
  @Text('controllerName', { example: 'Dana Officer' })
  name!: string;

  @Email({ example: 'dpo@processor.example' })
  email!: string;

  @OptionalText('phone', { example: '+33 1 23 45 67 89' })
  phone?: string;
}

export class ProcessorDpoRepresentation {
  @ApiProperty() name!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ description: '1 for the configured first value, one more for each change.' }) version!: number;
  @ApiProperty({ enum: ['configuration', 'admin'] }) source!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When this value was recorded (null: the configured value, before any change).' }) since!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When this change was written to every controller with a contract active or awaiting destruction.' }) communicatedAt!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'How many controllers (each once) it was written to.' }) controllersInformed!: number | null;
}

/** DESIGN §3.6: the processor's DPO, one stream owned by one workflow. */
@Injectable()
export class ProcessorDpo {
  private readonly configured: DpoContact;

  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.configured = { name: config.processor.dpoName, email: config.processor.dpoEmail, phone: config.processor.dpoPhone };
  }

  async state(): Promise<ProcessorDpoState> {
    const [row] = (await this.dataSource.query(`SELECT state FROM processor_dpo WHERE id = $1`, [PROCESSOR_DPO_ID])) as { state: ProcessorDpoState }[];
    return row?.state ?? { status: 'none' };
  }

  async current(): Promise<ProcessorDpoView> {
    return toProcessorDpoView(await this.state(), this.configured);
  }


  async set(body: SetDpoDto, principal: Principal): Promise<ProcessorDpoView> {
    const command: ProcessorDpoCommand = { type: 'SetDpo', data: { name: body.name, email: body.email, phone: body.phone ?? null, source: 'admin', recordedAt: now() } };
    this.files.refuseLocally(processorDpoStream.decide, command, await this.state());
    const input: ProcessorDpoWorkflowInput = { configured: this.configured };
    const opened = await this.files.open({ workflowType: 'processorDpoWorkflow', workflowId: processorDpoWorkflowId(PROCESSOR_DPO_ID, this.files.config.temporal.taskQueue), input, update: setDpoUpdate, args: { name: body.name, email: body.email, phone: body.phone ?? null, actor: actorOf(principal) } });
    return opened ? toProcessorDpoView(opened.state, this.configured) : this.current();
  }

  /** GDPR 30(2) across every controller: the contracts the processor acts for, the transfers the law required, the DPO now. */
  async record() {
    const contracts = (await this.dataSource.query(`SELECT state FROM contracts WHERE status = ANY($1) ORDER BY ordered_at, id`, [[...ACTING_STATUSES]])) as { state: ContractState }[];
    const transfers = (await this.dataSource.query(`SELECT state FROM transfer_notices ORDER BY received_at, id`)) as { state: Extract<TransferNoticeState, { contractId: string }> }[];
    const { name, email, phone } = await this.current();
    return processorRecord(
      contracts.map((r) => r.state),
      transfers.map(({ state: t }) => ({ contractId: t.contractId, destination: t.destination, legalObligation: t.legalObligation, plannedAt: t.plannedAt })),
      { name, email, phone },
      now(),
    );
  }
}

export class ProcessingRecordQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

@ApiTags('registers')
@ApiBearerAuth()
@Controller('processor/dpo')
export class ProcessorDpoController {
  constructor(
    @Inject(ProcessorDpo) private readonly dpo: ProcessorDpo,
    @Inject(FileTrails) private readonly trails: FileTrails,
  ) {}

  @Get()
  @AnyRole()
  @ApiOperation({ summary: "P12: the processor's DPO now, and whether its last change was written to every controller." })
  @ApiOkResponse({ type: ProcessorDpoRepresentation })
  @ErrorResponses(401)
  get() {
    return this.dpo.current();
  }

  @Put()
  @Roles('admin')
  @ApiOperation({ summary: "P12: changes the processor's DPO; the change is written once to every controller with a contract active or awaiting destruction (once per controller, not per contract)." })
  @ApiOkResponse({ type: ProcessorDpoRepresentation })
  @ErrorResponses(400, 401, 403, 422)
  set(@Body() body: SetDpoDto, @CurrentPrincipal() principal: Principal) {
    return this.dpo.set(body, principal);
  }

  @Get('events')
  @Roles('dpo', 'admin')
  @ApiOperation({ summary: "The DPO stream's trail: each value and each change's communication, with its hash chain." })
  @ApiOkResponse({ type: EventsView })
  @ErrorResponses(401, 403)
  events() {
    return this.trails.events(PROCESSOR_DPO_ID);
  }

  @Get('events/verify')
  @Roles('dpo', 'admin')
  @ApiOperation({ summary: "Recomputes the DPO stream's hash chain." })
  @ApiOkResponse({ type: VerifyView })
  @ErrorResponses(401, 403)
  verify() {
    return this.trails.verify(PROCESSOR_DPO_ID);
  }
}

@ApiTags('registers')
@ApiBearerAuth()
@Controller('processing-record')
export class ProcessingRecordController {
  constructor(@Inject(ProcessorDpo) private readonly dpo: ProcessorDpo) {}

  @Get()
  @Roles('dpo', 'admin')
  @ApiOperation({ summary: "GDPR 30(2): the processor's record of processing across every controller it acts for (contracts ordered, active or awaiting destruction); `?format=csv`: one row per contract." })
  @ApiOkResponse({ description: 'The record (JSON), or with format=csv the same as CSV (text/csv).', content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } })
  @ErrorResponses(400, 401, 403)
  async record(@Query() query: ProcessingRecordQuery, @Res() res: Response): Promise<void> {
    const record = await this.dpo.record();
    if (query.format !== 'csv') {
      res.json(record);
      return;
    }
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="processing-record-${record.generatedAt.slice(0, 10)}.csv"`);
    res.send(processorRecordCsv(record));
  }
}
