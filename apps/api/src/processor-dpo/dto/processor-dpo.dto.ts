// The processor's DPO (DESIGN §3.6) and the processing record (GDPR 30(2)): request bodies and OpenAPI views.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ACTING_STATUSES } from '#domain';
import { Email, OptionalText, Text } from '../../common/fields';
import { PageQuery } from '../../common/pagination';
import { CatalogEntryView, StorageLocationView } from '../../contracts/dto/views';

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

/** `limit` and `cursor` page the JSON; the CSV is the whole record, streamed (they are refused with it). */
export class ProcessingRecordQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json', description: 'csv: every row of the record, streamed; without limit or cursor.' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class RecordDpoView {
  @ApiProperty() name!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
}

export class RecordProcessorView {
  @ApiProperty() name!: string;
  @ApiProperty() role!: string;
  @ApiProperty({ type: RecordDpoView, description: 'The DPO now (P12).' }) dpo!: RecordDpoView;
}

export class ControllerEntryView {
  @ApiProperty({ description: 'customer:<id>, else email:<normalised email>.' }) identity!: string;
  @ApiProperty({ description: "As the controller's latest order gives it." }) name!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ type: String, nullable: true }) address!: string | null;
  @ApiProperty({ type: String, nullable: true }) dpoEmail!: string | null;
  @ApiProperty({ type: String, nullable: true }) customerId!: string | null;
  @ApiProperty({ type: [CatalogEntryView], description: "Across the controller's contracts (Art. 30(2)(b))." }) purposes!: CatalogEntryView[];
  @ApiProperty() natureOfOperations!: string;
  @ApiProperty({ type: [CatalogEntryView] }) dataCategories!: CatalogEntryView[];
  @ApiProperty({ type: [CatalogEntryView] }) dataSubjectCategories!: CatalogEntryView[];
  @ApiProperty({ type: [StorageLocationView], description: 'Every location that holds or held its data: catalog order, then added ones by id.' }) storageLocations!: StorageLocationView[];
}

export class RecordedTransferView {
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty() destination!: string;
  @ApiProperty() legalObligation!: string;
  @ApiProperty({ type: String, format: 'date-time' }) plannedAt!: string;
  @ApiProperty() safeguards!: string;
}

export class ProcessingRecordRowView {
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ type: String, nullable: true }) reference!: string | null;
  @ApiProperty({ enum: ACTING_STATUSES }) status!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'The rows are in this order, then by contractId.' }) orderedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) processingStartedAt!: string | null;
  @ApiProperty({ type: ControllerEntryView, description: "The controller's entry, across all its contracts (the same on each of its rows)." }) controller!: ControllerEntryView;
  @ApiProperty({ type: [RecordedTransferView], description: "Art. 30(2)(c): this contract's transfers the law required; every catalog site is in France." }) thirdCountryTransfers!: RecordedTransferView[];
}

export class ProcessingRecordPageView {
  @ApiProperty({ type: String, format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: RecordProcessorView, description: 'Art. 30(2)(a).' }) processor!: RecordProcessorView;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Art. 30(2)(d).' }) securityMeasures!: Record<string, unknown>;
  @ApiProperty({ type: [ProcessingRecordRowView], description: 'One row per contract the processor acts for (active or awaiting destruction), oldest order first.' }) items!: ProcessingRecordRowView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page.' }) nextCursor!: string | null;
}
