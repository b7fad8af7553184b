import { Module } from '@nestjs/common';
import { ContractsModule } from '../contracts/contracts.module';
import { StripeController } from './stripe/stripe.controller';
import { StripeEvents } from './stripe/stripe-events.service';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhookSubscriptions } from './webhooks/webhooks.service';

/** DESIGN §9: the provider's own systems. Billing facts from Stripe's webhooks in, signed events out. */
@Module({
  imports: [ContractsModule],
  controllers: [StripeController, WebhooksController],
  providers: [StripeEvents, WebhookSubscriptions],
  exports: [StripeEvents],
})
export class IntegrationsModule {}
