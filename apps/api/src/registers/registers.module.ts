import { Module } from '@nestjs/common';
import { ContractQueries } from '../contracts/contract-queries.service';
import { DeclaredFiles, declaredFileControllers } from '../kit/declared-files';
import { FileCommands } from '../kit/file-commands';
import { FileTrails } from '../kit/trail';
import { ProcessingRecordController, ProcessorDpo, ProcessorDpoController } from './processor';
import { ContractSubProcessorChangesController, SubProcessorChanges, SubProcessorChangesController, SubProcessorNotices, SubProcessorsController } from './sub-processors';
import { AuthorisedPersonsController, Roster, StaffController } from './staff';

/** DESIGN §3.4–§3.7: the processor's registers, and every declared file type under a contract (its routes from its declaration). */
@Module({
  controllers: [...declaredFileControllers(), StaffController, AuthorisedPersonsController, ProcessorDpoController, ProcessingRecordController, SubProcessorsController, SubProcessorChangesController, ContractSubProcessorChangesController],
  providers: [FileCommands, FileTrails, ContractQueries, DeclaredFiles, Roster, ProcessorDpo, SubProcessorChanges, SubProcessorNotices],
})
export class RegistersModule {}
