/** How to flush and stop tracing, when it was started (api/tracing/tracing.ts); read on shutdown without loading the SDK. */
let shutdown: (() => Promise<void>) | null = null;

export function setTracingShutdown(fn: () => Promise<void>): void {
  shutdown = fn;
}

/** Exports the spans still buffered and stops tracing; nothing when tracing is off. */
export async function stopTracing(): Promise<void> {
  const fn = shutdown;
  shutdown = null;
  await fn?.().catch(() => undefined);
}
