import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, IsOptional, ValidateBy, ValidateNested } from 'class-validator';
import { FIELDS, textProblem } from '#domain';
import { Duration, Email, OptionalText, Text } from '../../common/fields';

export class ControllerDto {
  @OptionalText('customerId', {
    example: 'C-10042',
    description: "The provider's own customer number: the controller's identity. Without it the controller is identified by its email (trimmed, lower-cased).",
  })
  customerId?: string;

  @Text('controllerName', { example: 'Acme SAS' })
  name!: string;

  @Email({ example: 'privacy@acme.example', description: 'Where the destruction certificate is sent.' })
  email!: string;

  @OptionalText('controllerAddress', { example: '1 rue de la Paix, 75002 Paris' })
  address?: string;

  @Email({ example: 'dpo@acme.example', description: "The controller's DPO." }, true)
  dpoEmail?: string;
}

const IdList = (example: string[]) => (target: object, key: string) => {
  ApiPropertyOptional({ type: [String], example, description: 'A subset of the catalog (DESIGN §4); omit for all.' })(target, key);
  IsOptional()(target, key);
  IsArray()(target, key);
  ArrayMaxSize(50)(target, key);
  ValidateBy({ name: 'catalog-ids', validator: { validate: (v) => textProblem(v, FIELDS.locationId) === null, defaultMessage: (a) => `each of ${a?.property ?? key} must be an id of the catalog` } }, { each: true })(target, key);
};

/** Narrows the seed's catalog; widening it is refused (422 catalog.widening). */
export class CatalogSelectionDto {
  @IdList(['website-hosting']) purposes?: string[];
  @IdList(['email-address', 'name']) dataCategories?: string[];
  @IdList(['developers']) dataSubjectCategories?: string[];
  @IdList(['web-platform', 'ovh-sbg-2']) storageLocations?: string[];
}

export class OrderContractDto {
  @ApiProperty({ type: ControllerDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ControllerDto)
  controller!: ControllerDto;

  @Duration({ example: 'P1M', description: 'ISO-8601 duration of one term (L2), at most P10Y.' })
  billingPeriod!: string;

  @OptionalText('reference', {
    example: 'ACME-2027-001',
    description:
      "The client's own id, unique per controller (printable ASCII, compared trimmed and case-folded). Ordering again with the same reference and terms returns the first contract (200); with other terms it is refused (409 contract.reference_conflict).",
  })
  reference?: string;

  @ApiPropertyOptional({ type: CatalogSelectionDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CatalogSelectionDto)
  catalog?: CatalogSelectionDto;

  @Duration({ example: 'P14D', description: 'L9: time the controller has to ask for its data back before destruction (default none; shorter than 2 months).' }, true)
  returnWindow?: string;

  @Duration({ example: 'P3D', description: 'L5: time after the term end before expiry (default none).' }, true)
  renewalGracePeriod?: string;
}
