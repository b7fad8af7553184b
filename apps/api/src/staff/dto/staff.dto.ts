// Each contract's authorised persons (DESIGN §3.4): their OpenAPI views. The roster's own bodies and views are the staff declaration's schemas.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const GAPS = ['no_confidentiality', 'no_training', 'training_lapsed'];

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
