import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DEADLINE_KINDS } from '#domain';
import { PageQuery } from '../../common/pagination';
import { Id, Instant } from '../../common/fields';

export class ListDeadlinesQuery extends PageQuery {
  @Instant({ example: '2027-03-01T00:00:00Z', description: 'Due strictly before this instant.' }, true)
  before?: string;

  @ApiPropertyOptional({ enum: [...DEADLINE_KINDS] })
  @IsOptional()
  @IsIn(DEADLINE_KINDS)
  kind?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only the clocks past due (true) or not yet due (false).' })
  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';

  @Id({ description: 'Only the clocks of this contract and its files.' }, true)
  contract?: string;
}
