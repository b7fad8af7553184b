// The staff roster (DESIGN §3.4) and each contract's authorised persons: request bodies and OpenAPI views.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Duration, Email, Id, Instant, Text } from '../../common/fields';

export class RegisterStaffDto {
  @Text('controllerName', { example: 'Alex Martin', description: "The person's name (the processor's own staff, never a data subject of a client)." })
  name!: string;

  @Email({ example: 'alex.martin@processor.example' })
  email!: string;
}

export class SignConfidentialityDto {
  @Instant({ example: '2027-01-10T08:00:00Z', description: 'When the confidentiality undertaking was signed (GDPR 28(3)(b)).' })
  signedAt!: string;
}

export class RecordTrainingDto {
  @Instant({ example: '2027-01-05T00:00:00Z', description: 'When the data-protection training was completed.' })
  completedAt!: string;

  @Text('controllerName', { example: 'GDPR for operators' })
  course!: string;

  @Duration({ example: 'P1Y', description: 'How long it is valid (default P1Y, at most P5Y).' }, true)
  validFor?: string;
}

export class AuthorisePersonDto {
  @Id({ description: 'The person on the roster (POST /staff).' })
  staffId!: string;
}

export class TrainingView {
  @ApiProperty({ format: 'date-time' }) completedAt!: string;
  @ApiProperty() course!: string;
  @ApiProperty({ format: 'duration' }) validFor!: string;
  @ApiProperty({ format: 'date-time' }) validUntil!: string;
}

const GAPS = ['no_confidentiality', 'no_training', 'training_lapsed'];

export class StaffRepresentation {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) confidentialitySignedAt!: string | null;
  @ApiProperty({ type: [TrainingView] }) trainings!: TrainingView[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The latest validity of any training.' }) trainingValidUntil!: string | null;
  @ApiProperty({ description: 'Both a confidentiality undertaking and a valid training now: may be authorised on a contract.' }) cleared!: boolean;
  @ApiProperty({ type: [String], enum: GAPS }) gaps!: string[];
  @ApiProperty({ type: [String], description: 'The contracts the person is authorised on now.' }) contracts!: string[];
  @ApiProperty({ type: [String], enum: ['trainingValidUntil'], description: 'The training lapsed while the person is on a contract.' }) overdue!: string[];
}

export class StaffListView {
  @ApiProperty({ type: [StaffRepresentation] }) items!: StaffRepresentation[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}

export class AuthorisedPersonRepresentation {
  @ApiProperty({ format: 'uuid' }) staffId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) authorisedFrom!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Set once the authorisation was revoked.' }) authorisedUntil!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) confidentialitySignedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) trainingValidUntil!: string | null;
  @ApiProperty({ description: 'False while an authorisation stands with a gap in its clearance (a lapsed training).' }) cleared!: boolean;
  @ApiProperty({ type: [String], enum: GAPS }) gaps!: string[];
}

export class AuthorisedPersonListView {
  @ApiProperty({ type: [AuthorisedPersonRepresentation], description: 'Everyone who is or was authorised on the contract, oldest authorisation first.' }) items!: AuthorisedPersonRepresentation[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}
