import { All, NotFoundException, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../auth/decorators';
import { EngineRestController } from './engine-rest-controller';

/**
 * Any other path or method under /engine-rest: a 404 in Camunda's shape rather than the native
 * problem+json (registered after the other /engine-rest controllers). Public, so that an unknown
 * path answers 404 whether or not the caller signed in.
 */
@ApiExcludeController()
@EngineRestController()
export class EngineRestNotFoundController {
  @All('{*path}')
  @Public()
  notFound(@Req() req: Request): never {
    throw new NotFoundException(`No resource ${req.method} ${req.path.slice(0, 200)} in the Camunda 7 compatible API (see the README for what it supports)`);
  }
}
