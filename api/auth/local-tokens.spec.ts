import { randomUUID } from 'node:crypto';
import type { UserRecord } from '../users/users.service';
import { LocalTokens } from './local-tokens';
import type { IdentityCheck } from './user-cache';

const key = new TextEncoder().encode('a-test-signing-secret-of-enough-length-0123456789');
const sessionId = randomUUID();

function userRecord(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: randomUUID(), username: 'alice', displayName: null, email: null, roles: ['staff'], groups: ['service-desk'], disabled: false, hasPassword: true,
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', passwordChangedAt: null, ...overrides,
  };
}

/** Verifies tokens of `user` (as the identity lookup answers it at each request) and counts the lookups. */
function tokensFor(state: { user: UserRecord; alive: boolean; lookups: number }, ttlSeconds = 60) {
  return new LocalTokens(key, ttlSeconds, async (): Promise<IdentityCheck> => {
    state.lookups++;
    return { user: state.user, alive: state.alive };
  });
}

describe('LocalTokens: a token accepted once', () => {
  afterEach(() => jest.useRealTimers());

  it('is refused as expired once its lifetime is over', async () => {
    jest.useFakeTimers({ now: new Date('2026-06-01T10:00:00.000Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const state = { user: userRecord(), alive: true, lookups: 0 };
    const tokens = tokensFor(state, 60);
    const token = await tokens.sign(state.user, sessionId);
    await expect(tokens.verify(token)).resolves.toMatchObject({ username: 'alice' });
    jest.setSystemTime(new Date('2026-06-01T10:00:59.000Z'));
    await expect(tokens.verify(token)).resolves.toMatchObject({ username: 'alice' });
    jest.setSystemTime(new Date('2026-06-01T10:01:00.000Z'));
    await expect(tokens.verify(token)).rejects.toMatchObject({ message: 'the access token has expired' });
  });

  it('still reads the user and the session on every request: a disabled user or an ended session is refused at once', async () => {
    const state = { user: userRecord(), alive: true, lookups: 0 };
    const tokens = tokensFor(state);
    const token = await tokens.sign(state.user, sessionId);
    await tokens.verify(token);
    state.user = { ...state.user, disabled: true };
    await expect(tokens.verify(token)).rejects.toMatchObject({ message: 'this user is disabled' });
    state.user = { ...state.user, disabled: false };
    state.alive = false;
    await expect(tokens.verify(token)).rejects.toMatchObject({ message: expect.stringContaining('the session of this access token has ended') });
    expect(state.lookups).toBe(3);
  });

  it('does not vouch for another text: a token with a changed payload or signature is refused', async () => {
    const state = { user: userRecord(), alive: true, lookups: 0 };
    const tokens = tokensFor(state);
    const token = await tokens.sign(state.user, sessionId);
    await tokens.verify(token);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    const promoted = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url');
    await expect(tokens.verify(`${header}.${promoted}.${signature}`)).rejects.toMatchObject({ message: 'the access token is invalid' });
    const flipped = signature!.slice(0, -2) + (signature!.endsWith('AA') ? 'BB' : 'AA');
    await expect(tokens.verify(`${header}.${payload}.${flipped}`)).rejects.toMatchObject({ message: 'the access token is invalid' });
  });
});
