/**
 * The monitor's token check. Every monitor request needs the token, as `Authorization: Bearer
 * <token>` or `?token=<token>`; the page the browser loads that way also gets a session cookie,
 * which is what the renderer's own requests under the path carry. The cookie is its expiry time
 * and an HMAC of it under the token (so it is worth nothing after SESSION_SECONDS, whatever the
 * browser keeps), HttpOnly, SameSite=Strict, scoped to the monitor's path, with the same Max-Age,
 * and Secure when the request came over HTTPS (see `isHttps`). Comparisons take constant time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { JobsMonitorConfigError } from './config.ts';

export { isHttps } from '../https.ts';

export { JobsMonitorConfigError };

const COOKIE = 'dash_ts_jobs_monitor';

/** How long a session cookie lets the page in: 12 hours, then the token is needed again. */
export const SESSION_SECONDS = 12 * 60 * 60;

/** How a request proved it may see the monitor. */
export type Credential = 'header' | 'query' | 'cookie';

export class MonitorAuth {
  readonly #token: string;
  readonly #tokenDigest: Buffer;

  constructor(token: unknown) {
    if (typeof token !== 'string' || token.length === 0) {
      throw new JobsMonitorConfigError('jobsMonitor.token must be a non-empty string');
    }
    this.#token = token;
    this.#tokenDigest = digest(token);
  }

  /** The credential the request carries, if it is right. */
  check(c: Context): Credential | undefined {
    const header = c.req.header('Authorization');
    if (header !== undefined) {
      const match = /^Bearer (.+)$/i.exec(header.trim());
      return match && same(digest(match[1]!), this.#tokenDigest) ? 'header' : undefined;
    }
    const query = c.req.query('token');
    if (query !== undefined) return same(digest(query), this.#tokenDigest) ? 'query' : undefined;
    const cookie = getCookie(c, COOKIE);
    return cookie !== undefined && this.#validSession(cookie) ? 'cookie' : undefined;
  }

  /** The Set-Cookie value that lets the page's own requests under `path` through for SESSION_SECONDS. */
  sessionCookie(path: string, secure: boolean): string {
    const expires = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
    const value = `${expires}.${this.#sessionMac(expires)}`;
    return `${COOKIE}=${value}; Path=${path}; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  }

  /** `<expires>.<mac>`, with the mac right for that expiry and the expiry still ahead. */
  #validSession(cookie: string): boolean {
    const dot = cookie.indexOf('.');
    const expires = Number(cookie.slice(0, dot));
    if (dot < 0 || !Number.isSafeInteger(expires)) return false;
    const now = Math.floor(Date.now() / 1000);
    if (expires <= now || expires > now + SESSION_SECONDS) return false;
    return same(digest(cookie.slice(dot + 1)), digest(this.#sessionMac(expires)));
  }

  #sessionMac(expires: number): string {
    return createHmac('sha256', this.#token)
      .update(`dash-ts jobs monitor session ${expires}`)
      .digest('base64url');
  }
}

/** Equal-length digests compared in constant time: neither the token nor its length leaks. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function same(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}
