import { AsyncLocalStorage } from 'node:async_hooks';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { EngineError, EngineErrorCode, InstanceRunner, Orchestrator, type CommandStore, type FireSummary, type OutboxSummary, type TimerClaimer, type TransactionRunner } from '../../engine';
import { statusFor } from '../common/problem';
import { commandDuration, commands, engineResumes, engineRun, outboxDeliveries, timerJobs, timerLag, transactionConflicts, transactionRetries } from './metrics';

/**
 * Metrics and trace spans of the engine commands, taken at the Orchestrator's boundary: each
 * public command method is wrapped once (one span, one count, one latency), and the engine run
 * time and transaction retries of the command are summed in its async context.
 */

/** Orchestrator methods that are one command each (answered to an API caller). */
const COMMANDS = [
  'deploy',
  'suspendDefinition',
  'activateDefinition',
  'start',
  'claimTask',
  'unclaimTask',
  'assignTask',
  'completeTask',
  'cancelInstance',
  'correlateMessage',
  'broadcastSignal',
  'retryIncident',
  'pauseSla',
  'resumeSla',
] as const satisfies readonly (keyof Orchestrator)[];

/** Methods whose first argument is the instance id. */
const INSTANCE_FIRST = new Set<string>(['cancelInstance', 'pauseSla', 'resumeSla']);
/** Methods whose first argument is the task id. */
const TASK_FIRST = new Set<string>(['claimTask', 'unclaimTask', 'assignTask', 'completeTask']);

interface CommandContext {
  engineSeconds: number;
  /** The previous transaction of this command was rolled back on a conflict (the next one is its retry). */
  conflicted: boolean;
}

const context = new AsyncLocalStorage<CommandContext>();

export const tracer = trace.getTracer('itsm-orchestrator');

type Outcome = 'ok' | 'rejected' | 'conflict' | 'error';

function outcomeOf(error: unknown): Outcome {
  if (!(error instanceof EngineError)) return 'error';
  if (error.code === EngineErrorCode.RevisionConflict) return 'conflict';
  return statusFor(error.code) < 500 ? 'rejected' : 'error';
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/** Instance id and definition key of a command's answer (InstanceResult, TaskRecord, DeployResult). */
function subjectOf(result: unknown): { instanceId?: string; definitionKey?: string } {
  if (!result || typeof result !== 'object') return {};
  const r = result as { instance?: { id?: unknown; definitionKey?: unknown }; definition?: { key?: unknown }; instanceId?: unknown; definitionKey?: unknown };
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    instanceId: text(r.instance?.id) ?? text(r.instanceId),
    definitionKey: text(r.instance?.definitionKey) ?? text(r.definition?.key) ?? text(r.definitionKey),
  };
}

function argumentAttributes(command: string, args: unknown[]): Record<string, string> {
  const first = args[0];
  if (INSTANCE_FIRST.has(command) && typeof first === 'string') return { 'itsm.instance_id': first };
  if (TASK_FIRST.has(command) && typeof first === 'string') return { 'itsm.task_id': first };
  if (command === 'start' && first && typeof first === 'object') {
    const key = (first as { definitionKey?: unknown }).definitionKey;
    if (typeof key === 'string') return { 'itsm.definition_key': key };
  }
  return {};
}

function setSubject(span: Span, result: unknown): void {
  const { instanceId, definitionKey } = subjectOf(result);
  if (instanceId) span.setAttribute('itsm.instance_id', instanceId);
  if (definitionKey) span.setAttribute('itsm.definition_key', definitionKey);
}

async function runCommand<T>(command: string, args: unknown[], work: () => Promise<T>): Promise<T> {
  // A command called from within another (none today) is part of the outer one.
  if (context.getStore()) return work();
  const ctx: CommandContext = { engineSeconds: 0, conflicted: false };
  return tracer.startActiveSpan(`command ${command}`, { kind: SpanKind.INTERNAL, attributes: { 'itsm.command': command, ...argumentAttributes(command, args) } }, (span) =>
    context.run(ctx, async () => {
      const started = process.hrtime.bigint();
      let outcome: Outcome = 'ok';
      try {
        const result = await work();
        setSubject(span, result);
        return result;
      } catch (error) {
        outcome = outcomeOf(error);
        span.setAttribute('itsm.outcome', outcome);
        if (error instanceof EngineError) span.setAttribute('itsm.error_code', error.code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
        throw error;
      } finally {
        commands.inc({ command, outcome });
        commandDuration.observe({ command, outcome }, seconds(started));
        if (ctx.engineSeconds > 0) engineRun.observe({ command }, ctx.engineSeconds);
        span.end();
      }
    }),
  );
}

/** The poller's batches: counted per job; a batch that claimed nothing is not a command. No span (polls would flood traces). */
async function runBatch<T extends FireSummary | OutboxSummary>(command: string, work: () => Promise<T>): Promise<T> {
  const ctx: CommandContext = { engineSeconds: 0, conflicted: false };
  return context.run(ctx, async () => {
    const started = process.hrtime.bigint();
    const summary = await work();
    if (summary.claimed === 0) return summary;
    const outcome: Outcome = summary.failed ? 'error' : 'ok';
    commands.inc({ command, outcome });
    commandDuration.observe({ command, outcome }, seconds(started));
    if (ctx.engineSeconds > 0) engineRun.observe({ command }, ctx.engineSeconds);
    if ('fired' in summary) {
      timerJobs.inc({ result: 'fired' }, summary.fired);
      timerJobs.inc({ result: 'skipped' }, summary.skipped);
      timerJobs.inc({ result: 'failed' }, summary.failed);
    } else {
      outboxDeliveries.inc({ result: 'delivered' }, summary.delivered.length);
      outboxDeliveries.inc({ result: 'started' }, summary.started.length);
      outboxDeliveries.inc({ result: 'failed' }, summary.failed);
    }
    return summary;
  });
}

/**
 * Wraps the command methods of this orchestrator (own properties over the prototype's) and the
 * engine runs of its InstanceRunner. Answers the same object.
 */
export function instrumentOrchestrator(orchestrator: Orchestrator): Orchestrator {
  const target = orchestrator as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of COMMANDS) {
    const original = target[name]!.bind(orchestrator);
    Object.defineProperty(orchestrator, name, { value: (...args: unknown[]) => runCommand(name, args, () => original(...args)), configurable: true });
  }
  for (const name of ['fireDueTimers', 'drainOutbox'] as const) {
    const original = orchestrator[name].bind(orchestrator) as (...args: unknown[]) => Promise<FireSummary | OutboxSummary>;
    Object.defineProperty(orchestrator, name, { value: (...args: unknown[]) => runBatch(name, () => original(...args)), configurable: true });
  }
  // The engine runs (bpmn-engine to the next wait states) are the InstanceRunner's start and resume.
  const runner = (orchestrator as unknown as { runner?: unknown }).runner;
  if (!(runner instanceof InstanceRunner)) throw new Error('instrumentOrchestrator: the orchestrator has no InstanceRunner at .runner');
  runner.onResume = (warm) => engineResumes.inc({ warm: warm ? 'hit' : 'miss' });
  for (const name of ['start', 'resume'] as const) {
    const original = (runner[name] as (...args: unknown[]) => Promise<unknown>).bind(runner);
    Object.defineProperty(runner, name, {
      configurable: true,
      value: async (...args: unknown[]) => {
        const started = process.hrtime.bigint();
        try {
          return await original(...args);
        } finally {
          const ctx = context.getStore();
          if (ctx) ctx.engineSeconds += seconds(started);
        }
      },
    });
  }
  return orchestrator;
}

/**
 * The command transactions, counted: a transaction rolled back on a revision conflict or a
 * deadlock (the kernel's retry signal) is a conflict; the next transaction of the same command is
 * its retry. The timer claims observe how late each claimed job is (itsm_timer_lag_seconds).
 */
export function instrumentTransactions(inner: TransactionRunner): TransactionRunner {
  const timers: TimerClaimer = {
    async claimDue(owner, limit, lockMs, offsetMs, partition) {
      const claimed = await inner.timers.claimDue(owner, limit, lockMs, offsetMs, partition);
      for (const job of claimed) timerLag.observe(Math.max(0, job.lagSeconds));
      return claimed;
    },
  };
  return {
    timers,
    async run<T>(work: (store: CommandStore) => Promise<T>): Promise<T> {
      const ctx = context.getStore();
      if (ctx?.conflicted) {
        transactionRetries.inc();
        ctx.conflicted = false;
      }
      try {
        return await inner.run(work);
      } catch (error) {
        if (error instanceof EngineError && error.code === EngineErrorCode.RevisionConflict) {
          transactionConflicts.inc();
          if (ctx) ctx.conflicted = true;
        }
        throw error;
      }
    },
  };
}
