import { workerExecArgv } from './v8-memory';

describe('the V8 memory flags a cluster worker is started with', () => {
  it('adds the semi-space size to the primary’s own flags', () => {
    expect(workerExecArgv(['--enable-source-maps'], undefined, 8)).toEqual(['--enable-source-maps', '--max-semi-space-size=8']);
  });

  it('leaves V8’s default with SEMI_SPACE_MB=0', () => {
    expect(workerExecArgv(['--enable-source-maps'], undefined, 0)).toEqual(['--enable-source-maps']);
  });

  it('keeps the operator’s own choice, on the command line or in NODE_OPTIONS', () => {
    expect(workerExecArgv(['--max-semi-space-size=32'], undefined, 8)).toEqual(['--max-semi-space-size=32']);
    expect(workerExecArgv(['--max_semi_space_size', '2'], undefined, 8)).toEqual(['--max_semi_space_size', '2']);
    expect(workerExecArgv([], '--require ./x.js --max-semi-space-size=4', 8)).toEqual([]);
  });
});
