import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ApiKeys } from '#infra/auth/api-keys';
import { type AppConfig } from '#infra/config/config';
import { APP_CONFIG } from '../config/config.module';
import { AuthGuard } from './auth.guard';

@Global()
@Module({
  providers: [
    {
      provide: ApiKeys,
      inject: [DataSource, APP_CONFIG],
      useFactory: (dataSource: DataSource, config: AppConfig) => new ApiKeys(dataSource, { allowDevelopmentKeys: !config.production }),
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [ApiKeys],
})
export class AuthModule {}
