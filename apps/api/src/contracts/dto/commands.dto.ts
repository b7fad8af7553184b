import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, ValidateNested } from 'class-validator';
import { OptionalText, Text } from '../../common/fields';
import { IsInstant } from './validators';

export class HandOverCredentialsDto {
  @Text('credentialKind', { example: 'ssh', description: 'What kind of access: ssh, sftp, ftp, panel, database… (lowercase letters, digits, - or _).' })
  kind!: string;

  @Text('host', { example: 'web-1.acme.example' })
  host!: string;

  @Text('username', { example: 'acme-admin', writeOnly: true })
  username!: string;

  @Text('secret', { example: 'correct horse battery staple', writeOnly: true, description: "Sealed at once under the contract's key; never returned, never logged." })
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
  @Text('invoiceId', { example: 'inv-2027-0042', description: 'Acceptance is idempotent per invoice id (L3).' })
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
  @Text('reason', { example: 'client moved to another host' })
  reason!: string;
}

export class OptionalReasonDto {
  @OptionalText('reason', { example: 'budget' })
  reason?: string;
}
