import { Module } from '@nestjs/common';
import { ContractQueries } from '../contracts/contract-queries.service';
import { FileCommands } from '../kit/file-commands';
import { FileTrails } from '../kit/trail';
import { InstructionsController } from './instructions.controller';
import { Instructions } from './instructions.service';

@Module({
  controllers: [InstructionsController],
  providers: [FileCommands, FileTrails, ContractQueries, Instructions],
})
export class InstructionsModule {}
