import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { NoBody } from '../common/validation';
import { UuidPipe } from '../contracts/contract-id.pipe';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { isUuid } from '#domain';
import { Text } from '../common/fields';
import { DEFAULT_PAGE, PageQuery, readCursor, toPage } from '../common/pagination';
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

/** A cursor's fields: the creation instant in UTC with its microseconds (an instant that exists, year 1 on), and the id. */
const MICRO_INSTANT = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const existingInstant = (v: string) => MICRO_INSTANT.test(v) && new Date(`${v.slice(0, 23)}Z`).toISOString().slice(0, 23) === v.slice(0, 23);
const keyCursor = ([createdAt, id, ...rest]: unknown[]) =>
  rest.length === 0 && typeof createdAt === 'string' && existingInstant(createdAt) && typeof id === 'string' && isUuid(id) ? { createdAt, id } : null;

export class ApiKeyView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ description: 'The public part of the key, to recognise it.' }) prefix!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
}

export class ApiKeyListView {
  @ApiProperty({ type: [ApiKeyView] }) items!: ApiKeyView[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
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
  @ApiOperation({ summary: 'The API keys, oldest first, paged (never the keys themselves).' })
  @ApiOkResponse({ type: ApiKeyListView })
  @ErrorResponses(400, 401, 403)
  async list(@Query() query: PageQuery): Promise<{ items: ApiKeyRecord[]; nextCursor: string | null }> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const after = query.cursor ? readCursor(query.cursor, keyCursor) : null;
    const rows = await this.keys.list(limit + 1, after);
    return toPage(rows, limit, ({ after: _, ...record }) => record, (last) => [last.after.createdAt, last.after.id]);
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
