import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional } from 'class-validator';
import { WEBHOOK_KINDS } from '#infra/webhooks/facts';
import { Roles } from '../../auth/roles.decorator';
import { Text } from '../../common/fields';
import { ErrorResponses } from '../../common/openapi';
import { DEFAULT_PAGE, PageQuery } from '../../common/pagination';
import { SUBSCRIPTION_ID, WebhookSubscriptions } from './webhooks.service';

const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;

export class SubscribeDto {
  @Text('webhookUrl', { example: 'https://siem.provider.example/hooks/dpa' })
  url!: string;

  @ApiProperty({ type: [String], enum: WEBHOOK_KINDS, minItems: 1, maxItems: WEBHOOK_KINDS.length, description: 'The kinds of events to receive: `<file type>.<status>` (a file enters the status) or `clock.overdue`.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_KINDS.length)
  @IsIn(WEBHOOK_KINDS, { each: true })
  kinds!: string[];
}

export class DeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATES })
  @IsOptional()
  @IsIn(DELIVERY_STATES)
  state?: (typeof DELIVERY_STATES)[number];
}

class SubscriptionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String], enum: WEBHOOK_KINDS }) kinds!: string[];
  @ApiProperty({ enum: ['active', 'failing'], description: 'failing: a delivery was given up after WEBHOOK_RETRY_FOR; active again at the next one accepted.' }) status!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) failingSince!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'While a rotated secret still signs beside the new one.' }) previousSecretSignsUntil!: string | null;
}

class SubscriptionWithSecret extends SubscriptionView {
  @ApiProperty({ description: 'The signing secret (Standard Webhooks, whsec_…): shown this once, stored sealed.' }) secret!: string;
}

class SubscriptionList {
  @ApiProperty({ type: [SubscriptionView] }) items!: SubscriptionView[];
}

class KindList {
  @ApiProperty({ type: [String] }) kinds!: string[];
}

class AttemptView {
  @ApiProperty({ type: 'integer' }) attempt!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: 'integer' }) durationMs!: number;
  @ApiProperty({ type: 'integer', nullable: true }) statusCode!: number | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}

class DeliveryView {
  @ApiProperty({ format: 'uuid', description: 'The fact: its webhook-id on every try.' }) id!: string;
  @ApiProperty() kind!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ enum: DELIVERY_STATES }) state!: string;
  @ApiProperty({ type: [AttemptView] }) attempts!: AttemptView[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
}

class DeliveryPage {
  @ApiProperty({ type: [DeliveryView] }) items!: DeliveryView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

const IdParam = () => ApiParam({ name: 'id', schema: { type: 'string', format: 'uuid' }, description: 'Subscription id' });

/** DESIGN §9: an admin subscribes the provider's own systems to events out, and follows their deliveries. */
@ApiTags('integrations')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhooksController {
  constructor(@Inject(WebhookSubscriptions) private readonly subscriptions: WebhookSubscriptions) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Subscribes an endpoint to chosen event kinds; answers its signing secret, this once.' })
  @ApiCreatedResponse({ type: SubscriptionWithSecret })
  @ErrorResponses(400, 401, 403, 422)
  subscribe(@Body() body: SubscribeDto) {
    return this.subscriptions.create(body);
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Every subscription, oldest first (never a secret).' })
  @ApiOkResponse({ type: SubscriptionList })
  @ErrorResponses(401, 403)
  list() {
    return this.subscriptions.list();
  }

  @Get('kinds')
  @Roles('admin')
  @ApiOperation({ summary: 'The event kinds an endpoint may subscribe to: a status of each file type (from its declaration), and clock.overdue.' })
  @ApiOkResponse({ type: KindList })
  @ErrorResponses(401, 403)
  kinds() {
    return { kinds: WEBHOOK_KINDS };
  }

  @Get(':id')
  @Roles('admin')
  @IdParam()
  @ApiOperation({ summary: 'A subscription.' })
  @ApiOkResponse({ type: SubscriptionView })
  @ErrorResponses(400, 401, 403, 404)
  one(@Param('id', SUBSCRIPTION_ID) id: string) {
    return this.subscriptions.one(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  @IdParam()
  @ApiOperation({ summary: 'Ends a subscription, with its deliveries still to send.' })
  @ApiNoContentResponse()
  @ErrorResponses(400, 401, 403, 404)
  async remove(@Param('id', SUBSCRIPTION_ID) id: string) {
    await this.subscriptions.remove(id);
  }

  @Post(':id/secret')
  @HttpCode(200)
  @Roles('admin')
  @IdParam()
  @ApiOperation({ summary: 'Rotates the signing secret: the new one answered this once; the old one still signs beside it for 24 hours.' })
  @ApiOkResponse({ type: SubscriptionWithSecret })
  @ErrorResponses(400, 401, 403, 404)
  rotate(@Param('id', SUBSCRIPTION_ID) id: string) {
    return this.subscriptions.rotate(id);
  }

  @Get(':id/deliveries')
  @Roles('admin')
  @IdParam()
  @ApiOperation({ summary: "A subscription's deliveries, newest first, each with every try and its outcome." })
  @ApiOkResponse({ type: DeliveryPage })
  @ErrorResponses(400, 401, 403, 404)
  deliveries(@Param('id', SUBSCRIPTION_ID) id: string, @Query() query: DeliveriesQuery) {
    return this.subscriptions.deliveries(id, query.state, query.limit ?? DEFAULT_PAGE, query.cursor);
  }
}
