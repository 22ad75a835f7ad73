/** Injection tokens of the auth module. */
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
