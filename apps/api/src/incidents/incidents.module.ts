import { Module } from '@nestjs/common';
import { ContractQueries } from '../contracts/contract-queries.service';
import { FileCommands } from '../kit/file-commands';
import { FileTrails } from '../kit/trail';
import { BreachNoticesController, IncidentsController } from './incidents.controller';
import { Incidents } from './incidents.service';

@Module({
  controllers: [IncidentsController, BreachNoticesController],
  providers: [FileCommands, FileTrails, ContractQueries, Incidents],
})
export class IncidentsModule {}
