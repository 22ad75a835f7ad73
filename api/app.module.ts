import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard';
import { RolesGuard } from './auth/roles.guard';
import { AuthModule } from './auth/auth.module';
import { CalendarsController } from './calendars/calendars.controller';
import type { AppConfig } from './config/config';
import type { HostOptions } from './engine-host/host-options';
import { DefinitionsController } from './definitions/definitions.controller';
import { DefinitionsQuery } from './definitions/definitions.query';
import { DecisionsController } from './decisions/decisions.controller';
import { DecisionsQuery } from './decisions/decisions.query';
import { EngineHostModule } from './engine-host/engine-host.module';
import { HealthController } from './health/health.controller';
import { HistoryController } from './history/history.controller';
import { HistoryQuery } from './history/history.query';
import { IncidentsController, TimersController } from './incidents/incidents.controller';
import { IncidentsQuery } from './incidents/incidents.query';
import { InstancesController } from './instances/instances.controller';
import { InstancesQuery } from './instances/instances.query';
import { MessagesController } from './messages/messages.controller';
import { SubscriptionsQuery } from './messages/subscriptions.query';
import { TasksController } from './tasks/tasks.controller';
import { TasksQuery } from './tasks/tasks.query';
import { RecordsController } from './records/records.controller';
import { RecordsQuery } from './records/records.query';
import { KpisQuery } from './records/kpis.query';
import { TaskFormQuery } from './tasks/task-form.query';
import { DefinitionFormsQuery } from './definitions/definition-forms.query';
import { ReferenceProcessSeeder } from './seed/reference-process-seeder';
import { ServicesController } from './services/services.controller';
import { DraftsController } from './drafts/drafts.controller';
import { DeployRequestsController } from './drafts/deploy-requests.controller';
import { DraftsService } from './drafts/drafts.service';
import { DeployRequestsService } from './drafts/deploy-requests.service';
import { ProbesController } from './health/probes.controller';
import { MetricsModule } from './metrics/metrics.module';
import { ExternalTasksModule } from './external-tasks/external-tasks.module';
import { EngineRestModule } from './engine-rest/engine-rest.module';
import { RetentionJob } from './retention/retention-job';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: HostOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [EngineHostModule.forRoot(config, options), AuthModule.forRoot(config), MetricsModule, ExternalTasksModule, EngineRestModule],
      controllers: [DefinitionsController, InstancesController, TasksController, HealthController, CalendarsController, IncidentsController, TimersController, MessagesController, DecisionsController, RecordsController, ServicesController, HistoryController, DraftsController, DeployRequestsController, ProbesController],
      providers: [
        // Every route needs a valid bearer token unless it is @Public(), then the @Roles it names (in this order).
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useExisting: RolesGuard },
        DefinitionsQuery,
        InstancesQuery,
        TasksQuery,
        TaskFormQuery,
        DefinitionFormsQuery,
        HistoryQuery,
        IncidentsQuery,
        SubscriptionsQuery,
        DecisionsQuery,
        RecordsQuery,
        KpisQuery,
        ReferenceProcessSeeder,
        DraftsService,
        DeployRequestsService,
        RetentionJob,
      ],
    };
  }
}
