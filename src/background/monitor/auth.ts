/**
 * The monitor's token check. Every monitor request needs the token, as `Authorization: Bearer
 * <token>` or `?token=<token>`; the page the browser loads that way also gets a session cookie
 * (an HMAC of the token, HttpOnly, SameSite=Strict, scoped to the monitor's path), which is what
 * the renderer's own requests under the path carry. Comparisons take constant time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { JobsMonitorConfigError } from './config.ts';

export { JobsMonitorConfigError };

const COOKIE = 'dash_ts_jobs_monitor';

/** How a request proved it may see the monitor. */
export type Credential = 'header' | 'query' | 'cookie';

export class MonitorAuth {
  readonly #tokenDigest: Buffer;
  readonly #session: string;
  readonly #sessionDigest: Buffer;

  constructor(token: unknown) {
    if (typeof token !== 'string' || token.length === 0) {
      throw new JobsMonitorConfigError('jobsMonitor.token must be a non-empty string');
    }
    this.#tokenDigest = digest(token);
    this.#session = createHmac('sha256', token).update('dash-ts jobs monitor session').digest('base64url');
    this.#sessionDigest = digest(this.#session);
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
    if (cookie !== undefined && same(digest(cookie), this.#sessionDigest)) return 'cookie';
    return undefined;
  }

  /** The Set-Cookie value that lets the page's own requests under `path` through. */
  sessionCookie(path: string): string {
    return `${COOKIE}=${this.#session}; Path=${path}; HttpOnly; SameSite=Strict`;
  }
}

/** Equal-length digests compared in constant time: neither the token nor its length leaks. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function same(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}
