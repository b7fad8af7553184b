import { Module } from '@nestjs/common';
import { ContractQueries } from '../contracts/contract-queries.service';
import { FileCommands } from '../kit/file-commands';
import { FileTrails } from '../kit/trail';
import { AssistanceRequests, AssistanceRequestsController } from './assistance-requests';

/** DESIGN §3.4–§3.7: the processor's registers under each contract. */
@Module({
  controllers: [AssistanceRequestsController],
  providers: [FileCommands, FileTrails, ContractQueries, AssistanceRequests],
})
export class RegistersModule {}
