// Controller records (DESIGN §8) and the files a controller has one of: their controllers and services.
import { Module } from '@nestjs/common';
import { ContractQueries } from '../contracts/contract-queries.service';
import { FileCommands } from '../kit/file-commands';
import { FileTrails } from '../kit/trail';
import { controllerFileController, ControllerRecordsController } from './controllers.controller';
import { CONTROLLER_FILE_TYPES, ControllerFiles, ControllerRecords } from './controllers.service';

@Module({
  controllers: [ControllerRecordsController, ...CONTROLLER_FILE_TYPES.map(controllerFileController)],
  providers: [FileCommands, FileTrails, ContractQueries, ControllerRecords, ControllerFiles],
  exports: [ControllerRecords],
})
export class ControllerRecordsModule {}
