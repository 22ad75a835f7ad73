import { randomInt } from 'node:crypto';
import { InstanceRunner, idInSlot, slotOf, type Orchestrator, type TimerPartition } from '../../engine';
import { currentRequestId, inRequestContext } from '../common/logger';
import { affinityForwards } from '../metrics/metrics';
import { isAffinityMessage, rebuildError, transportError, type AffinityMessage, type CallMessage, type ReplyMessage } from './protocol';

/** This process's place in the cluster: worker `index` of `workers` (set by main.ts as CLUSTER_WORKER). */
export interface ClusterPlace {
  index: number;
  workers: number;
}

/** The IPC channel to the primary (the cluster worker's `process`). */
export interface Channel {
  send(message: AffinityMessage): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

type Command = (...args: unknown[]) => Promise<unknown>;

/** Commands addressed by a task id (its slot is its instance's, engine/commands/instance-ids.ts). */
const BY_TASK = ['claimTask', 'unclaimTask', 'assignTask', 'completeTask'] as const;
/** Commands addressed by an instance id. */
const BY_INSTANCE = ['cancelInstance', 'pauseSla', 'resumeSla'] as const;
/** External task commands, addressed by the external task's id (in its instance's slot). */
const BY_EXTERNAL_TASK = ['complete', 'handleFailure', 'handleBpmnError', 'extendLock', 'lock', 'unlock', 'setRetries'] as const;

/** The worker owning the instance behind `id` (an instance, task or external task id); null when `id` is no UUID. */
export function ownerOf(id: unknown, workers: number): number | null {
  const slot = typeof id === 'string' ? slotOf(id) : null;
  return slot === null ? null : slot % workers;
}

/**
 * Instance affinity for a cluster worker: each instance belongs to the worker `slot mod workers`
 * (the slot is the last byte of its id). A new instance gets an id this worker owns; a command
 * for another worker's instance is sent to that worker over the cluster IPC channel, which runs
 * the same orchestrator method with the same arguments (actor included) and answers the result
 * or the error, so the instance's warm engine is found instead of recovered from the snapshot.
 * When the owner is unavailable (exited, not yet listening) or does not answer within
 * `timeoutMs`, the command runs here: the instance row's lock and revision check keep that
 * correct, it only costs a recover.
 */
export class AffinityRouter {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: ReplyMessage) => void; timer: NodeJS.Timeout }>();
  private readonly local = new Map<string, Command>();
  private runner: InstanceRunner | null = null;
  private readonly listener = (message: unknown) => this.receive(message);

  constructor(
    private readonly place: ClusterPlace,
    private readonly channel: Channel,
    private readonly timeoutMs: number,
  ) {
    if (place.workers < 2 || place.index < 0 || place.index >= place.workers) throw new Error(`AffinityRouter: worker ${place.index} of ${place.workers}`);
    channel.on('message', this.listener);
  }

  /** A new instance id in a slot this worker owns. */
  newInstanceId(): string {
    const { index, workers } = this.place;
    return idInSlot(index + workers * randomInt(Math.floor((255 - index) / workers) + 1));
  }

  /**
   * This worker's share of the due instance timers (TimerPartition): it claims the jobs of the
   * instances it owns, so a timer fires where the instance's engine is warm and keeps it warm for
   * the instance's next command; another worker's jobs once they are `graceMs` overdue (that
   * worker is gone or behind).
   */
  timerPartition(graceMs: number): TimerPartition {
    return { index: this.place.index, workers: this.place.workers, graceMs };
  }

  owns(id: string): boolean {
    const owner = ownerOf(id, this.place.workers);
    return owner === null || owner === this.place.index;
  }

  /**
   * Routes the instance commands of `orchestrator` (wrapping its methods in place, over any
   * instrumentation already there, which then counts a command where it runs) and keeps only the
   * engines of owned instances warm. Answers the same object.
   */
  route(orchestrator: Orchestrator): Orchestrator {
    const target = orchestrator as unknown as Record<string, Command>;
    for (const name of [...BY_TASK, ...BY_INSTANCE]) this.wrap(target, name, name);
    const external = orchestrator.externalTasks as unknown as Record<string, Command>;
    for (const name of BY_EXTERNAL_TASK) this.wrap(external, name, `externalTasks.${name}`);
    const runner = (orchestrator as unknown as { runner?: unknown }).runner;
    if (!(runner instanceof InstanceRunner)) throw new Error('AffinityRouter: the orchestrator has no InstanceRunner at .runner');
    this.runner = runner;
    this.steerRunner(runner);
    return orchestrator;
  }

  /** Stops listening; calls still waiting run here. */
  close(): void {
    this.channel.off('message', this.listener);
    for (const [id, call] of this.pending) {
      clearTimeout(call.timer);
      call.resolve({ affinity: 'reply', id, to: this.place.index, ok: false, undelivered: 'unavailable' });
    }
    this.pending.clear();
  }

  private wrap(target: Record<string, Command>, name: string, method: string): void {
    const original = target[name]!.bind(target);
    this.local.set(method, original);
    Object.defineProperty(target, name, {
      configurable: true,
      value: async (...args: unknown[]) => {
        const owner = ownerOf(args[0], this.place.workers);
        if (owner === null || owner === this.place.index) return original(...args);
        const reply = await this.call(owner, method, args);
        if (reply.undelivered) {
          affinityForwards.inc({ result: reply.undelivered });
          return original(...args);
        }
        affinityForwards.inc({ result: 'answered' });
        if (reply.ok) return reply.value;
        throw rebuildError(reply.error!);
      },
    });
  }

  /**
   * Engines of other workers' instances are not kept here (they would be found cold by the
   * owner anyway); a revision moved here by a command that did not run the engine (e.g. fetch and
   * lock of external tasks) is told to the owner, whose warm engine stays usable.
   */
  private steerRunner(runner: InstanceRunner): void {
    const keep = runner.keep.bind(runner);
    const bump = runner.bump.bind(runner);
    Object.defineProperty(runner, 'keep', {
      configurable: true,
      value: (instanceId: string, revision: number, live: Parameters<InstanceRunner['keep']>[2]) => (this.owns(instanceId) ? keep(instanceId, revision, live) : undefined),
    });
    Object.defineProperty(runner, 'bump', {
      configurable: true,
      value: (instanceId: string, from: number, to: number) => {
        if (this.owns(instanceId)) return bump(instanceId, from, to);
        this.send({ affinity: 'bump', target: ownerOf(instanceId, this.place.workers)!, instanceId, from, revision: to });
      },
    });
  }

  private call(owner: number, method: string, args: unknown[]): Promise<ReplyMessage> {
    const id = this.nextId++;
    return new Promise<ReplyMessage>((resolve) => {
      const timer = setTimeout(() => this.settle({ affinity: 'reply', id, to: this.place.index, ok: false, undelivered: 'timeout' }), this.timeoutMs);
      this.pending.set(id, { resolve, timer });
      if (!this.send({ affinity: 'call', id, to: owner, method, args, requestId: currentRequestId() })) {
        this.settle({ affinity: 'reply', id, to: this.place.index, ok: false, undelivered: 'unavailable' });
      }
    });
  }

  private settle(reply: ReplyMessage): void {
    const call = this.pending.get(reply.id);
    if (!call) return;
    this.pending.delete(reply.id);
    clearTimeout(call.timer);
    call.resolve(reply);
  }

  private receive(message: unknown): void {
    if (!isAffinityMessage(message)) return;
    if (message.affinity === 'reply') this.settle(message);
    else if (message.affinity === 'call') void this.answer(message);
    else if (message.affinity === 'bump') this.runner?.bump(message.instanceId, message.from, message.revision);
  }

  /** Runs a command sent by another worker, as it would have run there, and answers it. */
  private async answer(call: CallMessage): Promise<void> {
    const reply: ReplyMessage = { affinity: 'reply', id: call.id, to: call.from!, ok: true };
    const command = this.local.get(call.method);
    try {
      if (!command) throw new Error(`no routed command ${call.method}`);
      reply.value = await inRequestContext(call.requestId, () => command(...call.args));
    } catch (error) {
      reply.ok = false;
      reply.error = transportError(error);
    }
    this.send(reply);
  }

  private send(message: AffinityMessage): boolean {
    try {
      this.channel.send(message);
      return true;
    } catch {
      return false;
    }
  }
}
