/**
 * A small driver for engine-level specs: compiles a diagram with the real deploy rules and runs
 * it with the real InstanceRunner, recovering from the snapshot on every command (no live engine
 * is kept), so each step also proves that the state survives getState/recover.
 */
import { compileDefinition, loadSourceContext } from '../../definitions';
import { checkExpression } from '../../expressions';
import { ServiceHandlerRegistry, type ServiceHandler } from '../../services/service-handler';
import { InstanceRunner, type EngineHandle, type EngineSnapshot, type RunnableDefinition, type RunOutcome } from '../instance-runner';

/** `${setVars}`: copies its input parameters into the process variables. */
const setVars: ServiceHandler = { name: 'setVars', description: 'test', run: ({ inputs }) => ({ ...inputs }) };

export class ProcessHarness {
  readonly runner: InstanceRunner;
  private revision = 0;

  /** `live`: keep the engine between commands as the orchestrator does (else recover every time). */
  constructor(private readonly live = false) {
    this.runner = new InstanceRunner(new ServiceHandlerRegistry([setVars]), undefined, 'UTC', live ? 4 : 0);
  }
  definition!: RunnableDefinition;
  snapshot: EngineSnapshot | null = null;
  status: RunOutcome['status'] = 'running';
  /** Element ids in the order they completed, over every command. */
  readonly completed: string[] = [];
  /** Open user tasks: element id → execution ids. */
  readonly tasks = new Map<string, string[]>();
  last!: RunOutcome;
  variables: Record<string, unknown> = {};

  static async deploy(xml: string, options: { live?: boolean } = {}): Promise<ProcessHarness> {
    const harness = new ProcessHarness(options.live);
    const compiled = await compileDefinition(xml, { knownHandlers: new Set(['setVars']), checkExpression });
    harness.definition = { id: 'def-1', key: compiled.processId, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
    return harness;
  }

  async start(variables: Record<string, unknown> = {}): Promise<this> {
    this.apply(await this.runner.start(this.definition, { instanceId: 'i-1', businessKey: null }, variables));
    return this;
  }

  /** Completes the (first) open user task `elementId` with `variables`. */
  async complete(elementId: string, variables: Record<string, unknown> = {}): Promise<this> {
    const executionId = this.tasks.get(elementId)?.[0];
    if (!executionId) throw new Error(`no open task "${elementId}" (open: ${[...this.tasks.keys()].join(', ')})`);
    return this.command((engine) => {
      engine.setVariables(variables);
      engine.signal(executionId, variables);
      return true;
    });
  }

  /** Fires the armed timer of element `elementId`. */
  async fireTimer(elementId: string): Promise<this> {
    return this.command((engine) => {
      const timer = engine.timers().find((t) => t.elementId === elementId);
      if (!timer) throw new Error(`no timer on "${elementId}"`);
      return engine.fireTimer(timer.executionId);
    });
  }

  async command(action: (engine: EngineHandle) => boolean): Promise<this> {
    if (!this.snapshot) throw new Error('the instance is not running');
    this.apply(await this.runner.resume(this.definition, { instanceId: 'i-1', businessKey: null }, this.snapshot, action, { revision: this.revision }));
    return this;
  }

  count(elementId: string): number {
    return this.completed.filter((id) => id === elementId).length;
  }

  get active(): string[] {
    return [...this.last.activeElementIds].sort();
  }

  private apply(outcome: RunOutcome): void {
    this.last = outcome;
    this.revision++;
    if (this.live) this.runner.keep('i-1', this.revision, outcome.live);
    this.status = outcome.status;
    this.snapshot = outcome.state;
    this.variables = outcome.variables;
    for (const event of outcome.events) if (event.type === 'element.completed') this.completed.push(event.elementId);
    for (const task of outcome.createdTasks) this.tasks.set(task.elementId, [...(this.tasks.get(task.elementId) ?? []), task.executionId]);
    const waiting = new Set(outcome.waitingTaskExecutionIds);
    for (const [id, executions] of this.tasks) {
      const open = executions.filter((e) => waiting.has(e));
      if (open.length) this.tasks.set(id, open);
      else this.tasks.delete(id);
    }
  }
}
