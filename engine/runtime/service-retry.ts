import type { PendingTimer } from './durable-timers';

/** The spec of a timer job that retries a failed service task (not a BPMN timer). */
export const SERVICE_RETRY_SPEC = 'service-retry';
/** Delay of the first retry of a failed service task; later ones follow the timer backoff. */
export const FIRST_SERVICE_RETRY_MS = 10_000;

/** A handler that failed technically (any exception but a BpmnBusinessError) in this run. */
export interface ServiceFailure {
  executionId: string;
  elementId: string;
  elementType: string;
  message: string;
}

/**
 * Technical failures of service handlers, shared by one engine's extensions and its runner.
 *
 * A failing handler does not fail the command that reached it: the service task stays where it is
 * (the extension announces it as waiting, so the run becomes quiet), and the runner turns it into a
 * durable retry job (a `timer_job` row with spec `service-retry`, due 10 s later) written in the
 * command's transaction. The timer poller fires the job: the instance is recovered from its
 * snapshot, which re-invokes the in-flight handler (bpmn-engine re-executes a service task that
 * was running when its state was taken). During that retry (`retrying`) a failure fails the
 * timer command, so the timer machinery counts the attempt, backs off (10 s, 40 s) and opens an
 * incident after the last one; POST /api/incidents/:id/retry puts the job back in line.
 */
export class ServiceFailures {
  /** The service task execution a retry job is re-running, whose failure must fail the command. */
  retrying: string | null = null;
  readonly failed = new Map<string, ServiceFailure>();

  /** Retry jobs for the failures still waiting in the engine. */
  retryTimers(waiting: ReadonlySet<string>, now: Date): PendingTimer[] {
    return [...this.failed.values()]
      .filter((f) => waiting.has(f.executionId))
      .map((f) => ({ executionId: f.executionId, elementId: f.elementId, dueAt: new Date(now.getTime() + FIRST_SERVICE_RETRY_MS), spec: SERVICE_RETRY_SPEC, repeat: null }));
  }
}
