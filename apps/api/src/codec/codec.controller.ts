import { Body, Controller, HttpCode, Inject, Module, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { type Payload } from '@temporalio/common';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBase64, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { type AppConfig } from '#infra/config/config';
import { EncryptionCodec } from '#infra/temporal/payload-codec';
import { Roles, SessionAllowed } from '../auth/roles.decorator';
import { ApiError } from '../common/api-error';
import { ErrorResponses } from '../common/openapi';
import { APP_CONFIG } from '../config/config.module';

/** A payload as Temporal's codec-server convention writes it: proto3 JSON, bytes in base64. */
export class CodecPayload {
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string', format: 'byte' }, description: 'Metadata values in base64.' })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, string>;

  @ApiPropertyOptional({ type: String, format: 'byte' })
  @IsOptional()
  @IsBase64()
  data?: string;
}

export class CodecBody {
  @ApiProperty({ type: [CodecPayload] })
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => CodecPayload)
  payloads!: CodecPayload[];
}

const fromBase64 = (s: string | undefined) => new Uint8Array(Buffer.from(s ?? '', 'base64'));
const toBase64 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('base64');

function toPayloads(body: CodecBody): Payload[] {
  return body.payloads.map((p) => {
    const metadata = Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => {
        if (typeof v !== 'string') throw new ApiError(400, 'validation_failed', 'metadata values must be base64 text');
        return [k, fromBase64(v)];
      }),
    );
    return { metadata, data: fromBase64(p.data) };
  });
}

function toJson(payloads: Payload[]): CodecBody {
  return { payloads: payloads.map((p) => ({ metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, toBase64(v)])), data: toBase64(p.data) })) };
}

/**
 * Temporal's codec-server convention (DESIGN §5, "histories readable by operators"): the Temporal
 * UI or `temporal workflow show --codec-endpoint … --codec-auth 'Bearer <key>'` sends encrypted
 * payloads here and gets them back readable. Only the DPO and admins may; without a key nothing is
 * decoded (the key check comes first, like everywhere).
 */
@ApiTags('codec')
@ApiBearerAuth()
@Controller('codec')
@SessionAllowed()
export class CodecController {
  private readonly codec: EncryptionCodec;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.codec = new EncryptionCodec(config.payloadKeys);
  }

  @Post('decode')
  @HttpCode(200)
  @Roles('dpo', 'admin')
  @ApiOperation({ summary: 'Decrypts Temporal payloads (codec-server convention).' })
  @ApiOkResponse({ type: CodecBody })
  @ErrorResponses(400, 401, 403)
  async decode(@Body() body: CodecBody): Promise<CodecBody> {
    try {
      return toJson(await this.codec.decode(toPayloads(body)));
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw new ApiError(400, 'codec.undecodable', 'A payload is not one this engine encrypted, or its key is not in the ring.');
    }
  }

  @Post('encode')
  @HttpCode(200)
  @Roles('dpo', 'admin')
  @ApiOperation({ summary: 'Encrypts Temporal payloads (codec-server convention), e.g. to start a workflow by hand.' })
  @ApiOkResponse({ type: CodecBody })
  @ErrorResponses(400, 401, 403)
  async encode(@Body() body: CodecBody): Promise<CodecBody> {
    return toJson(await this.codec.encode(toPayloads(body)));
  }
}

@Module({ controllers: [CodecController] })
export class CodecModule {}
