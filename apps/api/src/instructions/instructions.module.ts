import { Module } from '@nestjs/common';
import { ContractQueries } from '../contracts/contract-queries.service';
import { FileCommands } from '../kit/file-commands';
import { FileTrails } from '../kit/trail';
import { InstructionsController } from './instructions.controller';
import { Instructions } from './instructions.service';
import { TransferNotices, TransferNoticesController } from './transfer-notices';

@Module({
  controllers: [InstructionsController, TransferNoticesController],
  providers: [FileCommands, FileTrails, ContractQueries, Instructions, TransferNotices],
})
export class InstructionsModule {}
