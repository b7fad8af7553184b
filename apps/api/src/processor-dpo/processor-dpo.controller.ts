// The processor's DPO (DESIGN §3.6, `processor/dpo`) and the processing record (GDPR 30(2), `processing-record`): their routes.
import { Body, Controller, Get, Inject, Logger, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { type Response } from 'express';
import { PROCESSOR_DPO_ID } from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import { CurrentPrincipal } from '../auth/auth.guard';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { ApiError } from '../common/api-error';
import { ErrorResponses } from '../common/openapi';
import { DEFAULT_PAGE, readCursor, toPage } from '../common/pagination';
import { EventsView, VerifyView } from '../contracts/dto/views';
import { FileTrails } from '../kit/trail';
import { ProcessingRecordPageView, ProcessingRecordQuery, ProcessorDpoRepresentation, SetDpoDto } from './dto/processor-dpo.dto';
import { csvChunks, recordCursor, streamBody } from './processing-record';
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
@ApiExtraModels(ProcessingRecordPageView)
@Controller('processing-record')
export class ProcessingRecordController {
  private readonly logger = new Logger('ProcessingRecord');

  constructor(@Inject(ProcessorDpo) private readonly dpo: ProcessorDpo) {}

  @Get()
  @Roles('dpo', 'admin')
  @ApiOperation({
    summary:
      "GDPR 30(2): the processor's record of processing across every controller it acts for (contracts ordered, active or awaiting destruction), one row per contract, oldest order first, paged; `?format=csv`: every row, streamed.",
  })
  @ApiOkResponse({
    description: "A page of the record (JSON): what it says once beside `items` and `nextCursor`; or with format=csv the whole record as CSV (text/csv), streamed: a transfer cut short means the database failed mid-way.",
    content: { 'application/json': { schema: { $ref: getSchemaPath(ProcessingRecordPageView) } }, 'text/csv': { schema: { type: 'string' } } },
  })
  @ErrorResponses(400, 401, 403)
  async record(@Query() query: ProcessingRecordQuery, @Res() res: Response): Promise<void> {
    if (query.format !== 'csv') {
      const limit = query.limit ?? DEFAULT_PAGE;
      const after = query.cursor ? readCursor(query.cursor, recordCursor) : null;
      const [head, rows] = await Promise.all([this.dpo.recordHead(), this.dpo.recordRows(limit + 1, after)]);
      res.json({ ...head, ...toPage(rows, limit, (r) => r.row, (last) => [last.cursor.orderedAt, last.cursor.id]) });
      return;
    }
    const paging = (['limit', 'cursor'] as const).filter((field) => query[field] !== undefined);
    if (paging.length > 0) {
      const fields = paging.map((field) => ({ field, problem: `${field} pages the JSON record; the CSV is the whole record` }));
      throw new ApiError(400, 'validation_failed', `The request is invalid: ${fields.map((f) => `${f.field}: ${f.problem}`).join('; ')}`, { fields });
    }
    const head = await this.dpo.recordHead();
    const headers = { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="processing-record-${head.generatedAt.slice(0, 10)}.csv"` };
    await streamBody(res, headers, csvChunks(head, this.dpo.recordBatches()), (error) => {
      // As the error filter logs: the class and a driver code, never a message (it may quote data).
      const driverCode = (error as { code?: unknown })?.code;
      this.logger.error({ err: { type: (error as Error)?.constructor?.name, ...(typeof driverCode === 'string' && driverCode.length <= 40 ? { driverCode } : {}) } }, 'processing record cut short');
    });
  }
}
