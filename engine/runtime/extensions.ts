import { BpmnBusinessError, type ServiceHandlerRegistry } from '../services/service-handler';
import type { Clock } from '../clock';
import { evaluateExpression } from '../expressions';
import { firstOccurrence, isCron } from '../timers/schedule';
import { timerValueProblem } from '../timers/timer-values';
import { callActivityExtension } from '../calls/call-extension';
import { LOCALS_KEY, ScopeRuntime } from './scopes';
import { decisionTaskService, decisionTaskSpec } from '../decisions/task';
import { raiseBpmnError, retargetErrorThrow } from './raise-error';
import type { ServiceFailures } from './service-retry';
import { watchIterations } from './loop-history';
import { slaPauseExtension } from '../sla/sla-pause';
import type { CalendarLookup } from '../sla/sla';
import { externalTaskService, type ExternalTaskRuntime } from '../external-tasks/runtime';
import { externalTaskSpec } from '../external-tasks/spec';
import { onEnter, type ElementExtension } from './on-enter';

/** User-task metadata resolved when the task is entered (camunda:* attributes). */
export interface UserTaskMeta {
  assignee: string | null;
  candidateUsers: string[];
  candidateGroups: string[];
  dueAt: string | null;
  followUpAt: string | null;
  priority: number;
  formKey: string | null;
}

/** What the extensions need from the command that runs the engine. */
export interface ExtensionHost {
  instanceId: string;
  businessKey: string | null;
  handlers: ServiceHandlerRegistry;
  clock: Clock;
  /** Time zone of cron cycles. */
  timeZone: string;
  /** Called when an attribute expression fails; the attribute then counts as unset. */
  onExpressionError?: (elementId: string, attribute: string, error: unknown) => void;
  /**
   * The process variables. A task inside a sub-process sees a copy of them (bpmn-elements clones
   * the environment per sub-process); the data such a task produces is written here too, or it
   * would stay in that copy.
   */
  processVariables?: () => Record<string, unknown> | undefined;
  /** Loop variables, locals and live process variables (see scopes.ts); one per engine. */
  scopes?: ScopeRuntime;
  /** The definition's parsed model: where a handler's BPMN error is caught (business-errors.ts). */
  sourceContext?: unknown;
  /** Where technical handler failures go (service-retry.ts); without it they fail the command. */
  serviceFailures?: ServiceFailures;
  /** Business calendars of SLA clocks: with them, `itsm:pauseSla` pauses clocks (engine/sla/sla-pause.ts). */
  calendars?: CalendarLookup;
  /** External tasks of this engine (engine/external-tasks): `camunda:type="external"` tasks wait for workers. */
  externalTasks?: ExternalTaskRuntime;
}

/** Camunda's default task priority. */
export const DEFAULT_TASK_PRIORITY = 50;

const DELEGATE = /^\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$/;
const SERVICE_TYPES = new Set(['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask']);

/** Minimal view of a bpmn-elements activity, as extensions see it. */
interface ActivityLike {
  id: string;
  type: string;
  behaviour: Record<string, unknown> & { Service?: unknown };
  name?: string;
  environment: { variables: Record<string, unknown> };
  broker: {
    publish(exchange: string, routingKey: string, content: object): void;
    subscribeTmp(exchange: string, pattern: string, fn: (routingKey: string, message: { fields: { redelivered?: boolean }; content: Record<string, unknown> }) => void, options: object): void;
  };
  on(event: string, fn: (api: { id: string; content: Record<string, unknown>; executionId: string }) => void): void;
}

/**
 * The engine extensions (bpmn-elements `extensions` option). They give the camunda attributes we
 * support their meaning, without ever running diagram code:
 *  - user tasks: resolve assignee/candidates/dates/priority/formKey with the safe evaluator and
 *    attach them to the wait message (`content.userTask`); merge completion variables into the
 *    process variables when the task ends;
 *  - service/send/business-rule tasks: bind `camunda:delegateExpression="${name}"` to the handler
 *    registered under that name.
 */
export function createExtensions(host: ExtensionHost): Record<string, (activity: ActivityLike) => ElementExtension | void> {
  const scopes = host.scopes ?? new ScopeRuntime(() => host.processVariables?.());
  const calendars = host.calendars;
  return {
    /** `itsm:pauseSla`: the named SLA clocks are paused while the element runs (engine/sla/sla-pause.ts). */
    itsmSlaPause: calendars ? slaPauseExtension({ calendars, clock: host.clock, processVariables: host.processVariables }) : () => undefined,
    itsmUserTask(activity) {
      if (activity.type !== 'bpmn:UserTask') return;
      activity.on('end', (api) => {
        // A looped task's own end carries the list of its iterations' outputs: each iteration was handled when it completed.
        if (Array.isArray(api.content.output)) return;
        const submitted = (api.content.output as { variables?: unknown } | undefined)?.variables;
        completeActivity(activity, host, scopes, api.content, submitted && typeof submitted === 'object' ? (submitted as Record<string, unknown>) : {});
      });
      // On entry (see onEnter): the task's inputs and metadata, before it starts.
      return onEnter((content) => {
        const inputs = resolveInputs(activity, scopes.scope(activity.environment.variables, content));
        const meta = resolveUserTaskMeta(activity, host, scopes.scope(activity.environment.variables, { ...content, [LOCALS_KEY]: inputs }));
        activity.broker.publish('format', 'run.itsm.usertask', { userTask: meta, ...(Object.keys(inputs).length ? { [LOCALS_KEY]: inputs } : {}) });
      });
    },
    /**
     * Multi-instance and standard loops: registers the loop for the expression scopes, applies
     * each completed iteration's data (a user task iteration's submitted variables, output
     * parameters) and collects `itsm:outputElement` into `itsm:outputCollection`.
     */
    itsmLoop(activity) {
      const loop = activity.behaviour.loopCharacteristics as { behaviour?: Record<string, unknown> } | undefined;
      if (!loop?.behaviour) return;
      scopes.register(activity.id, loop);
      const info = scopes.loops.get(activity.id)!;
      watchIterations(activity, () => scopes.iterationSink);
      activity.on('start', (api) => {
        // A sub-process's broker also carries the events of its inner elements.
        if (api.id === activity.id && info.outputCollection && typeof api.content.index !== 'number') assignVariables(activity, host, { [info.outputCollection]: [] });
      });
      activity.broker.subscribeTmp(
        'execution',
        'execute.completed',
        (_routingKey, message) => {
          const content = message.content;
          if (!content.isMultiInstance || content.isRootScope || message.fields.redelivered) return;
          let submitted: Record<string, unknown> = {};
          if (activity.type === 'bpmn:UserTask') {
            const output = (content.output as { variables?: unknown } | undefined)?.variables;
            if (output && typeof output === 'object') submitted = output as Record<string, unknown>;
            completeActivity(activity, host, scopes, content, submitted);
          }
          if (info.outputCollection && info.outputElement) {
            const scope = { ...iterationScope(activity, scopes, content), ...submitted };
            const element = evaluateExpression(info.outputElement, scope);
            const process = host.processVariables?.() ?? activity.environment.variables;
            const current = process[info.outputCollection];
            assignVariables(activity, host, { [info.outputCollection]: [...(Array.isArray(current) ? current : []), element ?? null] });
          }
        },
        { noAck: true, consumerTag: `_itsm-loop-${activity.id}`, priority: 10000 },
      );
    },
    /** Input parameters of sub-processes become locals of their inner elements; output parameters map on end. */
    itsmSubProcessIo(activity) {
      if ((activity.type !== 'bpmn:SubProcess' && activity.type !== 'bpmn:AdHocSubProcess') || !inputOutput(activity)) return;
      activity.on('enter', (api) => {
        if (api.id !== activity.id) return; // an inner element's event
        const inputs = resolveInputs(activity, scopes.scope(activity.environment.variables, api.content));
        if (Object.keys(inputs).length) activity.broker.publish('format', 'run.itsm.io', { [LOCALS_KEY]: inputs });
      });
      activity.on('end', (api) => {
        if (api.id !== activity.id) return; // an inner element's event
        const outputs = outputParameters(activity);
        if (outputs.length) assignVariables(activity, host, evaluateParameters(outputs, scopes.scope(activity.environment.variables, api.content)));
      });
    },
    /**
     * bpmn-elements only reads ISO 8601 cycles. A cron cycle on a catch or boundary event is
     * handed to it as "R/PT<seconds until the next match>S" each time the event is entered (a
     * non-interrupting boundary re-enters for every repetition), so every firing lands on the
     * next cron match. The original expression travels along as `cron`.
     */
    itsmCronTimer(activity) {
      const cycle = timerCycleOf(activity);
      if (!cycle || !isCron(cycle)) return;
      activity.on('enter', () => {
        const now = host.clock.now();
        const next = firstOccurrence({ timeCycle: cycle }, now, host.timeZone);
        if (!next) return;
        const seconds = Math.max(1, Math.ceil((next.dueAt.getTime() - now.getTime()) / 1000));
        activity.broker.publish('format', 'run.itsm.cron', { timeCycle: `R/PT${seconds}S`, cron: cycle });
      });
    },
    itsmCallActivity: callActivityExtension(host.businessKey, (activity, patch) => assignVariables(activity as unknown as ActivityLike, host, patch)),
    /** Error end events reach catch-all and same-code catchers too (raise-error.ts). */
    itsmErrorThrow(activity) {
      if (activity.type === 'bpmn:EndEvent' && host.sourceContext) retargetErrorThrow(activity, host.sourceContext);
    },
    itsmServiceHandler(activity) {
      if (!SERVICE_TYPES.has(activity.type)) return;
      const external = host.externalTasks && externalTaskSpec(activity.behaviour);
      if (external) {
        // Workers outside the server do the work (engine/external-tasks).
        activity.behaviour.Service = externalTaskService(external, host.externalTasks!, {
          scope: (content) => scopes.scope(activity.environment.variables, content),
          inputs: (scope) => resolveInputs(activity, scope),
          outputs: (scope) => (outputParameters(activity).length ? evaluateParameters(outputParameters(activity), scope) : null),
          assign: (patch) => assignVariables(activity, host, patch),
          raise: (message, error, callback) => raiseBpmnError(activity, message, error, callback, host.sourceContext),
        });
        return;
      }
      const name = DELEGATE.exec(String(activity.behaviour.delegateExpression ?? ''))?.[1];
      // A business rule task with camunda:decisionRef evaluates a DMN decision table (engine/decisions).
      const decision = activity.type === 'bpmn:BusinessRuleTask' && !name ? decisionTaskSpec(activity.behaviour) : null;
      if (decision) {
        activity.behaviour.Service = decisionTaskService(
          decision,
          { instanceId: host.instanceId, elementId: activity.id },
          (content) => structuredClone(scopes.scope(activity.environment.variables, content)),
          (patch) => assignVariables(activity, host, patch),
        );
        return;
      }
      // A send task without a handler only sends its message (engine/messaging writes the outbox row).
      if (!name && activity.type === 'bpmn:SendTask' && activity.behaviour.messageRef) activity.behaviour.Service = sendOnlyService(host, scopes);
      if (!name) return;
      activity.behaviour.Service = handlerService(name, host, scopes);
    },
  };
}

/**
 * The data of a completed user task (or user task iteration): without output parameters the
 * submitted variables become process variables; with output parameters only the mapped values
 * do, evaluated over the process variables, the task's locals and loop variables and the
 * submitted variables.
 */
function completeActivity(activity: ActivityLike, host: ExtensionHost, scopes: ScopeRuntime, content: Record<string, unknown>, submitted: Record<string, unknown>): void {
  const outputs = outputParameters(activity);
  if (!outputs.length) {
    if (Object.keys(submitted).length) assignVariables(activity, host, submitted);
    return;
  }
  assignVariables(activity, host, evaluateParameters(outputs, { ...iterationScope(activity, scopes, content), ...submitted }));
}

/**
 * The scope of one execution of an activity. An instance of a looped task evaluates the task's
 * input parameters itself, with its loop variables (the activity's entry evaluated them once,
 * without).
 */
function iterationScope(activity: ActivityLike, scopes: ScopeRuntime, content: Record<string, unknown>): Record<string, unknown> {
  if (!content.isMultiInstance || content.isRootScope || !inputOutput(activity)?.inputParameters?.length) return scopes.scope(activity.environment.variables, content);
  const own = { ...content, [LOCALS_KEY]: undefined };
  const scope = scopes.scope(activity.environment.variables, own);
  return { ...scope, ...resolveInputs(activity, scope), ...scopes.loopVariables(own) };
}

/** A user task about to be offered: its metadata and name for this execution (each loop iteration has its own). */
export function userTaskAtWait(api: { owner?: unknown; name?: string; content: Record<string, unknown> }, scopes: ScopeRuntime | undefined): { meta: UserTaskMeta; name: string | null } {
  const activity = api.owner as ActivityLike | undefined;
  let meta = api.content.userTask as UserTaskMeta;
  const rawName = api.name ?? null;
  if (!activity || !scopes) return { meta, name: rawName };
  const scope = iterationScope(activity, scopes, api.content);
  if (api.content.isMultiInstance) meta = resolveUserTaskMeta(activity, {}, scope);
  let name = rawName;
  if (rawName && rawName.includes('${')) {
    try {
      name = text(evaluateExpression(rawName, scope)) ?? rawName;
    } catch {
      name = rawName;
    }
  }
  return { meta, name };
}

interface InputParameter {
  name: string;
  value?: string;
  definition?: { $type: string; items?: { value?: string }[]; entries?: { key: string; value?: string }[] };
}

interface IoDefinition {
  $type: string;
  inputParameters?: InputParameter[];
  outputParameters?: InputParameter[];
}

function inputOutput(activity: ActivityLike): IoDefinition | undefined {
  const values = (activity.behaviour.extensionElements as { values?: IoDefinition[] } | undefined)?.values ?? [];
  return values.find((v) => v.$type === 'camunda:InputOutput');
}

function outputParameters(activity: ActivityLike): InputParameter[] {
  return inputOutput(activity)?.outputParameters ?? [];
}

/** Evaluates `camunda:inputOutput` input parameters (text, list or map; scripts are refused at deploy). */
function resolveInputs(activity: ActivityLike, variables: Record<string, unknown>): Record<string, unknown> {
  return evaluateParameters(inputOutput(activity)?.inputParameters ?? [], variables);
}

/** Evaluates parameters in order; a later parameter sees the earlier ones (as in Camunda). */
function evaluateParameters(parameters: InputParameter[], variables: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const scope = { ...variables };
  const evaluate = (text: string | undefined) => (text === undefined ? null : evaluateExpression(text, scope));
  for (const p of parameters) {
    const d = p.definition;
    if (d?.$type === 'camunda:List') result[p.name] = (d.items ?? []).map((i) => evaluate(i.value));
    else if (d?.$type === 'camunda:Map') result[p.name] = Object.fromEntries((d.entries ?? []).map((e) => [e.key, evaluate(e.value)]));
    else result[p.name] = evaluate(p.value);
    scope[p.name] = result[p.name];
  }
  return result;
}

function timerCycleOf(activity: ActivityLike): string | undefined {
  const definitions = (activity.behaviour.eventDefinitions ?? []) as { type: string; behaviour?: { timeCycle?: unknown } }[];
  const cycle = definitions.find((d) => d.type === 'bpmn:TimerEventDefinition')?.behaviour?.timeCycle;
  return typeof cycle === 'string' ? cycle.trim() : undefined;
}

function resolveUserTaskMeta(activity: ActivityLike, host: Pick<ExtensionHost, 'onExpressionError'>, vars: Record<string, unknown>): UserTaskMeta {
  const b = activity.behaviour;
  const value = (attribute: string): unknown => {
    const raw = b[attribute];
    if (raw === undefined || raw === null || raw === '') return null;
    if (typeof raw !== 'string') return raw;
    try {
      return evaluateExpression(raw, vars);
    } catch (error) {
      host.onExpressionError?.(activity.id, attribute, error);
      return null;
    }
  };
  const priority = Number(value('priority'));
  return {
    assignee: text(value('assignee')),
    candidateUsers: list(value('candidateUsers')),
    candidateGroups: list(value('candidateGroups')),
    dueAt: instant(value('dueDate')),
    followUpAt: instant(value('followUpDate')),
    // Outside PostgreSQL's int4 (user_task.priority) counts as no priority, like a non-number.
    priority: Number.isFinite(priority) && Math.abs(priority) <= 2_147_483_647 && value('priority') !== null ? Math.trunc(priority) : DEFAULT_TASK_PRIORITY,
    formKey: text(value('formKey')),
  };
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
}

function list(v: unknown): string[] {
  const items = Array.isArray(v) ? v : v === null || v === undefined ? [] : String(v).split(',');
  return [...new Set(items.map((i) => String(i).trim()).filter(Boolean))];
}

/** Accepts a Date, an ISO string, or a FEEL date-time value (anything with a parsable string form). */
function instant(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  const d = v instanceof Date ? v : new Date(String(v));
  // Dates outside the years 1-9999 (what timestamptz and ISO strings both hold) count as no date.
  return Number.isNaN(d.getTime()) || timerValueProblem('timeDate', d) !== null ? null : d.toISOString();
}

type Callback = (error: Error | null, output?: unknown) => void;

/** Task output goes to the task's own scope (what later tasks of a sub-process read) and to the process. */
function assignVariables(activity: ActivityLike, host: ExtensionHost, patch: Record<string, unknown>): void {
  const own = activity.environment.variables;
  Object.assign(own, patch);
  const process = host.processVariables?.();
  if (process && process !== own) Object.assign(process, structuredClone(patch));
}

/**
 * The `Service` of a send task without a handler: completes at once; its output parameters, if
 * any, are evaluated over the process variables and its input parameters (e.g. a flag that
 * records the message was sent, read by a gateway the next time round).
 */
function sendOnlyService(host: ExtensionHost, scopes: ScopeRuntime) {
  return function SendOnlyService(this: { execute: unknown }, activity: ActivityLike) {
    this.execute = (message: { content: Record<string, unknown> }, callback: Callback) => {
      const outputs = outputParameters(activity);
      if (!outputs.length) return callback(null, null);
      try {
        const { variables, inputs } = taskScope(activity, scopes, message.content);
        assignVariables(activity, host, evaluateParameters(outputs, { ...variables, ...inputs }));
      } catch (error) {
        return callback(error instanceof Error ? error : new Error(String(error)));
      }
      callback(null, null);
    };
  };
}

/** What a service or send task's execution sees: a copy of its scope (each loop iteration with its loopCounter and element variable) and its input parameters over it. */
function taskScope(activity: ActivityLike, scopes: ScopeRuntime, content: Record<string, unknown>): { variables: Record<string, unknown>; inputs: Record<string, unknown> } {
  const variables = structuredClone(scopes.scope(activity.environment.variables, content));
  return { variables, inputs: resolveInputs(activity, variables) };
}

/** A bpmn-elements `Service` constructor bound to one registered handler. */
function handlerService(name: string, host: ExtensionHost, scopes: ScopeRuntime) {
  return function HandlerService(this: { execute: unknown }, activity: ActivityLike) {
    this.execute = (message: { content: Record<string, unknown> & { executionId: string } }, callback: Callback) => {
      const handler = host.handlers.get(name);
      if (!handler) return callback(new Error(`no service handler named "${name}" is registered`));
      let variables: Record<string, unknown>;
      let inputs: Record<string, unknown>;
      try {
        ({ variables, inputs } = taskScope(activity, scopes, message.content));
      } catch (error) {
        return callback(error instanceof Error ? error : new Error(String(error)));
      }
      Promise.resolve()
        .then(() =>
          handler.run({
            instanceId: host.instanceId,
            businessKey: host.businessKey,
            elementId: activity.id,
            idempotencyKey: `${host.instanceId}:${message.content.executionId}`,
            variables,
            inputs,
            now: host.clock.now(),
          }),
        )
        .then(
          (result) => {
            const data = result && typeof result === 'object' ? result : {};
            const outputs = outputParameters(activity);
            try {
              // With output parameters only the mapped values reach the process (Camunda 7).
              if (outputs.length) assignVariables(activity, host, evaluateParameters(outputs, { ...variables, ...inputs, ...data }));
              else if (result && typeof result === 'object') assignVariables(activity, host, result);
            } catch (error) {
              return callback(error instanceof Error ? error : new Error(String(error)));
            }
            callback(null, result ?? null);
          },
          (error: unknown) => {
            // A BpmnBusinessError's code is what an error boundary's errorCode matches.
            if (error instanceof BpmnBusinessError) return raiseBpmnError(activity, message, error, callback, host.sourceContext);
            const failure = error instanceof Error ? error : new Error(String(error));
            const failures = host.serviceFailures;
            const executionId = message.content.executionId;
            if (!failures || failures.retrying === executionId) return callback(failure);
            // A technical failure: the task waits for its retry job instead of failing the command.
            failures.failed.set(executionId, { executionId, elementId: activity.id, elementType: activity.type, message: failure.message });
            activity.broker.publish('event', 'activity.wait', { ...message.content, state: 'wait', serviceRetry: true });
          },
        );
    };
  };
}
