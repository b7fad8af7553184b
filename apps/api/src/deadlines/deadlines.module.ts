import { Module } from '@nestjs/common';
import { DeadlinesController } from './deadlines.controller';
import { DeadlineQueries } from './deadlines.service';

@Module({ controllers: [DeadlinesController], providers: [DeadlineQueries] })
export class DeadlinesModule {}
