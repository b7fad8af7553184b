import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { type AppConfig } from '#infra/config/config';
import { dataConverter } from '#infra/temporal/connection';
import { resendUnprocessedUpdates } from '#infra/temporal/unprocessed-updates';
import { APP_CONFIG } from '../config/config.module';

/**
 * A lazy connection: the API boots and reports itself unhealthy while Temporal is unreachable,
 * then recovers without a restart.
 */
@Global()
@Module({
  providers: [
    {
      provide: Client,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new Client({
          connection: Connection.lazy({ address: config.temporal.address }),
          namespace: config.temporal.namespace,
          dataConverter: dataConverter(config),
          interceptors: { workflow: [resendUnprocessedUpdates((attempt) => new Logger('temporal').warn(`an update the server rejected as unprocessed is sent again (attempt ${attempt + 1})`))] },
        }),
    },
  ],
  exports: [Client],
})
export class TemporalModule implements OnApplicationShutdown {
  constructor(@Inject(Client) private readonly client: Client) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.connection.close().catch(() => {});
  }
}
