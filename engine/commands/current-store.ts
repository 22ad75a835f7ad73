import { AsyncLocalStorage } from 'node:async_hooks';
import type { CommandStore } from '../persistence/ports';

/**
 * The store of the command whose work is running (set by CommandKernel.execute). Engine code that
 * must read storage while bpmn-engine runs (a business rule task loading its decision table) reads
 * it here: a live engine outlives the command that created it, so it cannot keep a store itself.
 */
const current = new AsyncLocalStorage<CommandStore>();

export function runWithStore<T>(store: CommandStore, work: () => Promise<T>): Promise<T> {
  return current.run(store, work);
}

/** The running command's store, or undefined outside a command. */
export function currentStore(): CommandStore | undefined {
  return current.getStore();
}
