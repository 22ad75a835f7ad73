import { EngineError, EngineErrorCode, InstanceRunner, ServiceHandlerRegistry, idInSlot, type Orchestrator } from '../../engine';
import { AffinityRouter, ownerOf, type Channel } from './affinity-router';
import type { AffinityMessage, CallMessage } from './protocol';

/** A cluster channel whose sent messages the test reads and whose incoming messages it pushes. */
class FakeChannel implements Channel {
  sent: AffinityMessage[] = [];
  private listener: ((message: unknown) => void) | null = null;
  send(message: AffinityMessage): void {
    this.sent.push(message);
  }
  on(_event: 'message', listener: (message: unknown) => void): void {
    this.listener = listener;
  }
  off(): void {
    this.listener = null;
  }
  push(message: unknown): void {
    this.listener?.(message);
  }
}

/** The orchestrator methods the router wraps, answering where they ran. */
function fakeOrchestrator(calls: unknown[][]) {
  const here = (name: string) => async (...args: unknown[]) => {
    calls.push([name, ...args]);
    if (args[0] === 'fail') throw new EngineError(EngineErrorCode.TaskNotOpen, 'task is already completed', { details: { taskStatus: 'completed' } });
    return { ranHere: name, args };
  };
  const names = ['claimTask', 'unclaimTask', 'assignTask', 'completeTask', 'cancelInstance', 'pauseSla', 'resumeSla'];
  const external = ['complete', 'handleFailure', 'handleBpmnError', 'extendLock', 'lock', 'unlock', 'setRetries'];
  return {
    ...Object.fromEntries(names.map((n) => [n, here(n)])),
    externalTasks: Object.fromEntries(external.map((n) => [n, here(`externalTasks.${n}`)])),
    runner: new InstanceRunner(new ServiceHandlerRegistry([])),
  } as unknown as Orchestrator;
}

const flush = () => new Promise((r) => setImmediate(r));

describe('AffinityRouter (worker 0 of 2)', () => {
  let channel: FakeChannel;
  let router: AffinityRouter;
  let calls: unknown[][];
  let orchestrator: Orchestrator;

  beforeEach(() => {
    channel = new FakeChannel();
    calls = [];
    router = new AffinityRouter({ index: 0, workers: 2 }, channel, 1_000);
    orchestrator = router.route(fakeOrchestrator(calls));
  });
  afterEach(() => router.close());

  it('gives new instances ids it owns', () => {
    const ids = Array.from({ length: 100 }, () => router.newInstanceId());
    expect(ids.every((id) => ownerOf(id, 2) === 0)).toBe(true);
  });

  it('runs a command for its own instance here, and one with an id that is no UUID (the 4xx comes from here)', async () => {
    await orchestrator.completeTask(idInSlot(4), 'alice', {});
    await orchestrator.completeTask('not-a-uuid', 'alice', {});
    expect(calls.map((c) => c[0])).toEqual(['completeTask', 'completeTask']);
    expect(channel.sent).toEqual([]);
  });

  it("sends a command for the other worker's instance to it and answers its result", async () => {
    // given a task of an instance owned by worker 1
    const task = idInSlot(7);
    // when it is completed here
    const answer = orchestrator.completeTask(task, 'alice', { ok: true }, { key: 'k', request: { ok: true } });
    await flush();
    // then the call goes to worker 1 with the same arguments, and its reply is the answer
    const call = channel.sent[0] as CallMessage;
    expect(call).toMatchObject({ affinity: 'call', to: 1, method: 'completeTask', args: [task, 'alice', { ok: true }, { key: 'k', request: { ok: true } }] });
    channel.push({ affinity: 'reply', id: call.id, to: 0, ok: true, value: { instance: { id: 'i' }, tasks: [] } });
    await expect(answer).resolves.toEqual({ instance: { id: 'i' }, tasks: [] });
    expect(calls).toEqual([]);
  });

  it("rethrows the owner's engine error with its code and details", async () => {
    const answer = orchestrator.externalTasks.complete(idInSlot(9), { workerId: 'w' } as never, 'alice');
    await flush();
    const call = channel.sent[0] as CallMessage;
    expect(call.method).toBe('externalTasks.complete');
    channel.push({ affinity: 'reply', id: call.id, to: 0, ok: false, error: { engine: true, code: 'TASK_NOT_OPEN', message: 'task is already completed', details: { taskStatus: 'completed' } } });
    const error = await answer.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: EngineErrorCode.TaskNotOpen, message: 'task is already completed', details: { taskStatus: 'completed' } });
  });

  it('runs the command here when the owner is unavailable', async () => {
    const task = idInSlot(3);
    const answer = orchestrator.claimTask(task, 'alice');
    await flush();
    const call = channel.sent[0] as CallMessage;
    channel.push({ affinity: 'reply', id: call.id, to: 0, ok: false, undelivered: 'unavailable' });
    await expect(answer).resolves.toEqual({ ranHere: 'claimTask', args: [task, 'alice'] });
  });

  it('runs a command sent by the other worker and replies with its result or its error', async () => {
    channel.push({ affinity: 'call', id: 5, from: 1, to: 0, method: 'pauseSla', args: [idInSlot(2), 'resolution', 'waiting', 'bob'], requestId: 'r-1' });
    channel.push({ affinity: 'call', id: 6, from: 1, to: 0, method: 'completeTask', args: ['fail', 'bob', {}], requestId: null });
    await flush();
    await flush();
    expect(channel.sent).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ affinity: 'reply', id: 5, to: 1, ok: true }),
        { affinity: 'reply', id: 6, to: 1, ok: false, error: { engine: true, code: 'TASK_NOT_OPEN', message: 'task is already completed', details: { taskStatus: 'completed' }, retryable: false } },
      ]),
    );
  });

  it("does not keep engines of the other worker's instances, and tells it a revision moved here", () => {
    const runner = (orchestrator as unknown as { runner: InstanceRunner }).runner;
    const theirs = idInSlot(11);
    runner.bump(theirs, 3, 4);
    expect(channel.sent).toEqual([{ affinity: 'bump', target: 1, instanceId: theirs, from: 3, revision: 4 }]);
  });
});
