import { FeelSandbox } from './sandbox';

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
