import { Module, RequestMethod, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { type AppConfig } from '#infra/config/config';
import { loggerOptions } from '#infra/logging/logger';
import { ErrorFilter } from './common/error.filter';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { TemporalModule } from './temporal/temporal.module';
import { ApiKeysController } from './admin/api-keys.controller';
import { AuthModule } from './auth/auth.module';
import { IdempotencyMiddleware } from './common/idempotency.middleware';
import { ContractsModule } from './contracts/contracts.module';
import { IntegrationsModule } from './integrations/integrations.module';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { IncidentsModule } from './incidents/incidents.module';
import { RegistersModule } from './registers.module';
import { ControllerRecordsModule } from './controllers/controllers.module';
import { EvidenceModule } from './evidence/evidence.module';
import { CodecModule } from './codec/codec.controller';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

@Module({})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(IdempotencyMiddleware).forRoutes({ path: '*path', method: RequestMethod.POST });
  }

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            ...loggerOptions('api', config.logLevel),
            // A caller's request id is kept when it is safe to echo; otherwise we mint one.
            genReqId: (req, res) => {
              const given = req.headers['x-request-id'];
              const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
              res.setHeader('x-request-id', id);
              return id;
            },
            // Paths only: query strings may carry a controller's name (GET /contracts?controller=…).
            serializers: {
              // …and a controller's key in a path may be its email: it is masked.
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0]!.replace(/^\/controllers\/[^/]+/, '/controllers/{key}') }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
          },
        }),
        DatabaseModule,
        TemporalModule,
        AuthModule,
        HealthModule,
        MetricsModule,
        ContractsModule,
        IntegrationsModule,
        DeadlinesModule,
        IncidentsModule,
        RegistersModule,
        ControllerRecordsModule,
        EvidenceModule,
        CodecModule,
      ],
      controllers: [ApiKeysController],
      providers: [{ provide: APP_FILTER, useClass: ErrorFilter }],
    };
  }
}
