import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import { DATA_CATEGORIES, DATA_SUBJECT_CATEGORIES, MAX_SCOPE_CONTRACTS, STORAGE_LOCATIONS } from '#domain';
import { Instant, OptionalText, Text } from '../../common/fields';
import { PageQuery } from '../../common/pagination';

const LOCATION_IDS = STORAGE_LOCATIONS.map((l) => l.id);
const LOCATION_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;
const DATA_CATEGORY_IDS = DATA_CATEGORIES.map((c) => c.id);
const SUBJECT_CATEGORY_IDS = DATA_SUBJECT_CATEGORIES.map((c) => c.id);

/** DESIGN §3.1: storage locations over a window, or an explicit list of contracts (one or the other). */
export class IncidentScopeDto {
  @ApiPropertyOptional({ type: 'array', items: { type: 'string', pattern: LOCATION_ID.source }, minItems: 1, example: LOCATION_IDS.slice(0, 2), description: `Storage locations the breach touched (with from and to): the catalog's (${LOCATION_IDS.join(', ')}) or one a sub-processor change added.` })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @Matches(LOCATION_ID, { each: true })
  locations?: string[];

  @Instant({ description: 'Start of the window (with locations).' }, true)
  from?: string;

  @Instant({ description: 'End of the window (with locations).' }, true)
  to?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', minItems: 1, maxItems: MAX_SCOPE_CONTRACTS, description: 'The contracts the breach touched, when known one by one.' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SCOPE_CONTRACTS)
  @IsUUID('all', { each: true })
  contracts?: string[];
}

/** GDPR 33(3): what is known of the breach. Everything but the summary may be sent later, as an update. */
export class IncidentContentDto {
  @OptionalText('incidentText', { description: 'Nature of the breach.' })
  nature?: string;

  @ApiPropertyOptional({ type: [String], enum: DATA_CATEGORY_IDS, minItems: 1, description: 'Categories of personal data concerned (catalog ids).' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(DATA_CATEGORY_IDS, { each: true })
  dataCategories?: string[];

  @ApiPropertyOptional({ type: [String], enum: SUBJECT_CATEGORY_IDS, minItems: 1, description: 'Categories of data subjects concerned (catalog ids).' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(SUBJECT_CATEGORY_IDS, { each: true })
  subjectCategories?: string[];

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Approximate number of data subjects concerned.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  approxSubjects?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Approximate number of personal data records concerned.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  approxRecords?: number;

  @OptionalText('incidentText')
  likelyConsequences?: string;

  @OptionalText('incidentText', { description: 'Measures taken or proposed, including mitigation.' })
  measures?: string;
}

export class RecordIncidentDto extends IncidentContentDto {
  @Instant({ example: '2027-03-01T08:00:00Z', description: 'When the incident was detected.' })
  detectedAt!: string;

  @Text('incidentSummary', { example: 'Unauthorised access to a backup node' })
  summary!: string;

  @ApiProperty({ type: IncidentScopeDto })
  @ValidateNested()
  @Type(() => IncidentScopeDto)
  scope!: IncidentScopeDto;
}

export class ConfirmIncidentDto {
  @Instant({ description: 'When the processor became reasonably certain that personal data was compromised: the notices\' clocks run from here.' })
  awareAt!: string;
}

export class DismissIncidentDto {
  @Text('reason', { example: 'no personal data was reachable' })
  reason!: string;
}

export class UpdateIncidentDto extends IncidentContentDto {
  @OptionalText('incidentSummary')
  summary?: string;
}

export class CloseIncidentDto {
  @Text('incidentSummary', { example: 'Access revoked, node rebuilt, keys rotated' })
  summary!: string;
}

export class ListIncidentsQuery extends PageQuery {}

export class IncidentContentView {
  @ApiProperty() summary!: string;
  @ApiProperty({ type: String, nullable: true }) nature!: string | null;
  @ApiProperty({ type: [String], nullable: true }) dataCategories!: string[] | null;
  @ApiProperty({ type: [String], nullable: true }) subjectCategories!: string[] | null;
  @ApiProperty({ type: 'integer', nullable: true }) approxSubjects!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) approxRecords!: number | null;
  @ApiProperty({ type: String, nullable: true }) likelyConsequences!: string | null;
  @ApiProperty({ type: String, nullable: true }) measures!: string | null;
}

export class IncidentScopeView {
  @ApiPropertyOptional({ type: [String] }) locations?: string[];
  @ApiPropertyOptional({ format: 'date-time' }) from?: string;
  @ApiPropertyOptional({ format: 'date-time' }) to?: string;
  @ApiPropertyOptional({ type: [String] }) contracts?: string[];
}

export class IncidentUpdateView {
  @ApiProperty({ type: 'integer' }) number!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The content fields this update made known or changed.' }) changes!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class AffectedContractView {
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ format: 'uuid' }) noticeId!: string;
  @ApiProperty() controllerName!: string;
  @ApiProperty({ type: String, enum: ['pending', 'sent', 'acknowledged', 'closed'], nullable: true, description: 'Null until the notice is opened.' }) noticeStatus!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt!: string | null;
}

export class IncidentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['investigating', 'confirmed', 'dismissed', 'closed'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) detectedAt!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: IncidentScopeView }) scope!: IncidentScopeView;
  @ApiProperty({ type: IncidentContentView }) content!: IncidentContentView;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) awareAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) confirmedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) dismissalReason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dismissedAt!: string | null;
  @ApiProperty({ type: [IncidentUpdateView] }) updates!: IncidentUpdateView[];
  @ApiProperty({ type: 'integer', nullable: true, description: 'How many contracts the incident touched, once resolved.' }) affectedContracts!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'sha256 of the affected contract ids, sorted, one a line.' }) affectedDigest!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolvedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) noticesOpenedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) closingSummary!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'Notices by status.' }) notices!: Record<string, number>;
  @ApiProperty({ type: [AffectedContractView], description: 'The first affected contracts with their notice (see /incidents/{id}/notices for all).' }) affected!: AffectedContractView[];
}

export class IncidentListView {
  @ApiProperty({ type: [IncidentView] }) items!: IncidentView[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}

export class AffectedContractListView {
  @ApiProperty({ type: [AffectedContractView] }) items!: AffectedContractView[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}

export class AcknowledgeBreachNoticeDto {
  @Instant({ description: 'When the controller confirmed receipt.' })
  acknowledgedAt!: string;
}

export class SupplementView {
  @ApiProperty({ type: 'integer' }) number!: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) changes!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the SMTP server accepted the supplement.' }) sentAt!: string | null;
}

export class BreachNoticeView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) incidentId!: string;
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ enum: ['pending', 'sent', 'acknowledged', 'closed'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) awareAt!: string;
  @ApiProperty({ format: 'date-time', description: 'awareAt + BREACH_NOTICE_TARGET.' }) targetDue!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the SMTP server accepted the notice.' }) sentAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: "The controller's own authority deadline: sentAt + PT72H (GDPR 33(1))." }) controllerAuthorityDue!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) escalatedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledgedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'sentAt + PT24H: account management is reminded when no acknowledgement came by then.' }) acknowledgementDue!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledgementRemindedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
  @ApiProperty({ type: IncidentContentView, description: 'What the controller was told, with every supplement applied.' }) content!: IncidentContentView;
  @ApiProperty({ type: [String], description: 'The GDPR 33(3) parts still "to follow".' }) toFollow!: string[];
  @ApiProperty({ type: [SupplementView] }) supplements!: SupplementView[];
  @ApiProperty({ description: 'Sent after its target.' }) late!: boolean;
  @ApiProperty({ type: [String], enum: ['targetDue', 'acknowledgementDue'], description: 'The clocks past due and not met.' }) overdue!: string[];
}

export class BreachNoticeListView {
  @ApiProperty({ type: [BreachNoticeView] }) items!: BreachNoticeView[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}
