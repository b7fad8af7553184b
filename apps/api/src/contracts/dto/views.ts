import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CALLER_COMMAND_TYPES } from '#domain';
import { CONTRACT_STATUSES } from '#domain';

/*
 * OpenAPI shapes of what the API answers. The values themselves come from the domain's pure views
 * (toRepresentation, toDestructionView, processingRecord); these classes only describe them.
 */

const NullableInstant = (description?: string) => ApiProperty({ type: String, format: 'date-time', nullable: true, ...(description ? { description } : {}) });

export class ControllerView {
  @ApiProperty() name!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ type: String, nullable: true }) address!: string | null;
  @ApiProperty({ type: String, nullable: true }) dpoEmail!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The provider's customer number: the controller's identity when given." }) customerId!: string | null;
}

export class CoveredPeriodView {
  @ApiProperty({ format: 'date-time' }) start!: string;
  @ApiProperty({ format: 'date-time' }) end!: string;
}

export class RenewalView {
  @ApiProperty() invoiceId!: string;
  @ApiProperty({ type: CoveredPeriodView }) coveredPeriod!: CoveredPeriodView;
  @ApiProperty({ format: 'date-time' }) acceptedAt!: string;
}

export class ClosedRenewalView {
  @ApiProperty() invoiceId!: string;
  @ApiPropertyOptional({ format: 'date-time' }) rejectedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) withdrawnAt?: string;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
}

export class CatalogSelectionView {
  @ApiProperty({ type: [String] }) purposes!: string[];
  @ApiProperty({ type: [String] }) dataCategories!: string[];
  @ApiProperty({ type: [String] }) dataSubjectCategories!: string[];
  @ApiProperty({ type: [String] }) storageLocations!: string[];
}

export class CredentialView {
  @ApiProperty({ format: 'uuid' }) credentialId!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() host!: string;
  @ApiProperty({ format: 'date-time' }) handedOverAt!: string;
  @NullableInstant('L7: when the credential was crypto-shredded.') revokedAt!: string | null;
}

export class EvidenceView {
  @ApiProperty() objectCount!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty({ example: 'sha256:…' }) manifestHash!: string;
  @ApiProperty({ example: 'filesystem-unlink' }) method!: string;
  @ApiProperty({ format: 'date-time' }) inventoriedAt!: string;
  @ApiProperty({ format: 'date-time' }) verifiedAt!: string;
}

export class LocationFailureView {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() attempt!: number;
  @ApiProperty({ example: 'storage.unavailable' }) reason!: string;
}

export class LocationView {
  @ApiProperty({ example: 'ovh-sbg-2' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['pending', 'in_progress', 'destroyed', 'failed'] }) status!: string;
  @NullableInstant() destroyedAt!: string | null;
  @ApiProperty({ type: EvidenceView, nullable: true }) evidence!: EvidenceView | null;
  @ApiProperty() failures!: number;
  @ApiProperty({ type: LocationFailureView, nullable: true }) lastFailure!: LocationFailureView | null;
}

export class ExportedLocationView {
  @ApiProperty() locationId!: string;
  @ApiProperty() objectCount!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty() manifestHash!: string;
}

export class ExportRequestView {
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @NullableInstant() servedAt!: string | null;
  @ApiProperty({ type: [ExportedLocationView], nullable: true }) locations!: ExportedLocationView[] | null;
}

export class CertifiedLocationView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) destroyedAt!: string;
  @ApiProperty({ type: EvidenceView }) evidence!: EvidenceView;
}

export class CertificateView {
  @ApiProperty({ format: 'uuid' }) certificateId!: string;
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ type: String, nullable: true }) reference!: string | null;
  @ApiProperty({ format: 'date-time' }) endedAt!: string;
  @ApiProperty({ enum: ['expired', 'terminated', 'cancelled'] }) endKind!: string;
  @ApiProperty() endReason!: string;
  @ApiProperty({ format: 'date-time' }) deadline!: string;
  @ApiProperty({ format: 'date-time' }) completedAt!: string;
  @ApiProperty({ type: [CertifiedLocationView] }) locations!: CertifiedLocationView[];
  @ApiProperty() withinDeadline!: boolean;
}

export class TimerFactView {
  @ApiProperty({ format: 'date-time', description: 'When the timer was due.' }) dueAt!: string;
  @ApiProperty({ format: 'date-time', description: 'When the engine acted on it.' }) actedAt!: string;
  @ApiProperty({ description: 'True when the engine acted after the timer was due (a worker was down).' }) late!: boolean;
}

export class DestructionView {
  @ApiProperty({ enum: ['none', 'scheduled', 'in_progress', 'completed'] }) status!: string;
  @NullableInstant('P11/L8: end of the contract + two calendar months.') deadline!: string | null;
  @NullableInstant() scheduledAt!: string | null;
  @NullableInstant('L9: destruction waits until then.') returnWindowEndsAt!: string | null;
  @NullableInstant('L11: deadline − safety margin.') escalationAt!: string | null;
  @NullableInstant() escalatedAt!: string | null;
  @NullableInstant() deadlineMissedAt!: string | null;
  @NullableInstant() startedAt!: string | null;
  @NullableInstant() completedAt!: string | null;
  @ApiProperty({ type: TimerFactView, nullable: true, description: 'L9: the start of destruction once it happened.' }) start!: TimerFactView | null;
  @ApiProperty({ type: TimerFactView, nullable: true, description: 'L11: the escalation to the DPO once it happened.' }) escalation!: TimerFactView | null;
  @ApiProperty({ type: TimerFactView, nullable: true, description: 'L8: the deadline passing with data left, once it happened.' }) deadlineMissed!: TimerFactView | null;
  @ApiProperty({ type: [LocationView] }) locations!: LocationView[];
  @ApiProperty({ type: [ExportRequestView] }) exportRequests!: ExportRequestView[];
  @ApiProperty({ type: CertificateView, nullable: true, description: 'null until every location is destroyed (L10).' }) certificate!: CertificateView | null;
}

export class DeadlineView {
  @ApiProperty({ enum: ['term-end', 'grace-end', 'return-window-end', 'escalation', 'destruction-deadline'] }) kind!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

/** DESIGN §6 contract representation. */
export class ContractView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'ACME-2027-001' }) reference!: string | null;
  @ApiProperty({ enum: CONTRACT_STATUSES }) status!: string;
  @ApiProperty({ type: ControllerView }) controller!: ControllerView;
  @ApiProperty({ example: 'P1M' }) billingPeriod!: string;
  @ApiProperty({ type: String, nullable: true, example: 'P3D' }) renewalGracePeriod!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'P14D' }) returnWindow!: string | null;
  @ApiProperty({ type: CatalogSelectionView }) catalog!: CatalogSelectionView;
  @ApiProperty({ format: 'date-time' }) orderedAt!: string;
  @NullableInstant('L2: the credential hand-over.') processingStartedAt!: string | null;
  @NullableInstant() termStart!: string | null;
  @NullableInstant() termEnd!: string | null;
  @ApiProperty({ type: CoveredPeriodView, nullable: true, description: 'While active: the period the next renewal invoice covers, from the term end one billing period on (L3, L4).' })
  nextCoveredPeriod!: CoveredPeriodView | null;
  @ApiProperty({ type: [RenewalView] }) renewals!: RenewalView[];
  @ApiProperty({ type: [ClosedRenewalView] }) rejectedRenewals!: ClosedRenewalView[];
  @ApiProperty({ type: [ClosedRenewalView] }) withdrawnRenewals!: ClosedRenewalView[];
  @NullableInstant() nonRenewalNoticedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) nonRenewalReason!: string | null;
  @NullableInstant() endedAt!: string | null;
  @ApiProperty({ type: TimerFactView, nullable: true, description: 'L5: an expiry, when it was due (the end) and when the engine recorded it.' }) expiry!: TimerFactView | null;
  @ApiProperty({ type: String, nullable: true, enum: ['expired', 'terminated', 'cancelled'] }) endKind!: string | null;
  @ApiProperty({ type: String, nullable: true }) endReason!: string | null;
  @ApiProperty({ type: [CredentialView], description: 'Never the secrets.' }) credentials!: CredentialView[];
  @NullableInstant() credentialsRevokedAt!: string | null;
  @ApiProperty({ type: DestructionView }) destruction!: DestructionView;
  @ApiProperty({ type: [DeadlineView] }) upcomingDeadlines!: DeadlineView[];
  @ApiProperty({ type: [String], enum: CALLER_COMMAND_TYPES, description: "What a caller may send now (the engine's own commands, its clocks and destruction steps, are not listed); a command listed can still be refused for its data." }) allowedCommands!: string[];
}

export class ContractListView {
  @ApiProperty({ type: [ContractView] }) items!: ContractView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page.' }) nextCursor!: string | null;
}

export class EventView {
  @ApiProperty({ description: 'Global position (a string: it is a 64-bit integer).' }) position!: string;
  @ApiProperty({ description: 'Starts at 1, no gaps.' }) version!: number;
  @ApiProperty({ example: 'RenewalAccepted' }) type!: string;
  @ApiProperty() schemaVersion!: number;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Who caused it: role, key id, workflow.' }) metadata!: Record<string, unknown>;
  @ApiProperty() prevHash!: string;
  @ApiProperty({ description: 'sha256 over the previous hash and the RFC 8785 canonical event.' }) hash!: string;
}

export class EventsView {
  @ApiProperty({ type: [EventView] }) events!: EventView[];
}

export class VerifyView {
  @ApiProperty() valid!: boolean;
  @ApiPropertyOptional({ description: 'The first event whose hash does not match.' }) brokenAt?: number;
  @ApiPropertyOptional() reason?: string;
}

export class CatalogEntryView {
  @ApiProperty() id!: string;
  @ApiProperty() label!: string;
}

export class StorageLocationView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['web-platform', 'backup'] }) kind!: string;
  @ApiProperty() site!: string;
}

export class ProcessingRecordView {
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ type: String, nullable: true }) reference!: string | null;
  @ApiProperty({ enum: CONTRACT_STATUSES }) status!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) controller!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) processor!: Record<string, unknown>;
  @ApiProperty({ type: [CatalogEntryView] }) purposes!: CatalogEntryView[];
  @ApiProperty() natureOfOperations!: string;
  @ApiProperty({ type: [CatalogEntryView] }) dataCategories!: CatalogEntryView[];
  @ApiProperty({ type: [CatalogEntryView] }) dataSubjectCategories!: CatalogEntryView[];
  @ApiProperty({ type: [StorageLocationView] }) storageLocations!: StorageLocationView[];
  @ApiProperty({ type: [StorageLocationView], description: 'DESIGN §3.8: where a sub-processor replacement moved the data from; they hold it until destruction covers them.' }) formerStorageLocations!: StorageLocationView[];
  @ApiProperty({ type: [String] }) thirdCountryTransfers!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) securityMeasures!: Record<string, unknown>;
  @NullableInstant() processingStartedAt!: string | null;
  @NullableInstant() endedAt!: string | null;
  @NullableInstant() destructionDeadline!: string | null;
}
