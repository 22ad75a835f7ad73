import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServiceHandlerRegistry, type ServiceHandlerInput } from '../../engine';

export interface ServiceHandlerResponse {
  /** What a service task names: `camunda:delegateExpression="${name}"`. */
  name: string;
  description: string;
  /** The `camunda:inputOutput` input parameters it reads. */
  inputs: ServiceHandlerInput[];
}

/** The service handlers this server runs: the only names a service task may reference at deploy. */
@ApiTags('services')
@ApiBearerAuth()
@Controller('api/services')
export class ServicesController {
  constructor(@Inject(ServiceHandlerRegistry) private readonly handlers: ServiceHandlerRegistry) {}

  @Get()
  @ApiOperation({ summary: 'Every registered service handler {name, description, inputs[{name, description, required?, kind?}]}, by name' })
  list(): ServiceHandlerResponse[] {
    return this.handlers
      .list()
      .map((h) => ({ name: h.name, description: h.description, inputs: (h.inputs ?? []).map((i) => ({ ...i })) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
