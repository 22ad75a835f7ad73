import { Module } from '@nestjs/common';
import { ExternalTasksService } from './external-tasks.service';

/** External tasks: the service (shared with the Camunda 7 layer) and the native `/api/external-tasks` routes. */
@Module({
  providers: [ExternalTasksService],
  exports: [ExternalTasksService],
})
export class ExternalTasksModule {}
