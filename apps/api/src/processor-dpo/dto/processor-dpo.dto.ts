// The processor's DPO (DESIGN §3.6) and the processing record (GDPR 30(2)): request bodies and OpenAPI views.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Email, OptionalText, Text } from '../../common/fields';

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

export class ProcessingRecordQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}
