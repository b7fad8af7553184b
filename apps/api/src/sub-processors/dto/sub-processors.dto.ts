// Sub-processor changes (DESIGN §3.8) and each contract's notice of one: request bodies and OpenAPI views.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, ValidateNested } from 'class-validator';
import { SUB_PROCESSOR_CHANGE_KINDS } from '#domain';
import { Instant, OptionalText, Text } from '../../common/fields';
import { StorageLocationView } from '../../contracts/dto/views';

/** The kinds of storage location a change may add. */
export const LOCATION_KINDS = ['web-platform', 'backup'];

export class SubProcessorPartyDto {
  @Text('subProcessorName', { example: 'OVH (OVHcloud)' }) name!: string;
  @Text('subProcessorText', { example: 'Backup datacenter RBX-8 (Roubaix)' }) role!: string;
  @Text('country', { example: 'France' }) country!: string;
}

export class NewLocationDto {
  @Text('newLocationId', { example: 'ovh-rbx-8' }) id!: string;
  @Text('subProcessorName', { example: 'OVH RBX-8' }) name!: string;
  @ApiProperty({ enum: LOCATION_KINDS }) @IsIn(LOCATION_KINDS) kind!: string;
  @Text('subProcessorText', { example: 'Roubaix, France' }) site!: string;
}

export class SubProcessorChangeDetailsDto {
  @ApiProperty({ enum: SUB_PROCESSOR_CHANGE_KINDS, description: 'An addition: the data is also held at the new location. A replacement: the new location takes over from `replaces`.' })
  @IsIn(SUB_PROCESSOR_CHANGE_KINDS)
  kind!: string;

  @ApiProperty({ type: SubProcessorPartyDto }) @IsObject() @ValidateNested() @Type(() => SubProcessorPartyDto) subProcessor!: SubProcessorPartyDto;

  @ApiProperty({ type: NewLocationDto, description: 'The location the change adds: its id is new.' }) @IsObject() @ValidateNested() @Type(() => NewLocationDto) location!: NewLocationDto;

  @OptionalText('locationId', { example: 'ovh-gra-1', description: "A replacement's location the data leaves (a location in use now)." })
  replaces?: string;
}

export class AnnounceSubProcessorChangeDto {
  @ApiProperty({ type: SubProcessorChangeDetailsDto }) @IsObject() @ValidateNested() @Type(() => SubProcessorChangeDetailsDto) change!: SubProcessorChangeDetailsDto;

  @Instant({ example: '2027-04-15T00:00:00Z', description: 'When the change takes effect: at least the objection period (SUB_PROCESSOR_OBJECTION_PERIOD, P30D) after the announcement.' })
  effectiveAt!: string;
}

export class ObjectionDto {
  @Text('reason', { example: 'our policy keeps backups at two sites we audited' }) reason!: string;
}

export class SubProcessorPartyView {
  @ApiProperty() name!: string;
  @ApiProperty() role!: string;
  @ApiProperty() country!: string;
}

export class SubProcessorChangeRepresentation {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: SUB_PROCESSOR_CHANGE_KINDS }) kind!: string;
  @ApiProperty({ type: SubProcessorPartyView }) subProcessor!: SubProcessorPartyView;
  @ApiProperty({ type: StorageLocationView }) location!: StorageLocationView;
  @ApiProperty({ type: String, nullable: true }) replaces!: string | null;
  @ApiProperty({ enum: ['announced', 'notified', 'effective'], description: 'announced; notified once every affected contract has its notice; effective on the effective date.' }) status!: string;
  @ApiProperty({ format: 'date-time' }) announcedAt!: string;
  @ApiProperty() objectionPeriod!: string;
  @ApiProperty({ format: 'date-time' }) objectionDeadline!: string;
  @ApiProperty({ format: 'date-time' }) effectiveAt!: string;
  @ApiProperty({ type: Number, nullable: true }) contractsNotified!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Their controllers, each counted once.' }) controllersNotified!: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) notifiedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) effectiveRecordedAt!: string | null;
}

export class SubProcessorChangeListView {
  @ApiProperty({ type: [SubProcessorChangeRepresentation] }) items!: SubProcessorChangeRepresentation[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}

export class SubProcessorView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['sub-processor', 'own-site'], description: "Another company engaged under GDPR 28(4), or the processor's own site." }) kind!: string;
  @ApiProperty() role!: string;
  @ApiProperty() country!: string;
  @ApiProperty({ type: [String], description: 'The storage locations of the catalog it holds data at (see GET /contracts/{id}/processing-record).' }) locations!: string[];
  @ApiProperty({ type: [String], description: 'The sites of those locations, as the seed names them.' }) sites!: string[];
}

export class SubProcessorRegisterView {
  @ApiProperty({ type: [SubProcessorView] }) items!: SubProcessorView[];
  @ApiProperty({ type: [SubProcessorChangeRepresentation], description: 'Every change announced, latest first: additions and replacements with their status.' }) changes!: SubProcessorChangeRepresentation[];
}

export class SubProcessorNoticeRepresentation {
  @ApiProperty({ format: 'uuid', description: "The contract's notice of the change (its trail's id)." }) id!: string;
  @ApiProperty({ format: 'uuid' }) changeId!: string;
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ enum: ['announced', 'objected', 'kept', 'applying', 'applied', 'lapsed'], description: 'kept: objected, the contract kept its locations; lapsed: processing ended before the effective date.' }) status!: string;
  @ApiProperty({ enum: SUB_PROCESSOR_CHANGE_KINDS }) kind!: string;
  @ApiProperty({ type: SubProcessorPartyView }) subProcessor!: SubProcessorPartyView;
  @ApiProperty({ type: StorageLocationView }) location!: StorageLocationView;
  @ApiProperty({ type: String, nullable: true }) replaces!: string | null;
  @ApiProperty({ format: 'date-time' }) announcedAt!: string;
  @ApiProperty({ format: 'date-time' }) objectionDeadline!: string;
  @ApiProperty({ format: 'date-time' }) effectiveAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the relay accepted the email to the controller.' }) sentAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) objectedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) objectionReason!: string | null;
  @ApiProperty({ description: 'An objection stands: account management takes it up with the controller.' }) needsAccountManagement!: boolean;
  @ApiProperty({ type: [String], nullable: true, description: "The contract's storage locations once the change was taken." }) storageLocations!: readonly string[] | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) settledAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) lapsedBecause!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['objection', 'controller_not_told'], description: 'Why the contract kept its locations: its objection, or its controller not told before the objection deadline (account management is emailed).' }) keptBecause!: string | null;
}

export class SubProcessorNoticeListView {
  @ApiProperty({ type: [SubProcessorNoticeRepresentation] }) items!: SubProcessorNoticeRepresentation[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}
