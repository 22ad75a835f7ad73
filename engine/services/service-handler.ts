/**
 * Service tasks never run diagram code: a diagram names a handler
 * (`camunda:delegateExpression="${calculatePriority}"`) and the server looks it up in a typed
 * registry. Handlers are invoked inside the command's transaction and may be invoked again if a
 * command is retried, so they must be idempotent and quick.
 */
export interface ServiceHandlerContext {
  instanceId: string;
  businessKey: string | null;
  /** BPMN element id of the service task. */
  elementId: string;
  /** Stable across retries of the same task execution: pass it to downstream systems as an idempotency key. */
  idempotencyKey: string;
  /** A read-only copy of the process variables. */
  variables: Readonly<Record<string, unknown>>;
  /** The task's `camunda:inputOutput` input parameters, evaluated with the safe evaluator. */
  inputs: Readonly<Record<string, unknown>>;
  /** "Now" on the engine's clock (use this, not `new Date()`, so tests can move time). */
  now: Date;
}

/** Variables the handler sets on the process (merged into the process variables). */
export type ServiceHandlerResult = Record<string, unknown> | void;

/** One `camunda:inputOutput` input parameter a handler reads (shown by the modeler's properties panel). */
export interface ServiceHandlerInput {
  readonly name: string;
  readonly description: string;
  /** The handler fails (BPMN error INVALID_INPUT) without it. */
  readonly required?: boolean;
  /** What the value names, so the modeler can offer choices: a business calendar. */
  readonly kind?: 'calendar';
}

export interface ServiceHandler {
  /** The name diagrams use in `camunda:delegateExpression="${name}"`. */
  readonly name: string;
  readonly description: string;
  /** The input parameters it reads from `inputs` (none: it reads process variables only). */
  readonly inputs?: readonly ServiceHandlerInput[];
  run(context: ServiceHandlerContext): ServiceHandlerResult | Promise<ServiceHandlerResult>;
}

/**
 * A business failure a diagram can catch with an error boundary event whose error has the same
 * `errorCode` (BPMN error semantics). Any other exception fails the command.
 */
export class BpmnBusinessError extends Error {
  override readonly name = 'BpmnBusinessError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Name → handler. The set of names is also what deploy validation accepts. */
export class ServiceHandlerRegistry {
  private readonly handlers = new Map<string, ServiceHandler>();

  constructor(handlers: Iterable<ServiceHandler> = []) {
    for (const handler of handlers) this.register(handler);
  }

  register(handler: ServiceHandler): this {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(handler.name)) throw new Error(`invalid handler name "${handler.name}"`);
    if (this.handlers.has(handler.name)) throw new Error(`handler "${handler.name}" is registered twice`);
    this.handlers.set(handler.name, handler);
    return this;
  }

  get(name: string): ServiceHandler | undefined {
    return this.handlers.get(name);
  }

  names(): ReadonlySet<string> {
    return new Set(this.handlers.keys());
  }

  list(): ServiceHandler[] {
    return [...this.handlers.values()];
  }
}
