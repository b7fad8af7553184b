import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { type AppConfig } from '#infra/config/config';
import { createDataSource } from '#infra/database/data-source';
import { APP_CONFIG } from '../config/config.module';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ ...createDataSource({ url: config.database.url, poolSize: config.database.poolSize, applicationName: 'dpa-api' }).options, retryAttempts: 20, retryDelay: 1_500 }),
    }),
  ],
})
export class DatabaseModule {}
