import { Module } from '@nestjs/common';
import { ExternalTasksController } from './external-tasks.controller';
import { ExternalTasksQuery } from './external-tasks.query';
import { ExternalTasksService } from './external-tasks.service';
import { TopicWaiter } from './topic-waiter';

/** External tasks: the service (shared with the Camunda 7 layer) and the native `/api/external-tasks` routes. */
@Module({
  controllers: [ExternalTasksController],
  providers: [ExternalTasksService, ExternalTasksQuery, TopicWaiter],
  exports: [ExternalTasksService],
})
export class ExternalTasksModule {}
