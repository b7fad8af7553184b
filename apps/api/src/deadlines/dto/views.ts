import { ApiProperty } from '@nestjs/swagger';
import { DEADLINE_KINDS } from '#domain';

export class DeadlineFileView {
  @ApiProperty({ example: 'contract', description: 'The kind of file the clock belongs to.' }) type!: string;
  @ApiProperty({ description: "The file's id." }) id!: string;
}

/** One open clock of the inbox (DESIGN §3.9). */
export class InboxItemView {
  @ApiProperty({ type: DeadlineFileView }) file!: DeadlineFileView;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The contract the file belongs to; null for a processor-wide file.' }) contractId!: string | null;
  @ApiProperty({ enum: [...DEADLINE_KINDS] }) kind!: string;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiProperty({ description: 'The clock is past due and what it asks for is not done.' }) overdue!: boolean;
  @ApiProperty({ enum: ['processor', 'controller'], description: "Whose deadline it is: the processor's, or the controller's own (its 72 hours to tell its authority, its month to answer a data subject), which the processor tracks." })
  whose!: 'processor' | 'controller';
}

export class InboxView {
  @ApiProperty({ type: [InboxItemView] }) items!: InboxItemView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page.' }) nextCursor!: string | null;
}
