import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AppConfig } from '#infra/config/config';
import { CredentialVault } from '#infra/vault/credential-vault';
import { APP_CONFIG } from '../config/config.module';
import { ContractCommands } from './contract-commands.service';
import { ContractQueries } from './contract-queries.service';
import { ContractsController } from './contracts.controller';
import { FileCommands } from '../kit/file-commands';

@Module({
  controllers: [ContractsController],
  providers: [
    FileCommands,
    ContractCommands,
    ContractQueries,
    {
      provide: CredentialVault,
      inject: [DataSource, APP_CONFIG],
      useFactory: (dataSource: DataSource, config: AppConfig) => new CredentialVault(dataSource, config.vaultKeys),
    },
  ],
  exports: [ContractCommands, ContractQueries],
})
export class ContractsModule {}
