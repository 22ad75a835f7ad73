import { EngineError, EngineErrorCode } from '../errors';
import { BpmnBusinessError } from '../services/service-handler';
import { resolvePriority, type ExternalTaskSpec } from './spec';

/** An external task the engine waits on (one per activity execution: a loop iteration has its own). */
export interface WaitingExternalTask {
  executionId: string;
  elementId: string;
  elementType: string;
  topic: string;
  priority: number;
  /** Input parameters, evaluated when the activity was entered (Camunda's local variables). */
  locals: Record<string, unknown>;
}

/** What a command does to a waiting external task. */
export type ExternalTaskAction =
  | { kind: 'complete'; variables: Record<string, unknown>; localVariables: Record<string, unknown> }
  | { kind: 'bpmnError'; code: string; message: string; variables: Record<string, unknown> };

type Callback = (error: Error | null, output?: unknown) => void;

interface Entry {
  task: WaitingExternalTask;
  act(action: ExternalTaskAction): void;
}

/**
 * The external tasks of one engine: every service-like task with an external task spec registers
 * here when it executes (again on every recover: bpmn-engine re-executes a running service task),
 * and waits, announced as `activity.wait`, until a command acts on it.
 */
export class ExternalTaskRuntime {
  private readonly entries = new Map<string, Entry>();

  /** `enabled`: the definition has external tasks (otherwise the outcome carries none and nothing is synced). */
  constructor(readonly enabled: boolean) {}

  register(entry: Entry): void {
    this.entries.set(entry.task.executionId, entry);
  }

  forget(executionId: string): void {
    this.entries.delete(executionId);
  }

  /** The registered tasks still waiting in the engine, or undefined when the definition has none. */
  waiting(postponed: ReadonlySet<string>): WaitingExternalTask[] | undefined {
    if (!this.enabled) return undefined;
    for (const id of [...this.entries.keys()]) if (!postponed.has(id)) this.entries.delete(id);
    return [...this.entries.values()].map((e) => e.task);
  }

  /** Completes the waiting task, or throws a BPMN error from it; false when it no longer waits. */
  act(executionId: string, action: ExternalTaskAction): boolean {
    const entry = this.entries.get(executionId);
    if (!entry) return false;
    this.entries.delete(executionId);
    entry.act(action);
    return true;
  }
}

/** What the external task service needs from the extensions (engine/runtime/extensions.ts) for one activity. */
export interface ExternalTaskIo {
  /** The variables the activity sees for this execution (process, locals, loop variables). */
  scope(content: Record<string, unknown>): Record<string, unknown>;
  /** The activity's input parameters over `scope`. */
  inputs(scope: Record<string, unknown>): Record<string, unknown>;
  /** The activity's output parameters over `scope`, or null when it has none. */
  outputs(scope: Record<string, unknown>): Record<string, unknown> | null;
  /** Sets variables on the process (and the activity's scope). */
  assign(patch: Record<string, unknown>): void;
  /** Routes a BPMN error to its catcher (engine/runtime/raise-error.ts). */
  raise(message: unknown, error: BpmnBusinessError, callback: Callback): void;
}

interface ActivityLike {
  id: string;
  type: string;
  broker: { publish(exchange: string, routingKey: string, content: object): void };
}

/**
 * A bpmn-elements `Service` for an external task: on execute it evaluates the input parameters
 * and the priority, registers the task with the engine's {@link ExternalTaskRuntime} and
 * announces the activity as waiting; the host writes the external_task row. A command completes
 * it (variables to the process, output parameters over the worker's local variables) or throws a
 * BPMN error from it.
 */
export function externalTaskService(spec: ExternalTaskSpec, runtime: ExternalTaskRuntime, io: ExternalTaskIo) {
  return function ExternalTaskService(this: { execute: unknown; discard: unknown; stop: unknown }, activity: ActivityLike) {
    let executing: string | null = null;
    this.discard = this.stop = () => {
      if (executing) runtime.forget(executing);
    };
    this.execute = (message: { content: Record<string, unknown> & { executionId: string } }, callback: Callback) => {
      const executionId = message.content.executionId;
      let locals: Record<string, unknown>;
      let priority: number;
      let scope: Record<string, unknown>;
      try {
        scope = structuredClone(io.scope(message.content));
        locals = io.inputs(scope);
        priority = resolvePriority(spec.priority, { ...scope, ...locals });
      } catch (error) {
        return callback(error instanceof Error ? error : new Error(String(error)));
      }
      executing = executionId;
      runtime.register({
        task: { executionId, elementId: activity.id, elementType: activity.type, topic: spec.topic, priority, locals },
        act(action) {
          try {
            if (Object.keys(action.variables).length) io.assign(action.variables);
            if (action.kind === 'bpmnError') return io.raise(message, new BpmnBusinessError(action.code, action.message), callback);
            const outputs = io.outputs({ ...scope, ...locals, ...action.variables, ...action.localVariables });
            if (outputs) io.assign(outputs);
          } catch (error) {
            return callback(error instanceof Error ? error : new EngineError(EngineErrorCode.ProcessFailed, String(error)));
          }
          callback(null, action.variables);
        },
      });
      activity.broker.publish('event', 'activity.wait', { ...message.content, state: 'wait', externalTask: { topic: spec.topic, priority } });
    };
  };
}
