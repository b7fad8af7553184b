import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, type PipeTransform } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { Roles } from '../../auth/roles.decorator';
import { ApiError } from '../../common/api-error';
import { ErrorResponses } from '../../common/openapi';
import { DEFAULT_PAGE, PageQuery } from '../../common/pagination';
import { STRIPE_EVENT_ID, STRIPE_SUBSCRIPTION_ID } from './facts';
import { STRIPE_EVENT_STATES, StripeEvents, type StripeEventState } from './stripe-events.service';


/** A path segment of Stripe's own shape (sub_…, evt_…), or a 400 naming it. */
class StripeIdPipe implements PipeTransform<string, string> {
  constructor(
    private readonly shape: RegExp,
    private readonly what: string,
  ) {}
  transform(value: string): string {
    if (!this.shape.test(value)) throw new ApiError(400, 'invalid_stripe_id', `The ${this.what} must be Stripe's id (${this.shape.source.slice(1, 5)}…).`);
    return value;
  }
}

export class StripeEventsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: STRIPE_EVENT_STATES, description: 'Only the events in this state (`unmatched`: those an admin must look at).' })
  @IsOptional()
  @IsIn(STRIPE_EVENT_STATES)
  state?: StripeEventState;
}

export class StripeMappingDto {
  @ApiProperty({ format: 'uuid', description: 'The contract the subscription pays for.' })
  @IsUUID()
  contractId!: string;
}

class StripeReasonView {
  @ApiProperty() code!: string;
  @ApiProperty() message!: string;
}

export class StripeEventView {
  @ApiProperty({ pattern: STRIPE_EVENT_ID.source }) id!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ type: String, nullable: true }) apiVersion!: string | null;
  @ApiProperty() livemode!: boolean;
  @ApiProperty({ format: 'date-time', description: 'When Stripe created the event.' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', description: 'When the engine stored it.' }) receivedAt!: string;
  @ApiProperty({ enum: STRIPE_EVENT_STATES }) state!: StripeEventState;
  @ApiProperty({ type: StripeReasonView, nullable: true, description: 'Why it is unmatched.' }) reason!: StripeReasonView | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) contractId!: string | null;
  @ApiProperty({ type: String, nullable: true }) subscriptionId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "Stripe's customer (cus_…), not the provider's customer number." }) customerId!: string | null;
  @ApiProperty({ type: String, nullable: true }) invoiceId!: string | null;
  @ApiProperty({ type: 'integer' }) attempts!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) processedAt!: string | null;
}

class StripeEventsPage {
  @ApiProperty({ type: [StripeEventView] }) items!: StripeEventView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

class StripeMappingView {
  @ApiProperty() subscriptionId!: string;
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ enum: ['admin'] }) source!: 'admin';
  @ApiProperty({ format: 'date-time' }) mappedAt!: string;
}

/** DESIGN §9: the billing events Stripe sent, for an admin to see what did not match, fix its mapping and replay it. */
@ApiTags('integrations')
@ApiBearerAuth()
@Controller('integrations/stripe')
export class StripeController {
  constructor(@Inject(StripeEvents) private readonly events: StripeEvents) {}

  @Get('events')
  @Roles('admin')
  @ApiOperation({ summary: 'The Stripe events kept, newest first; ?state=unmatched lists those that mapped to no contract or were refused, with the reason.' })
  @ApiOkResponse({ type: StripeEventsPage })
  @ErrorResponses(400, 401, 403)
  list(@Query() query: StripeEventsQuery) {
    return this.events.list(query.state, query.limit ?? DEFAULT_PAGE, query.cursor);
  }

  @Put('mappings/:subscriptionId')
  @Roles('admin')
  @ApiParam({ name: 'subscriptionId', schema: { type: 'string', pattern: STRIPE_SUBSCRIPTION_ID.source } })
  @ApiOperation({ summary: "Maps a Stripe subscription to a contract; it takes precedence over the subscription's metadata and any earlier mapping." })
  @ApiOkResponse({ type: StripeMappingView })
  @ErrorResponses(400, 401, 403, 404)
  map(@Param('subscriptionId', new StripeIdPipe(STRIPE_SUBSCRIPTION_ID, 'subscription id')) subscriptionId: string, @Body() body: StripeMappingDto) {
    return this.events.map(subscriptionId, body.contractId);
  }

  @Post('events/:id/replay')
  @HttpCode(200)
  @Roles('admin')
  @ApiParam({ name: 'id', schema: { type: 'string', pattern: STRIPE_EVENT_ID.source } })
  @ApiOperation({ summary: 'Processes an unmatched event again (after its mapping was fixed); answers the event with its new state.' })
  @ApiOkResponse({ type: StripeEventView })
  @ErrorResponses(400, 401, 403, 404, 409)
  replay(@Param('id', new StripeIdPipe(STRIPE_EVENT_ID, 'event id')) id: string) {
    return this.events.replay(id);
  }
}
