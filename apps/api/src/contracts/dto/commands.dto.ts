import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { IsInstant } from './validators';

export class HandOverCredentialsDto {
  @ApiProperty({ example: 'ssh', description: 'What kind of access: ssh, sftp, ftp, panel, database…' })
  @IsString()
  @Length(1, 50)
  @Matches(/^[a-z0-9][a-z0-9_-]*$/, { message: 'kind must be lowercase letters, digits, - or _' })
  kind!: string;

  @ApiProperty({ example: 'web-1.acme.example' })
  @IsString()
  @Length(1, 253)
  host!: string;

  @ApiProperty({ example: 'acme-admin', writeOnly: true })
  @IsString()
  @Length(1, 200)
  username!: string;

  @ApiProperty({ example: 'correct horse battery staple', writeOnly: true, description: 'Sealed at once under the contract\'s key; never returned, never logged.' })
  @IsString()
  @Length(1, 4000)
  secret!: string;
}

export class CoveredPeriodDto {
  @ApiProperty({ example: '2027-02-28T00:00:00Z' })
  @IsInstant()
  start!: string;

  @ApiProperty({ example: '2027-03-31T00:00:00Z' })
  @IsInstant()
  end!: string;
}

export class AcceptRenewalDto {
  @ApiProperty({ example: 'inv-2027-0042', description: 'Acceptance is idempotent per invoice id (L3).' })
  @IsString()
  @Length(1, 100)
  invoiceId!: string;

  @ApiProperty({ type: CoveredPeriodDto, description: 'L4: starts at or before the current term end and ends after it.' })
  @IsObject()
  @ValidateNested()
  @Type(() => CoveredPeriodDto)
  coveredPeriod!: CoveredPeriodDto;

  @ApiProperty({ example: '2027-02-20T10:00:00Z', description: 'When the client accepted the invoice.' })
  @IsInstant()
  acceptedAt!: string;
}

export class ReasonDto {
  @ApiProperty({ example: 'client moved to another host', maxLength: 500 })
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class OptionalReasonDto {
  @ApiPropertyOptional({ example: 'budget', maxLength: 500 })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}
