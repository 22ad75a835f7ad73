import { Body, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { EngineError, EngineErrorCode, Orchestrator } from '../../engine';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { TimerPoller } from '../engine-host/timer-poller';
import { sendJson } from './camunda-errors';
import { bodyObject, fromTypedValue, fromTypedVariables, optionalBoolean, optionalString, refuseField } from './camunda-values';
import { EngineRestController, baseUrlOf } from './engine-rest-controller';
import { EngineRestQuery, toCamundaInstance } from './engine-rest.query';

/**
 * Camunda 7 messages and signals, sent by staff, process owners and administrators (as the
 * native POST /api/messages and /api/signals, the same commands). A message is correlated by
 * its name and one correlation key: the value of the single entry of `correlationKeys` is
 * matched against the correlation key of the waiting message events (the diagram's
 * `zeebe:subscription correlationKey` or our correlation expression), and `businessKey` against
 * the instance's. Every matching instance receives it.
 */
@EngineRestController()
export class EngineRestMessageController {
  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(TimerPoller) private readonly poller: TimerPoller,
    @Inject(EngineRestQuery) private readonly query: EngineRestQuery,
  ) {}

  @Post('message')
  @Roles('staff', 'process-owner', 'admin')
  @ApiOperation({
    summary:
      'Camunda 7: correlate a message {messageName, businessKey, correlationKeys (one), processVariables, all, resultEnabled, variablesInResultEnabled}. ' +
      '204, or 200 with the results when resultEnabled; 400 MismatchingMessageCorrelationException when nothing waits for it and no start event declares it',
  })
  @ApiBody({
    schema: {
      example: {
        messageName: 'customer-reply',
        businessKey: 'INC-42',
        correlationKeys: { ticket: { value: 'INC-42', type: 'String' } },
        processVariables: { reply: { value: 'works again', type: 'String' } },
        all: true,
        resultEnabled: true,
      },
    },
  })
  async message(@Body() raw: unknown, @CurrentUser() user: AuthUser, @Req() req: Request, @Res() res: Response): Promise<void> {
    const body = bodyObject(raw);
    const name = optionalString(body, 'messageName');
    if (!name) throw new EngineError(EngineErrorCode.InvalidRequest, 'messageName is required');
    refuseField(body, 'processInstanceId', 'messages are correlated by correlation key and business key');
    refuseField(body, 'tenantId', 'this server has no tenants');
    refuseField(body, 'localCorrelationKeys', 'correlation uses one correlation key');
    refuseField(body, 'processVariablesLocal', 'message variables are set on the process instance (processVariables)');
    refuseField(body, 'processVariablesToTriggeredScope', 'message variables are set on the process instance (processVariables)');
    const businessKey = optionalString(body, 'businessKey');
    const correlationKey = this.correlationKey(body.correlationKeys);
    optionalBoolean(body, 'all');
    optionalBoolean(body, 'withoutTenantId');
    const resultEnabled = optionalBoolean(body, 'resultEnabled') ?? false;
    const variablesInResult = optionalBoolean(body, 'variablesInResultEnabled') ?? false;
    const variables = fromTypedVariables(body.processVariables, 'processVariables');
    const answer = await this.orchestrator.correlateMessage({ name, correlationKey, businessKey: businessKey ?? null, variables, messageId: null, timeToLiveMs: null, actor: user.username });
    if (!resultEnabled) return sendJson(res, 204, undefined);
    const base = baseUrlOf(req);
    const results = [];
    for (const d of answer.delivered) {
      results.push({
        resultType: 'Execution',
        execution: { id: d.instanceId, processInstanceId: d.instanceId, ended: false, tenantId: null },
        processInstance: null,
        ...(variablesInResult ? { variables: await this.query.variablesOf(d.instanceId) } : {}),
      });
    }
    for (const s of answer.started) {
      results.push({
        resultType: 'ProcessDefinition',
        execution: null,
        processInstance: toCamundaInstance({ id: s.instanceId, definitionId: s.definitionId, definitionKey: s.definitionKey, businessKey: businessKey ?? null, ended: false }, base),
        ...(variablesInResult ? { variables: await this.query.variablesOf(s.instanceId) } : {}),
      });
    }
    sendJson(res, 200, results);
  }

  @Post('signal')
  @Roles('staff', 'process-owner', 'admin')
  @ApiOperation({ summary: 'Camunda 7: broadcast a signal {name, variables} to every waiting signal event and signal start event; 204' })
  @ApiBody({ schema: { example: { name: 'major-incident', variables: { majorIncident: { value: 'INC-42', type: 'String' } } } } })
  async signal(@Body() raw: unknown, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const body = bodyObject(raw);
    const name = optionalString(body, 'name');
    if (!name) throw new EngineError(EngineErrorCode.InvalidRequest, 'name is required');
    refuseField(body, 'executionId', 'signals are broadcast to every waiting event');
    refuseField(body, 'tenantId', 'this server has no tenants');
    optionalBoolean(body, 'withoutTenantId');
    const variables = fromTypedVariables(body.variables);
    await this.orchestrator.broadcastSignal({ name, variables, actor: user.username }, this.poller.worker);
    sendJson(res, 204, undefined);
  }

  /** The one correlation key's value, as text (our correlation keys are compared as text). */
  private correlationKey(raw: unknown): string | null {
    if (raw === undefined || raw === null) return null;
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new EngineError(EngineErrorCode.InvalidRequest, 'correlationKeys must be an object of name → {value, type}');
    const entries = Object.entries(raw as Record<string, unknown>);
    if (entries.length === 0) return null;
    if (entries.length > 1) throw new EngineError(EngineErrorCode.InvalidRequest, 'correlationKeys with more than one key are not supported by this server: a message event has one correlation key');
    const [name, typed] = entries[0]!;
    const value = fromTypedValue(typed, `correlationKeys.${name}`);
    if (typeof value === 'string' && value.length > 0 && value.length <= 256) return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new EngineError(EngineErrorCode.InvalidRequest, `correlationKeys.${name} must be text of 1 to 256 characters, a number or a boolean`);
  }
}

