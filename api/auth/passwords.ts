import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id` (a const enum the library declares ambient: not importable under isolatedModules). */
const ARGON2ID = 2;

/** Shortest password accepted anywhere (login of the demo users aside, which predate the rule). */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

/** argon2id with the library's defaults (19 MiB, 2 passes, 1 lane: OWASP's minimum). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

let dummy: Promise<string> | null = null;

/**
 * Checks a password against a stored hash. Without a hash (unknown user, external user) a dummy
 * hash is checked instead, so a wrong username costs the same time as a wrong password.
 */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (!storedHash) {
    dummy ??= hashPassword('not-a-real-password-only-for-equal-timing');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}
