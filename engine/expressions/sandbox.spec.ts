import { join } from 'node:path';
import { FeelSandbox, WALL_BACKSTOP } from './sandbox';

const onLinux = process.platform === 'linux' ? it : it.skip;

const options = { timeoutMs: 5_000, maxChars: 10_000 };

describe('the FEEL sandbox workers', () => {
  let sandbox: FeelSandbox;
  beforeEach(() => (sandbox = new FeelSandbox(() => 64)));
  afterEach(() => sandbox.close());

  it('runs sandboxed FEEL on one worker and starts no spare while no worker had to be replaced', () => {
    sandbox.warm();
    for (let i = 1; i <= 3; i++) expect(sandbox.evaluate(`for x in 1..${i} return x * 2`, {}, options)).toMatchObject({ kind: 'ok', value: Array.from({ length: i }, (_, k) => (k + 1) * 2) });
    expect(sandbox.stats).toEqual({ spawned: 1, killed: 0, evaluations: 3 });
  });

  it('replaces a worker terminated past its time limit and keeps a warm spare from then on', () => {
    sandbox.warm();
    const endless = sandbox.evaluate('count(for x in 1..100000000 return x)', {}, { ...options, timeoutMs: 200 });
    expect(endless).toMatchObject({ kind: 'killed' });
    // the terminated worker is replaced at once, and a spare is started beside it for the next one
    expect(sandbox.stats).toMatchObject({ spawned: 3, killed: 1 });
    expect(sandbox.evaluate('for x in [1, 2] return x + 1', {}, options)).toMatchObject({ kind: 'ok', value: [2, 3] });
    const again = sandbox.evaluate('count(for x in 1..100000000 return x)', {}, { ...options, timeoutMs: 200 });
    expect(again).toMatchObject({ kind: 'killed' });
    // the spare took over and a new spare is started: two workers alive, never more
    expect(sandbox.stats).toMatchObject({ spawned: 4, killed: 2 });
    expect(sandbox.evaluate('for x in [3] return x', {}, options)).toMatchObject({ kind: 'ok', value: [3] });
  });

  it('starts a spare when an evaluation is left running, so the next one does not wait for it', async () => {
    sandbox.warm();
    expect(sandbox.evaluate('for x in [1] return x', {}, options)).toMatchObject({ kind: 'ok' });
    // not waited for at all: still queued or running when the caller stops waiting
    const ticket = sandbox.begin('count(for x in 1..1000 return x)', {}, { ...options, timeoutMs: 60_000 });
    expect(sandbox.waitSync(ticket, 0)).toBeNull();
    expect(sandbox.stats.spawned).toBe(3);
    expect(sandbox.evaluate('for x in [5] return x', {}, options)).toMatchObject({ kind: 'ok', value: [5] });
    expect(await sandbox.settle(ticket)).toMatchObject({ kind: 'ok', value: 1000 });
  });
});

describe("the FEEL sandbox's time limit is the worker's CPU time", () => {
  const options = { timeoutMs: 200, maxChars: 10_000 };
  let sandbox: FeelSandbox;
  // A worker speaking the sandbox's protocol that idles (blocked, off the CPU) or burns CPU on request.
  const open = (wallBackstop?: number) => {
    sandbox = new FeelSandbox(() => 64, { workerFile: join(__dirname, 'testing', 'idle-worker.mjs'), wallBackstop });
    sandbox.warm();
  };
  beforeEach(() => open());
  afterEach(() => sandbox.close());
  // The workers run at the lowest CPU priority: on a loaded machine one that burns CPU can get so
  // little of it that the wall-time backstop would end it first; the tests about CPU time set the backstop far away.
  const farBackstop = 1000;

  onLinux('answers an evaluation whose worker is kept off the CPU longer than its limit (a loaded machine)', () => {
    const answer = sandbox.evaluate('idle 600', {}, options);
    expect(answer).toMatchObject({ kind: 'ok', value: { idle: 600 } });
    expect(answer.ms).toBeLessThan(100);
    expect(sandbox.clock).toBe('schedstat');
    expect(sandbox.stats.killed).toBe(0);
  });

  it('terminates a worker that uses its CPU time, and says how much it used', () => {
    sandbox.close();
    open(farBackstop);
    const answer = sandbox.evaluate('burn 10000', {}, options);
    expect(answer).toMatchObject({ kind: 'killed', starved: false });
    expect(answer.ms).toBeGreaterThanOrEqual(200);
    expect(answer.ms).toBeLessThan(10_000);
    expect(sandbox.stats.killed).toBe(1);
  });

  it("answers the worker's CPU time of an evaluation as its time", () => {
    sandbox.close();
    open(farBackstop);
    const answer = sandbox.evaluate('burn 120', {}, { ...options, timeoutMs: 5000 });
    expect(answer).toMatchObject({ kind: 'ok', value: { burn: 120 } });
    expect(answer.ms).toBeGreaterThanOrEqual(120);
    expect(answer.ms).toBeLessThan(200);
  });

  onLinux(`terminates a starved worker after ${WALL_BACKSTOP} times its limit in wall time`, () => {
    const began = performance.now();
    const answer = sandbox.evaluate('idle 60000', {}, { ...options, timeoutMs: 100 });
    expect(answer).toMatchObject({ kind: 'killed', starved: true });
    expect(performance.now() - began).toBeGreaterThanOrEqual(100 * WALL_BACKSTOP);
    expect(performance.now() - began).toBeLessThan(30_000);
    expect(answer.ms).toBeLessThan(100);
    if (answer.kind === 'killed') expect(answer.ranMs).toBeGreaterThanOrEqual(100 * WALL_BACKSTOP);
  });

  onLinux('lets an evaluation awaited asynchronously idle past its limit too', async () => {
    const ticket = sandbox.begin('idle 500', {}, { ...options, timeoutMs: 100 });
    expect(sandbox.waitSync(ticket, 0)).toBeNull();
    expect(await sandbox.settle(ticket)).toMatchObject({ kind: 'ok', value: { idle: 500 } });
  });

  it('terminates an evaluation awaited asynchronously that uses its CPU time', async () => {
    sandbox.close();
    open(farBackstop);
    const ticket = sandbox.begin('burn 10000', {}, { ...options, timeoutMs: 100 });
    expect(sandbox.waitSync(ticket, 0)).toBeNull();
    const answer = await sandbox.settle(ticket);
    expect(answer).toMatchObject({ kind: 'killed', starved: false });
    expect(answer.ms).toBeGreaterThanOrEqual(100);
  });
});

describe('the FEEL sandbox worker reports its CPU time', () => {
  onLinux('on Linux: the caller reads the worker thread clock', () => {
    const sandbox = new FeelSandbox(() => 64);
    try {
      sandbox.warm();
      const answer = sandbox.evaluate('count(for x in 1..20000 return x)', {}, { timeoutMs: 5000, maxChars: 1000 });
      expect(answer).toMatchObject({ kind: 'ok', value: 20000 });
      expect(answer.ms).toBeGreaterThan(0);
      expect(sandbox.clock).toBe('schedstat');
    } finally {
      sandbox.close();
    }
  });
});
