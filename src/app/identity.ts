/**
 * Who a request comes from (api.md "Users, and jobs that outlive their page"): the app's
 * `identify(request)` when it gives one (e.g. an auth proxy's header), else an anonymous session
 * kept in the cookie `dash_ts_session`. That is `ctx.user` in every callback and `JobOwner.user`
 * of every job a page starts: fair turns, per-user limits and reattach go by it.
 *
 * The session cookie is `<id>.<mac>`: a random id and an HMAC of it under the app's shared secret
 * (`secret`, DASH_TS_SECRET, else the background store's secret), so every server behind a load
 * balancer accepts it and it survives restarts, and nobody can make up another user's id (the
 * user is the id alone: the monitor may show it without giving the cookie away). A cookie that
 * does not verify is no identity; the next page load replaces it. The page load sets it
 * (HttpOnly, SameSite=Lax, Secure over HTTPS as `isHttps` tells), the callback requests carry it.
 *
 * With `identify`, no session cookie is set or read: the app's answer is the whole rule (undefined
 * for a request means no user). Without a shared secret (no `secret`, no DASH_TS_SECRET and no
 * background callbacks to keep one, or the background store away) there is no session either.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../base/log.ts';
import { isHttps } from './https.ts';

/** `new Dash({ identify })`: the user a request comes from, or undefined for none. */
export type Identify = (request: Request) => string | undefined | Promise<string | undefined>;

export const SESSION_COOKIE = 'dash_ts_session';

/** 400 days, the longest a browser keeps a cookie: a user who comes back later is the same user. */
const SESSION_MAX_AGE_SECONDS = 400 * 24 * 60 * 60;
const ID_BYTES = 16;
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Signs and checks session cookie values under one secret. */
export class SessionCookies {
  constructor(private readonly secret: Buffer) {}

  /** A new session: its user id and the cookie value that carries it. */
  issue(): { user: string; value: string } {
    const user = randomBytes(ID_BYTES).toString('base64url');
    return { user, value: `${user}.${this.#mac(user)}` };
  }

  /** The user of a cookie value, if its MAC is right; undefined for anything else. */
  verify(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const dot = value.indexOf('.');
    const user = value.slice(0, dot);
    if (dot < 0 || !ID_PATTERN.test(user)) return undefined;
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.#mac(user));
    return given.length === expected.length && timingSafeEqual(given, expected) ? user : undefined;
  }

  #mac(user: string): string {
    return createHmac('sha256', this.secret).update('dash-ts session\0').update(user).digest('base64url');
  }
}

export interface IdentityDeps {
  identify: Identify | undefined;
  /** The app's shared secret, or undefined when it has none (then there are no sessions). */
  secret: () => Promise<Buffer | undefined>;
  /** The app's `trustProxy` (see isHttps). */
  trustProxy: boolean;
  /** The cookie's Path: the requests prefix, what the browser puts before every request of the app. */
  cookiePath: string;
  logger: Logger;
}

export class Identity {
  #cookies: SessionCookies | undefined;
  #cookiesFor: Buffer | undefined;

  constructor(private readonly deps: IdentityDeps) {}

  /** Who sent a request; `cookies` are the request's, already parsed. */
  async userOf(request: Request, cookies: Record<string, string>): Promise<string | undefined> {
    const { identify } = this.deps;
    if (identify) return checkedUser(await identify(request));
    return (await this.#sessionCookies())?.verify(cookies[SESSION_COOKIE]);
  }

  /**
   * The Set-Cookie value a page load answers with: a new session when the request carries none
   * that verifies; undefined when it has one, or when there are no sessions (see the file comment).
   */
  async pageCookie(request: Request, cookies: Record<string, string>): Promise<string | undefined> {
    if (this.deps.identify) return undefined;
    const sessions = await this.#sessionCookies();
    if (!sessions || sessions.verify(cookies[SESSION_COOKIE]) !== undefined) return undefined;
    const secure = isHttps(request, this.deps.trustProxy) ? '; Secure' : '';
    return (
      `${SESSION_COOKIE}=${sessions.issue().value}; Path=${this.deps.cookiePath}; ` +
      `Max-Age=${SESSION_MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${secure}`
    );
  }

  async #sessionCookies(): Promise<SessionCookies | undefined> {
    let secret: Buffer | undefined;
    try {
      secret = await this.deps.secret();
    } catch (error) {
      // The store that keeps the secret is away: no session now, rather than no page or callback
      // (a page load says so already, see Dash's page token).
      this.deps.logger.debug?.(`no user session for this request: ${(error as Error).message}`);
      return undefined;
    }
    if (!secret) return undefined;
    if (this.#cookiesFor !== secret) {
      this.#cookies = new SessionCookies(secret);
      this.#cookiesFor = secret;
    }
    return this.#cookies;
  }
}

/** identify's answer as a user: a non-empty string, else none; any other type is the app's bug. */
function checkedUser(user: unknown): string | undefined {
  if (user === undefined || user === null || user === '') return undefined;
  if (typeof user !== 'string') {
    throw new TypeError(`identify(request) must return a string or undefined, got ${typeof user}`);
  }
  return user;
}
