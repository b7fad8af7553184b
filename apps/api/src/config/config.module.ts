import { Global, Module, type DynamicModule } from '@nestjs/common';
import { type AppConfig } from '#infra/config/config';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** The configuration, validated once at boot (loadConfig) and shared by every module. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}
