import { Module } from '@nestjs/common';
import { ContractsModule } from '../contracts/contracts.module';
import { StripeController } from './stripe/stripe.controller';
import { StripeEvents } from './stripe/stripe-events.service';

/** DESIGN §9: the provider's own systems. Billing facts from Stripe's webhooks. */
@Module({
  imports: [ContractsModule],
  controllers: [StripeController],
  providers: [StripeEvents],
  exports: [StripeEvents],
})
export class IntegrationsModule {}
