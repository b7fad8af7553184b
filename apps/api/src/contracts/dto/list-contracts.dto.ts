import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Instant, OptionalText } from '../../common/fields';
import { PageQuery } from '../../common/pagination';
import { CONTRACT_STATUSES } from '#domain';

export class ListContractsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CONTRACT_STATUSES })
  @IsOptional()
  @IsIn(CONTRACT_STATUSES)
  status?: (typeof CONTRACT_STATUSES)[number];

  @OptionalText('search', { description: "Part of the controller's name (any case), or its exact email." })
  controller?: string;

  @OptionalText('search', { description: "The start of the contract's reference (any case)." })
  reference?: string;

  @Instant({ example: '2027-03-01T00:00:00Z', description: 'Current term ends strictly before this instant.' }, true)
  termEndsBefore?: string;

  @Instant({ example: '2027-09-01T00:00:00Z', description: 'Destruction deadline strictly before this instant.' }, true)
  destructionDueBefore?: string;
}
