// The processor's DPO (DESIGN §3.6, `processor/dpo`) and the processing record (GDPR 30(2), `processing-record`): their routes.
import { Body, Controller, Get, Inject, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { PROCESSOR_DPO_ID, processorRecordCsv } from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import { CurrentPrincipal } from '../auth/auth.guard';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { ErrorResponses } from '../common/openapi';
import { EventsView, VerifyView } from '../contracts/dto/views';
import { FileTrails } from '../kit/trail';
import { ProcessingRecordQuery, ProcessorDpoRepresentation, SetDpoDto } from './dto/processor-dpo.dto';
import { ProcessorDpo } from './processor-dpo.service';

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
