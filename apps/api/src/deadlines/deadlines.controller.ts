import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnyRole } from '../auth/roles.decorator';
import { ErrorResponses } from '../common/openapi';
import { DeadlineQueries } from './deadlines.service';
import { ListDeadlinesQuery } from './dto/list-deadlines.dto';
import { InboxView } from './dto/views';

@ApiTags('deadlines')
@ApiBearerAuth()
@Controller('deadlines')
export class DeadlinesController {
  constructor(@Inject(DeadlineQueries) private readonly queries: DeadlineQueries) {}

  @Get()
  @AnyRole()
  @ApiOperation({ summary: 'The inbox (§3.9): every open clock of every contract and file, earliest first, each flagged when overdue; cursor pagination.' })
  @ApiOkResponse({ type: InboxView })
  @ErrorResponses(400, 401)
  list(@Query() query: ListDeadlinesQuery): Promise<InboxView> {
    return this.queries.list(query);
  }
}
