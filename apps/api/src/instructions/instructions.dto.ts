import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { INSTRUCTION_CHANNELS } from '../../../../libs/domain/src';
import { Instant, Text } from '../common/fields';
import { PageQuery } from '../common/pagination';

export class DocumentInstructionDto {
  @Instant({ example: '2027-03-01T09:00:00Z', description: 'When the controller gave the instruction.' })
  receivedAt!: string;

  @ApiProperty({ enum: INSTRUCTION_CHANNELS, description: 'How it reached the processor.' })
  @IsIn(INSTRUCTION_CHANNELS)
  channel!: string;

  @Text('instructionSummary', { example: 'Keep backups of the shop database for 90 days instead of 30' })
  summary!: string;

  @Text('documentRef', { example: 'TICKET-2027-0311' })
  documentRef!: string;
}

export class ObjectToInstructionDto {
  @Text('reason', { example: 'keeping the backups longer has no legal basis the controller named' })
  reason!: string;
}

export class ListInstructionsQuery extends PageQuery {}

export class InstructionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ enum: ['documented', 'acknowledged', 'on_hold', 'executed', 'withdrawn'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ enum: INSTRUCTION_CHANNELS }) channel!: string;
  @ApiProperty() summary!: string;
  @ApiProperty() documentRef!: string;
  @ApiProperty({ format: 'date-time' }) documentedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledgedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) executedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "Why the processor considers the instruction unlawful (GDPR 28(3))." }) objectionReason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) objectedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The controller confirmed the instruction despite the objection: the hold is released.' }) confirmedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) withdrawnAt!: string | null;
  @ApiProperty({ type: [String], description: 'The clocks past due and not met (an instruction has none).' }) overdue!: string[];
}

export class InstructionListView {
  @ApiProperty({ type: [InstructionView] }) items!: InstructionView[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}
