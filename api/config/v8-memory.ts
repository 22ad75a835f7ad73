import { setFlagsFromString } from 'node:v8';

/**
 * How much memory V8 keeps per server process besides what is live (README "Memory").
 *
 * - Old generation: after each full garbage collection V8 lets the heap grow to its live size
 *   times a factor before the next one. On a machine with a large heap limit (4 GB on 64-bit with
 *   16 GB or more of RAM) that factor reaches 4 under a fast-allocating load such as bpmn-engine's,
 *   so 90 MB live became 300-450 MB of heap. `HEAP_GROWTH_PERCENT` fixes the factor at
 *   1 + percent / 100 (V8's `--heap-growing-percent`); it is read at every collection, so it is
 *   set here at start, in every server process (the cluster primary, its workers, a single process).
 * - Young generation: two semi-spaces, 16 MB each by default in Node 20, committed as soon as the
 *   server has allocated a little. `SEMI_SPACE_MB` is V8's `--max-semi-space-size`, which only the
 *   command line or NODE_OPTIONS can set: the cluster primary passes it to its workers; a single
 *   process (`WORKERS=1`) takes it from NODE_OPTIONS.
 * - Native heap: glibc's malloc gives threads that allocate at the same time arenas of their own,
 *   up to 8 per core, and keeps what was freed in each. A server process has a dozen threads (libuv's
 *   pool, V8's collector and compiler threads, the FEEL sandbox's), so under load 8–10 MB of its RSS
 *   were such arenas. `MALLOC_ARENA_MAX` (glibc's own variable, read at process start) bounds them:
 *   the primary sets it for its workers; a single process (`WORKERS=1`) takes it from its environment.
 */
/** Defaults of HEAP_GROWTH_PERCENT and SEMI_SPACE_MB (README "Memory per server process"). */
export const DEFAULT_HEAP_GROWTH_PERCENT = 50;
export const DEFAULT_SEMI_SPACE_MB = 8;
/** Default of MALLOC_ARENA_MAX for the cluster workers (README "Memory per server process"). */
export const DEFAULT_MALLOC_ARENA_MAX = 2;

export function applyHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * The execArgv of a cluster worker: the primary's own, plus `--max-semi-space-size` unless the
 * operator already chose one (on the command line or in NODE_OPTIONS, which the worker inherits).
 */
export function workerExecArgv(execArgv: readonly string[], nodeOptions: string | undefined, semiSpaceMb: number): string[] {
  const chosen = (args: readonly string[]) => args.some((a) => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(a));
  if (semiSpaceMb <= 0 || chosen(execArgv) || chosen((nodeOptions ?? '').split(/\s+/))) return [...execArgv];
  return [...execArgv, `--max-semi-space-size=${semiSpaceMb}`];
}

/**
 * The environment a cluster worker adds to the primary's: glibc's `MALLOC_ARENA_MAX` (0 leaves it
 * out, i.e. glibc's default of 8 arenas per core, or whatever the primary's environment says).
 */
export function workerMemoryEnv(mallocArenaMax: number): Record<string, string> {
  return mallocArenaMax > 0 ? { MALLOC_ARENA_MAX: String(mallocArenaMax) } : {};
}
