import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { OptionalText } from '../../common/fields';
import { PageQuery } from '../../common/pagination';
import { IsInstant } from './validators';

export const CONTRACT_STATUSES = ['ordered', 'active', 'expired', 'terminated', 'cancelled', 'destroyed'] as const;

export class ListContractsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CONTRACT_STATUSES })
  @IsOptional()
  @IsIn(CONTRACT_STATUSES)
  status?: (typeof CONTRACT_STATUSES)[number];

  @OptionalText('search', { description: "Part of the controller's name (any case), or its exact email." })
  controller?: string;

  @ApiPropertyOptional({ example: '2027-03-01T00:00:00Z', description: 'Current term ends strictly before this instant.' })
  @IsOptional()
  @IsInstant()
  termEndsBefore?: string;

  @ApiPropertyOptional({ example: '2027-09-01T00:00:00Z', description: 'Destruction deadline strictly before this instant.' })
  @IsOptional()
  @IsInstant()
  destructionDueBefore?: string;
}
