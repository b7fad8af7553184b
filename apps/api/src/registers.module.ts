// The registers and files with no Nest module of their own: the staff roster (DESIGN §3.4) and each contract's authorised persons (staff/), the processor's DPO (processor-dpo/), sub-processors (sub-processors/), and every declared file type (kit/declared-files.ts): their controllers and services.
import { Module } from '@nestjs/common';
import { ContractQueries } from './contracts/contract-queries.service';
import { DeclaredFiles, declaredFileControllers } from './kit/declared-files';
import { FileCommands } from './kit/file-commands';
import { FileTrails } from './kit/trail';
import { ProcessingRecordController, ProcessorDpoController } from './processor-dpo/processor-dpo.controller';
import { ProcessorDpo } from './processor-dpo/processor-dpo.service';
import { ContractSubProcessorChangesController, SubProcessorChangesController, SubProcessorsController } from './sub-processors/sub-processors.controller';
import { SubProcessorChanges, SubProcessorNotices } from './sub-processors/sub-processors.service';
import { AuthorisedPersonsController, StaffController } from './staff/staff.controller';
import { Roster } from './staff/staff.service';

/** DESIGN §3.4–§3.7: the processor's registers, and every declared file type under a contract (its routes from its declaration). */
@Module({
  controllers: [...declaredFileControllers(), StaffController, AuthorisedPersonsController, ProcessorDpoController, ProcessingRecordController, SubProcessorsController, SubProcessorChangesController, ContractSubProcessorChangesController],
  providers: [FileCommands, FileTrails, ContractQueries, DeclaredFiles, Roster, ProcessorDpo, SubProcessorChanges, SubProcessorNotices],
})
export class RegistersModule {}
