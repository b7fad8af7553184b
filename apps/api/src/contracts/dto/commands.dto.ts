import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, ValidateNested } from 'class-validator';
import { Instant, OptionalText, Text } from '../../common/fields';

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
  @Instant({ example: '2027-02-28T00:00:00Z' })
  start!: string;

  @Instant({ example: '2027-03-31T00:00:00Z' })
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

  @Instant({ example: '2027-02-20T10:00:00Z', description: 'When the client accepted the invoice: not before the order, at most PT5M ahead of the engine\'s clock.' })
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
