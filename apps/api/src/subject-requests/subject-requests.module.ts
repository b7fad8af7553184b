import { Module } from '@nestjs/common';
import { ContractQueries } from '../contracts/contract-queries.service';
import { FileCommands } from '../kit/file-commands';
import { FileTrails } from '../kit/trail';
import { SubjectRequestsController } from './subject-requests.controller';
import { SubjectRequests } from './subject-requests.service';

@Module({
  controllers: [SubjectRequestsController],
  providers: [FileCommands, FileTrails, ContractQueries, SubjectRequests],
})
export class SubjectRequestsModule {}
