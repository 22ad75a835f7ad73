import { workerExecArgv, workerMemoryEnv } from './v8-memory';
import { loadConfig } from './config';

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

describe('the malloc arenas of a cluster worker', () => {
  it('bounds them with MALLOC_ARENA_MAX, and leaves glibc’s default with 0', () => {
    expect(workerMemoryEnv(2)).toEqual({ MALLOC_ARENA_MAX: '2' });
    expect(workerMemoryEnv(0)).toEqual({});
  });
});

describe('the memory settings in the configuration', () => {
  it('defaults to 2 malloc arenas per worker, and to warm engines idle at most 10 s within 48 MiB', () => {
    const config = loadConfig({});
    expect(config.v8Memory?.mallocArenaMax).toBe(2);
    expect(config.warmEngineIdleSeconds).toBe(10);
    expect(config.warmEngineMemoryMb).toBe(48);
    expect(loadConfig({ MALLOC_ARENA_MAX: '0', WARM_ENGINE_IDLE_SECONDS: '0' })).toMatchObject({ v8Memory: { mallocArenaMax: 0 }, warmEngineIdleSeconds: 0 });
  });

  it('refuses values that are not whole numbers in range', () => {
    for (const env of [{ MALLOC_ARENA_MAX: 'two' }, { MALLOC_ARENA_MAX: '-1' }, { WARM_ENGINE_IDLE_SECONDS: '1.5' }, { WARM_ENGINE_IDLE_SECONDS: '86401' }]) {
      expect(() => loadConfig(env)).toThrow(new RegExp(Object.keys(env)[0]!));
    }
  });
});
