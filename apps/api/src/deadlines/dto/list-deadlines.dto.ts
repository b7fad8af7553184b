import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { STAFF_CLOCK_KINDS, AUDIT_CLOCK_KINDS, ASSISTANCE_REQUEST_CLOCK_KINDS, TRANSFER_NOTICE_CLOCK_KINDS, BREACH_NOTICE_CLOCK_KINDS, CONTRACT_CLOCK_KINDS, SUBJECT_REQUEST_CLOCK_KINDS } from '../../../../../libs/domain/src';
import { PageQuery } from '../../common/pagination';
import { Id, Instant } from '../../common/fields';

/** Every kind of clock the inbox lists; each file type adds its own. */
export const DEADLINE_KINDS = [...CONTRACT_CLOCK_KINDS, ...SUBJECT_REQUEST_CLOCK_KINDS, ...BREACH_NOTICE_CLOCK_KINDS, ...TRANSFER_NOTICE_CLOCK_KINDS, ...ASSISTANCE_REQUEST_CLOCK_KINDS, ...AUDIT_CLOCK_KINDS, ...STAFF_CLOCK_KINDS] as const;

export class ListDeadlinesQuery extends PageQuery {
  @Instant({ example: '2027-03-01T00:00:00Z', description: 'Due strictly before this instant.' }, true)
  before?: string;

  @ApiPropertyOptional({ enum: DEADLINE_KINDS })
  @IsOptional()
  @IsIn(DEADLINE_KINDS)
  kind?: (typeof DEADLINE_KINDS)[number];

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only the clocks past due (true) or not yet due (false).' })
  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';

  @Id({ description: 'Only the clocks of this contract and its files.' }, true)
  contract?: string;
}
