import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { MAX_EXTENSION_MONTHS, RECEIVERS, SUBJECT_REQUEST_OUTCOMES, SUBJECT_REQUEST_TYPES } from '../../../../libs/domain/src';
import { Instant, OptionalText, Text } from '../common/fields';
import { PageQuery } from '../common/pagination';

export class OpenSubjectRequestDto {
  @ApiProperty({ enum: SUBJECT_REQUEST_TYPES, description: 'GDPR 15–22: what the person asked for.' })
  @IsIn(SUBJECT_REQUEST_TYPES)
  type!: string;

  @Instant({ example: '2027-03-01T09:00:00Z', description: 'When the request reached whoever received it: the clocks run from here.' })
  receivedAt!: string;

  @ApiProperty({ enum: RECEIVERS, description: 'The controller (asking for help) or the processor (which passes it on at once).' })
  @IsIn(RECEIVERS)
  receivedBy!: string;

  @Text('subjectRequestReference', { example: 'DSR-2027-0042' })
  reference!: string;
}

export class ExtendSubjectRequestDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_EXTENSION_MONTHS, description: '12(3): one extension of one or two months, decided before the first deadline.' })
  @IsInt()
  @Min(1)
  @Max(MAX_EXTENSION_MONTHS)
  months!: number;

  @Text('reason', { example: 'several systems to search' })
  reason!: string;
}

export class CompleteSubjectRequestDto {
  @ApiProperty({ enum: SUBJECT_REQUEST_OUTCOMES })
  @IsIn(SUBJECT_REQUEST_OUTCOMES)
  outcome!: string;

  @OptionalText('reason', { description: '12(4): required unless the outcome is fulfilled.' })
  reason?: string;
}

export class ListSubjectRequestsQuery extends PageQuery {}

export class SubjectRequestView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ enum: ['open', 'completed'] }) status!: string;
  @ApiProperty({ enum: SUBJECT_REQUEST_TYPES }) type!: string;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ enum: RECEIVERS }) receivedBy!: string;
  @ApiProperty() reference!: string;
  @ApiProperty({ format: 'date-time', description: 'The controller\'s deadline: receipt + P1M (12(3)).' }) deadline!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The extended deadline, receipt + P(1+n)M.' }) extendedTo!: string | null;
  @ApiProperty({ type: String, nullable: true }) extensionReason!: string | null;
  @ApiProperty({ format: 'date-time', description: 'The processor\'s own target: the deadline less DSR_ASSISTANCE_MARGIN, never before receipt.' }) assistanceDue!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a request the processor received was passed to the controller.' }) forwardedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) remindedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) escalatedAt!: string | null;
  @ApiProperty({ type: String, enum: SUBJECT_REQUEST_OUTCOMES, nullable: true }) outcome!: string | null;
  @ApiProperty({ type: String, nullable: true }) outcomeReason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt!: string | null;
  @ApiProperty({ description: 'Completed after the controller\'s deadline.' }) late!: boolean;
  @ApiProperty({ type: [String], enum: ['assistanceDue', 'deadline'], description: 'The clocks past due and not met.' }) overdue!: string[];
}

export class SubjectRequestListView {
  @ApiProperty({ type: [SubjectRequestView] }) items!: SubjectRequestView[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}
