import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { Orchestrator, type MessageAnswer, type SignalAnswer } from '../../engine';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { Pagination, parse, uuid, type Page } from '../common/validation';
import { TimerPoller } from '../engine-host/timer-poller';
import { SubscriptionsQuery, type SubscriptionView } from './subscriptions.query';

/** Longest time a message may wait in the buffer. */
const MAX_TTL_MS = 366 * 24 * 3600 * 1000;
const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** `timeToLive`: milliseconds, or an ISO 8601 duration without years and months (`PT10M`, `P1DT2H`). */
const TimeToLive = z.union([
  z.number().int().positive().max(MAX_TTL_MS),
  z
    .string()
    .regex(DURATION, 'must be milliseconds or an ISO 8601 duration such as PT10M or P1DT2H')
    .refine((s) => s !== 'P' && !s.endsWith('T'), 'must be milliseconds or an ISO 8601 duration such as PT10M or P1DT2H')
    .transform((s) => {
      const [, w, d, h, m, sec] = DURATION.exec(s)!;
      return (((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 + Number(h ?? 0)) * 60 + Number(m ?? 0)) * 60_000 + Math.round(Number(sec ?? 0) * 1000);
    })
    .refine((ms) => ms > 0 && ms <= MAX_TTL_MS, 'must be more than 0 and at most 366 days'),
]);

const Name = z.string().trim().min(1).max(256);
const Key = z.union([z.string().min(1).max(256), z.number().finite()]).transform(String);

const MessageBody = z
  .object({
    name: Name,
    correlationKey: Key.nullable().optional(),
    businessKey: z.string().min(1).max(256).nullable().optional(),
    // checked by the engine (assertVariables) on the raw object: zod would silently drop keys such as __proto__
    variables: z.unknown().optional(),
    messageId: z.string().min(1).max(256).nullable().optional(),
    timeToLive: TimeToLive.nullable().optional(),
  })
  .strict();

const SignalBody = z.object({ name: Name, variables: z.unknown().optional() }).strict();

const SubscriptionList = Pagination.extend({
  instanceId: uuid.optional(),
  definitionKey: z.string().min(1).max(256).optional(),
  kind: z.enum(['message', 'signal']).optional(),
  name: z.string().min(1).max(256).optional(),
});

/**
 * Messages and signals from outside (another system, a mail gateway, an operator). Staff,
 * process owners and administrators may send them; auditors may not.
 */
@ApiTags('messages')
@ApiBearerAuth()
@Controller('api')
export class MessagesController {
  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(TimerPoller) private readonly poller: TimerPoller,
    @Inject(SubscriptionsQuery) private readonly subscriptionsQuery: SubscriptionsQuery,
  ) {}

  @Get('subscriptions')
  @Roles('admin', 'auditor', 'process-owner')
  @ApiOperation({ summary: 'Waiting message and signal catches of instances, and message/signal start events of the latest versions (instanceId null), oldest first' })
  @ApiQuery({ name: 'instanceId', required: false })
  @ApiQuery({ name: 'definitionKey', required: false })
  @ApiQuery({ name: 'kind', required: false, enum: ['message', 'signal'] })
  @ApiQuery({ name: 'name', required: false })
  subscriptions(@Query() q: unknown, @CurrentUser() user: AuthUser): Promise<Page<SubscriptionView>> {
    return this.subscriptionsQuery.list(parse(SubscriptionList, q, 'query'), user);
  }

  @Post('messages')
  @Roles('staff', 'process-owner', 'admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'Correlate a message: delivered to every instance waiting for it (name + correlationKey), else starts the definitions whose message start event declares it; ' +
      '404 when nothing matches, or 202 when buffered for timeToLive',
  })
  @ApiBody({ schema: { example: { name: 'customer-reply', correlationKey: 'INC-42', variables: { reply: 'works again' }, messageId: 'mail-8812', timeToLive: 'PT1H' } } })
  async message(@Body() body: unknown, @CurrentUser() user: AuthUser, @Res({ passthrough: true }) res: Response): Promise<MessageAnswer> {
    const b = parse(MessageBody, body, 'message');
    const answer = await this.orchestrator.correlateMessage({
      name: b.name,
      correlationKey: b.correlationKey ?? null,
      businessKey: b.businessKey ?? null,
      variables: b.variables,
      messageId: b.messageId ?? null,
      timeToLiveMs: b.timeToLive ?? null,
      actor: user.username,
    });
    if (answer.status === 'buffered') res.status(HttpStatus.ACCEPTED);
    return answer;
  }

  @Post('signals')
  @Roles('staff', 'process-owner', 'admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'Broadcast a signal to every waiting signal catch and boundary event and every signal start event; each instance is reached in its own transaction. ' +
      'Answers the instances reached and started; `pending` deliveries failed now and are retried by the poller',
  })
  @ApiBody({ schema: { example: { name: 'major-incident', variables: { majorIncident: 'INC-42' } } } })
  signal(@Body() body: unknown, @CurrentUser() user: AuthUser): Promise<SignalAnswer> {
    const b = parse(SignalBody, body, 'signal');
    return this.orchestrator.broadcastSignal({ name: b.name, variables: b.variables, actor: user.username }, this.poller.worker);
  }
}
