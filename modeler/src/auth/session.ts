import { ACCEPT, ApiError, readAnswer } from '../api/http';

/** The signed-in user, as `POST /api/auth/login` and `/refresh` describe it. */
export interface SessionUser {
  id: string;
  username: string;
  displayName: string | null;
  roles: string[];
  /** Group names: what `candidateGroups` in diagrams refer to. */
  groups: string[];
}

/** The token answer of login and refresh. Its `refreshToken` is ignored: the page never keeps it. */
interface TokenResponse {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  user: SessionUser;
}

export type SessionChange =
  /** Signed in here, restored from the refresh cookie, or the user's roles/groups (or the user) changed on a refresh. */
  | { user: SessionUser; reason: 'login' | 'restored' | 'changed' }
  /** Signed out (here or in another tab), or the session could not be refreshed. */
  | { user: null; reason: 'logout' | 'expired' };

const AUTH = '/api/auth';
/** Refresh this long before the access token runs out (at most a fifth of its lifetime). */
const REFRESH_MARGIN_S = 60;
/** After a refresh that failed for a passing reason (network, 5xx). */
const RETRY_S = 30;

/**
 * The browser's session. The access token lives in this object only (never in storage); the
 * refresh token lives in the server's httpOnly `itsm_refresh` cookie, so page scripts never see
 * it. The access token is refreshed shortly before it runs out, and on demand after a 401.
 *
 * A refresh token is rotated by each refresh and presenting a rotated one ends the whole session,
 * so refreshes never overlap: one at a time in this tab, and across tabs through a Web Lock (all
 * tabs share the cookie). Tabs tell each other about sign-in and sign-out on a BroadcastChannel.
 */
class Session {
  private token: string | null = null;
  /** When the access token runs out, on this page's clock (ms). */
  private expiresAt = 0;
  private current: SessionUser | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<(change: SessionChange) => void>();
  private readonly channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('itsm-auth') : null;

  constructor() {
    this.channel?.addEventListener('message', (event: MessageEvent<unknown>) => this.onBroadcast(event.data));
  }

  get user(): SessionUser | null {
    return this.current;
  }

  /** Called on every sign-in, sign-out, expiry and user change; returns the unsubscribe function. */
  onChange(listener: (change: SessionChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Signs in; a refused login is thrown as an ApiError (401 with the reason, 429 when rate-limited). */
  async login(username: string, password: string): Promise<SessionUser> {
    const { body } = await readAnswer<TokenResponse>(await exclusive(() => post('login', { username, password })));
    this.accept(body, 'login');
    this.channel?.postMessage('login');
    return body.user;
  }

  /**
   * On page load: a session from the refresh cookie, if there is one (silently; null if not). Only
   * asked when this browser signed in and did not sign out since (a flag in localStorage, never a
   * token): a page opened without a session then sends no request that can only answer 401.
   */
  async restore(): Promise<SessionUser | null> {
    if (!signedInHint.get()) return null;
    await this.refresh();
    return this.current;
  }

  /**
   * A new access token from the refresh cookie. True when it worked; a refused refresh ends the
   * session ('expired'), a failed one (network, 5xx) keeps it and tries again a little later.
   * Concurrent callers share one refresh.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.refreshNow().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  /** Revokes the refresh token and clears the cookie (server), then forgets the session here and in other tabs. */
  async logout(): Promise<void> {
    clearTimeout(this.timer);
    try {
      await exclusive(() => post('logout', {}));
    } catch {
      // signed out here anyway; the refresh token then simply runs out
    }
    this.end('logout');
    this.channel?.postMessage('logout');
  }

  /** The current request answered 401 and a refresh did not help: back to the login view. */
  expire(): void {
    if (this.current || this.token) this.end('expired');
  }

  /** The access token to send, refreshed first when it is (about to be) out of date, e.g. after the computer slept. */
  async validToken(): Promise<string | null> {
    if (this.token && Date.now() < this.expiresAt - 5_000) return this.token;
    if (this.current) await this.refresh();
    return this.token;
  }

  /** The access token as it is now (no refresh). */
  accessToken(): string | null {
    return this.token;
  }

  private async refreshNow(): Promise<boolean> {
    try {
      const { body } = await readAnswer<TokenResponse>(await exclusive(() => post('refresh', {})));
      this.accept(body, 'restored');
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        // no cookie, or a revoked, expired or reused refresh token: the session is over
        this.expire();
      } else if (this.current) {
        this.schedule(RETRY_S);
      }
      return false;
    }
  }

  private accept(tokens: TokenResponse, reason: 'login' | 'restored'): void {
    const previous = this.current;
    this.token = tokens.accessToken;
    this.expiresAt = Date.now() + tokens.expiresIn * 1000;
    this.current = tokens.user;
    signedInHint.set(true);
    this.schedule(Math.max(1, tokens.expiresIn - Math.min(REFRESH_MARGIN_S, tokens.expiresIn / 5)));
    if (!previous) this.emit({ user: tokens.user, reason });
    else if (!sameUser(previous, tokens.user)) this.emit({ user: tokens.user, reason: 'changed' });
  }

  private end(reason: 'logout' | 'expired'): void {
    clearTimeout(this.timer);
    const had = this.current !== null;
    this.token = null;
    this.expiresAt = 0;
    this.current = null;
    signedInHint.set(false);
    if (had) this.emit({ user: null, reason });
  }

  private schedule(seconds: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), seconds * 1000);
  }

  private emit(change: SessionChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }

  private onBroadcast(message: unknown): void {
    if (message === 'logout') this.end('logout');
    else if (message === 'login' && !this.current) void this.refresh();
  }
}

/** "This browser holds a refresh cookie, as far as the page knows": no secret, just saves a request bound to fail. */
const signedInHint = {
  key: 'itsm-signed-in',
  get(): boolean {
    try {
      return localStorage.getItem(this.key) === '1';
    } catch {
      return true; // storage blocked: ask the server
    }
  },
  set(on: boolean): void {
    try {
      if (on) localStorage.setItem(this.key, '1');
      else localStorage.removeItem(this.key);
    } catch {
      // storage blocked: restore() then always asks the server
    }
  },
};

export const session = new Session();

/** Does the signed-in user hold any of these roles? */
export function hasRole(...roles: string[]): boolean {
  return roles.some((role) => session.user?.roles.includes(role));
}

/** The signed-in user; views are only mounted while there is one. */
export function currentUser(): SessionUser {
  const user = session.user;
  if (!user) throw new Error('not signed in');
  return user;
}

function post(action: 'login' | 'refresh' | 'logout', body: object): Promise<Response> {
  return fetch(`${AUTH}/${action}`, {
    method: 'POST',
    headers: { Accept: ACCEPT, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
}

/** Runs `fn` while holding the tabs' shared auth lock (Web Locks exist only in secure contexts). */
async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const locks = 'locks' in navigator ? navigator.locks : undefined;
  if (!locks) return fn();
  let result!: T;
  await locks.request('itsm-auth', async () => {
    result = await fn();
  });
  return result;
}

function sameUser(a: SessionUser, b: SessionUser): boolean {
  return (
    a.id === b.id &&
    a.username === b.username &&
    a.displayName === b.displayName &&
    a.roles.join() === b.roles.join() &&
    a.groups.join() === b.groups.join()
  );
}
