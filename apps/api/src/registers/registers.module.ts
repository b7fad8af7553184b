import { Module } from '@nestjs/common';
import { ContractQueries } from '../contracts/contract-queries.service';
import { FileCommands } from '../kit/file-commands';
import { FileTrails } from '../kit/trail';
import { AssistanceRequests, AssistanceRequestsController } from './assistance-requests';
import { Audits, AuditsController } from './audits';

/** DESIGN §3.4–§3.7: the processor's registers under each contract. */
@Module({
  controllers: [AssistanceRequestsController, AuditsController],
  providers: [FileCommands, FileTrails, ContractQueries, AssistanceRequests, Audits],
})
export class RegistersModule {}
