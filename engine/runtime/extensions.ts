import { BpmnBusinessError, type ServiceHandlerRegistry } from '../services/service-handler';
import type { Clock } from '../clock';
import { evaluateExpression } from '../expressions';
import { firstOccurrence, isCron } from '../timers/schedule';
import { raiseBpmnError, retargetErrorThrow } from './raise-error';
import type { ServiceFailures } from './service-retry';

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
  /** The definition's parsed model: where a handler's BPMN error is caught (business-errors.ts). */
  sourceContext?: unknown;
  /** Where technical handler failures go (service-retry.ts); without it they fail the command. */
  serviceFailures?: ServiceFailures;
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
  environment: { variables: Record<string, unknown> };
  broker: { publish(exchange: string, routingKey: string, content: object): void };
  on(event: string, fn: (api: { content: Record<string, unknown>; executionId: string }) => void): void;
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
export function createExtensions(host: ExtensionHost): Record<string, (activity: ActivityLike) => void> {
  return {
    itsmUserTask(activity) {
      if (activity.type !== 'bpmn:UserTask') return;
      activity.on('enter', () => {
        const meta = resolveUserTaskMeta(activity, host);
        activity.broker.publish('format', 'run.itsm.usertask', { userTask: meta });
      });
      activity.on('end', (api) => {
        const submitted = (api.content.output as { variables?: unknown } | undefined)?.variables;
        if (submitted && typeof submitted === 'object') assignVariables(activity, host, submitted as Record<string, unknown>);
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
    /** Error end events reach catch-all and same-code catchers too (raise-error.ts). */
    itsmErrorThrow(activity) {
      if (activity.type === 'bpmn:EndEvent' && host.sourceContext) retargetErrorThrow(activity, host.sourceContext);
    },
    itsmServiceHandler(activity) {
      if (!SERVICE_TYPES.has(activity.type)) return;
      const name = DELEGATE.exec(String(activity.behaviour.delegateExpression ?? ''))?.[1];
      if (!name) return;
      activity.behaviour.Service = handlerService(name, host);
    },
  };
}

interface InputParameter {
  name: string;
  value?: string;
  definition?: { $type: string; items?: { value?: string }[]; entries?: { key: string; value?: string }[] };
}

/** Evaluates `camunda:inputOutput` input parameters (text, list or map; scripts are refused at deploy). */
function resolveInputs(activity: ActivityLike, variables: Record<string, unknown>): Record<string, unknown> {
  const values = ((activity.behaviour.extensionElements as { values?: { $type: string; inputParameters?: InputParameter[] }[] } | undefined)?.values ?? []);
  const io = values.find((v) => v.$type === 'camunda:InputOutput');
  const inputs: Record<string, unknown> = {};
  const evaluate = (text: string | undefined) => (text === undefined ? null : evaluateExpression(text, variables));
  for (const p of io?.inputParameters ?? []) {
    const d = p.definition;
    if (d?.$type === 'camunda:List') inputs[p.name] = (d.items ?? []).map((i) => evaluate(i.value));
    else if (d?.$type === 'camunda:Map') inputs[p.name] = Object.fromEntries((d.entries ?? []).map((e) => [e.key, evaluate(e.value)]));
    else inputs[p.name] = evaluate(p.value);
  }
  return inputs;
}

function timerCycleOf(activity: ActivityLike): string | undefined {
  const definitions = (activity.behaviour.eventDefinitions ?? []) as { type: string; behaviour?: { timeCycle?: unknown } }[];
  const cycle = definitions.find((d) => d.type === 'bpmn:TimerEventDefinition')?.behaviour?.timeCycle;
  return typeof cycle === 'string' ? cycle.trim() : undefined;
}

function resolveUserTaskMeta(activity: ActivityLike, host: ExtensionHost): UserTaskMeta {
  const b = activity.behaviour;
  const vars = activity.environment.variables;
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
    priority: Number.isFinite(priority) && value('priority') !== null ? Math.trunc(priority) : DEFAULT_TASK_PRIORITY,
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
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

type Callback = (error: Error | null, output?: unknown) => void;

/** Task output goes to the task's own scope (what later tasks of a sub-process read) and to the process. */
function assignVariables(activity: ActivityLike, host: ExtensionHost, patch: Record<string, unknown>): void {
  const own = activity.environment.variables;
  Object.assign(own, patch);
  const process = host.processVariables?.();
  if (process && process !== own) Object.assign(process, structuredClone(patch));
}

/** A bpmn-elements `Service` constructor bound to one registered handler. */
function handlerService(name: string, host: ExtensionHost) {
  return function HandlerService(this: { execute: unknown }, activity: ActivityLike) {
    this.execute = (message: { content: { executionId: string } & Record<string, unknown> }, callback: Callback) => {
      const handler = host.handlers.get(name);
      if (!handler) return callback(new Error(`no service handler named "${name}" is registered`));
      const variables = structuredClone(activity.environment.variables);
      Promise.resolve()
        .then(() =>
          handler.run({
            instanceId: host.instanceId,
            businessKey: host.businessKey,
            elementId: activity.id,
            idempotencyKey: `${host.instanceId}:${message.content.executionId}`,
            variables,
            inputs: resolveInputs(activity, variables),
            now: host.clock.now(),
          }),
        )
        .then(
          (result) => {
            if (result && typeof result === 'object') assignVariables(activity, host, result);
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
