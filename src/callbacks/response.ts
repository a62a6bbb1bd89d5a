/**
 * `ctx.response`: cookies and headers an ordinary callback adds to its HTTP answer, as Dash's
 * `callback_context.response` (set_cookie / set_header / append_header).
 *
 * A background job has no HTTP answer of its own: its result reaches the browser in a later
 * poll, long after the response that started it was sent, and possibly through another server
 * process. So in a job every method throws a BackgroundResponseError saying what to do instead.
 */
import { serialize } from 'hono/utils/cookie';

export interface CookieOptions {
  /** Seconds; at most 400 days (RFC 6265bis). */
  maxAge?: number;
  expires?: Date;
  /** Default '/', as Flask's set_cookie. */
  path?: string;
  domain?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None' | 'strict' | 'lax' | 'none';
  partitioned?: boolean;
}

export interface CallbackResponse {
  setCookie(name: string, value: string, options?: CookieOptions): void;
  /** Expires the cookie in the browser (same path and domain as it was set with). */
  deleteCookie(name: string, options?: Pick<CookieOptions, 'path' | 'domain'>): void;
  /** Replaces any earlier value of the header. */
  setHeader(name: string, value: string): void;
  /** Adds one more value (e.g. a second `Link`). */
  appendHeader(name: string, value: string): void;
}

/** What a callback asked for; applied to its 200 or 204 answer (not to a 500). */
export class ResponseSettings implements CallbackResponse {
  readonly #headers = new Headers();

  setCookie(name: string, value: string, options: CookieOptions = {}): void {
    if (typeof value !== 'string')
      throw new TypeError(`setCookie(${JSON.stringify(name)}): the value must be a string`);
    const sameSite = options.sameSite?.toLowerCase() as 'strict' | 'lax' | 'none' | undefined;
    this.#headers.append('Set-Cookie', serialize(name, value, { path: '/', ...options, sameSite }));
  }

  deleteCookie(name: string, options: Pick<CookieOptions, 'path' | 'domain'> = {}): void {
    this.setCookie(name, '', { ...options, maxAge: 0, expires: new Date(0) });
  }

  setHeader(name: string, value: string): void {
    this.#headers.set(name, value);
  }

  appendHeader(name: string, value: string): void {
    this.#headers.append(name, value);
  }

  /** Copies the callback's headers onto the answer; a header the callback set wins over ours. */
  applyTo(response: Response): Response {
    for (const cookie of this.#headers.getSetCookie()) response.headers.append('Set-Cookie', cookie);
    this.#headers.forEach((value, name) => {
      if (name !== 'set-cookie') response.headers.set(name, value);
    });
    return response;
  }
}

/** Thrown by `ctx.response` inside a background job. */
export class BackgroundResponseError extends Error {
  constructor(method: string) {
    super(
      `ctx.response.${method}() is not available in a background callback: its result reaches the browser ` +
        'in a later poll, after the response that started it was sent. Set cookies and headers in an ' +
        "ordinary callback instead (for example one whose input is the background callback's output).",
    );
    this.name = 'BackgroundResponseError';
  }
}

/** `ctx.response` of a background job. */
export const BACKGROUND_RESPONSE: CallbackResponse = {
  setCookie: () => {
    throw new BackgroundResponseError('setCookie');
  },
  deleteCookie: () => {
    throw new BackgroundResponseError('deleteCookie');
  },
  setHeader: () => {
    throw new BackgroundResponseError('setHeader');
  },
  appendHeader: () => {
    throw new BackgroundResponseError('appendHeader');
  },
};
