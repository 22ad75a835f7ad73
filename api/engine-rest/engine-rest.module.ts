import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ExternalTasksModule } from '../external-tasks/external-tasks.module';
import { TaskFormQuery } from '../tasks/task-form.query';
import { BasicAuthMiddleware } from './basic-auth.middleware';
import { EngineRestDeploymentController } from './deployment.controller';
import { EngineRestExternalTaskController } from './external-task.controller';
import { EngineRestMessageController } from './message.controller';
import { EngineRestNotFoundController } from './not-found.controller';
import { EngineRestProcessDefinitionController } from './process-definition.controller';
import { EngineRestProcessInstanceController } from './process-instance.controller';
import { EngineRestTaskController } from './task.controller';
import { EngineRestQuery } from './engine-rest.query';
import { ENGINE_REST } from './engine-rest-controller';

/**
 * The Camunda 7 compatible REST API under /engine-rest (a subset; see the README): Camunda's
 * paths, bodies, variable and date formats and error shape, over the same commands and
 * authorisation rules as the native /api. HTTP Basic (our users' passwords) or bearer tokens.
 * Needs the global EngineHostModule and AuthModule.
 */
@Module({
  imports: [ExternalTasksModule],
  controllers: [
    EngineRestDeploymentController,
    EngineRestProcessDefinitionController,
    EngineRestProcessInstanceController,
    EngineRestTaskController,
    EngineRestMessageController,
    EngineRestExternalTaskController,
    // last: every other /engine-rest path
    EngineRestNotFoundController,
  ],
  providers: [EngineRestQuery, TaskFormQuery, BasicAuthMiddleware],
})
export class EngineRestModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(BasicAuthMiddleware).forRoutes(`${ENGINE_REST}/{*path}`);
  }
}
