import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { NoBody } from '../common/validation';
import { UuidPipe } from '../contracts/contract-id.pipe';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { Text } from '../common/fields';
import { ApiKeys, ROLES, type ApiKeyRecord, type Role } from '#infra/auth/api-keys';
import { Roles } from '../auth/roles.decorator';
import { ApiError } from '../common/api-error';
import { ErrorResponses } from '../common/openapi';

export class CreateApiKeyDto {
  @Text('apiKeyName', { example: 'billing system (production)' })
  name!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;
}

export class ApiKeyView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ description: 'The public part of the key, to recognise it.' }) prefix!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
}

export class CreatedApiKeyView {
  @ApiProperty({ description: 'The key itself: shown once, stored only hashed.' }) key!: string;
  @ApiProperty({ type: ApiKeyView }) apiKey!: ApiKeyView;
}

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/api-keys')
export class ApiKeysController {
  constructor(@Inject(ApiKeys) private readonly keys: ApiKeys) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key with one role. The key is returned once.' })
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  @ErrorResponses(400, 401, 403)
  async create(@Body() body: CreateApiKeyDto): Promise<{ key: string; apiKey: ApiKeyRecord }> {
    const { key, record } = await this.keys.create(body.name, body.role);
    return { key, apiKey: record };
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (never the keys themselves).' })
  @ApiOkResponse({ type: [ApiKeyView] })
  @ErrorResponses(401, 403)
  list(): Promise<ApiKeyRecord[]> {
    return this.keys.list();
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key.' })
  @ApiOkResponse({ type: ApiKeyView })
  @ErrorResponses(400, 401, 403, 404)
  async revoke(@Param('id', new UuidPipe('id')) id: string, @NoBody() _body: undefined): Promise<ApiKeyRecord> {
    const record = await this.keys.revoke(id);
    if (!record) throw new ApiError(404, 'not_found', 'No such API key.');
    return record;
  }
}
