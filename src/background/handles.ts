/**
 * Handles are capabilities, not guesses. The page token (`end_id`) is random and signed; a job's
 * `cacheKey` is an HMAC binding the job id to the page load, the callback and its concrete
 * outputs. A handle that does not verify is answered as if the job did not exist.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_BYTES = 16;
const MAC_CHARS = 22;

export class HandleSigner {
  constructor(private readonly secret: Buffer) {}

  /** A fresh page token: random part plus a MAC over it, all URL-safe. */
  newPageToken(): string {
    const random = randomBytes(TOKEN_BYTES).toString('base64url');
    return random + this.#mac('page', random).slice(0, MAC_CHARS);
  }

  isPageToken(token: string | undefined): token is string {
    if (!token || token.length !== 22 + MAC_CHARS) return false;
    const random = token.slice(0, 22);
    return safeEqual(token.slice(22), this.#mac('page', random).slice(0, MAC_CHARS));
  }

  /**
   * The owner (`endId`) of every job the jobs API starts ('api'), or the MCP server ('mcp'):
   * derived from the secret, so every server process agrees on it, and not a page token, so no
   * page's poll or cancel reaches it (nor one agent's the other's).
   */
  apiOwner(agent: 'api' | 'mcp' = 'api'): string {
    return `${agent}.${this.#mac(`${agent} owner`).slice(0, MAC_CHARS)}`;
  }

  /** The `cacheKey` the renderer echoes on every poll of a job. */
  jobKey(endId: string, callbackId: string, outputsKey: string, jobId: string): string {
    return this.#mac('job', endId, callbackId, outputsKey, jobId);
  }

  verifyJobKey(key: string, endId: string, callbackId: string, outputsKey: string, jobId: string): boolean {
    return safeEqual(key, this.jobKey(endId, callbackId, outputsKey, jobId));
  }

  #mac(purpose: string, ...parts: string[]): string {
    const hmac = createHmac('sha256', this.secret).update(purpose);
    for (const part of parts) hmac.update('\0').update(part);
    return hmac.digest('base64url');
  }
}

/** Opaque, random, URL-safe job ids: never a PID or a counter. */
export function newJobId(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
