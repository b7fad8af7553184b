import { Module } from '@nestjs/common';
import { ContractQueries } from '../contracts/contract-queries.service';
import { FileCommands } from '../kit/file-commands';
import { FileTrails } from '../kit/trail';
import { AssistanceRequests, AssistanceRequestsController } from './assistance-requests';
import { Audits, AuditsController } from './audits';
import { ProcessingRecordController, ProcessorDpo, ProcessorDpoController } from './processor';
import { ContractSubProcessorChangesController, SubProcessorChanges, SubProcessorChangesController, SubProcessorNotices, SubProcessorsController } from './sub-processors';
import { AuthorisedPersonsController, Roster, StaffController } from './staff';

/** DESIGN §3.4–§3.7: the processor's registers under each contract. */
@Module({
  controllers: [AssistanceRequestsController, AuditsController, StaffController, AuthorisedPersonsController, ProcessorDpoController, ProcessingRecordController, SubProcessorsController, SubProcessorChangesController, ContractSubProcessorChangesController],
  providers: [FileCommands, FileTrails, ContractQueries, AssistanceRequests, Audits, Roster, ProcessorDpo, SubProcessorChanges, SubProcessorNotices],
})
export class RegistersModule {}
