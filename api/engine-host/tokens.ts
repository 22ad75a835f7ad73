/** Injection tokens of the engine host. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const CLOCK = Symbol('CLOCK');
/** The cluster worker's AffinityRouter (api/affinity), or null in a single process. */
export const AFFINITY = Symbol('AFFINITY');
