/**
 * What every request body must be before anything reads it: JSON by content type, and not
 * absurdly deep.
 *
 * - Content type: a browser sends `text/plain`, `application/x-www-form-urlencoded` or
 *   `multipart/form-data` cross-site without asking (a plain HTML form can), but not
 *   `application/json`, which needs a CORS preflight that this server never grants. So a POST
 *   that is not JSON is refused (415) before it can trigger a callback. The renderer always
 *   sends `application/json`.
 * - Depth: a body nested thousands deep parses fine but overflows the stack wherever it is later
 *   walked recursively (serialising a job's arguments, printing an id), a 500. Real data is
 *   nowhere near (a plotly figure nests about ten deep), so MAX_JSON_DEPTH refuses only nonsense,
 *   with a 400, after one linear scan of the text that itself uses no recursion.
 */
import { BadRequestError } from '../base/errors.ts';

/** Deepest nesting of arrays and objects accepted in a request body. */
export const MAX_JSON_DEPTH = 1000;

/** Refuses a POST whose Content-Type is not application/json (any charset parameter is fine). */
export function assertJsonContentType(contentType: string | undefined): void {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json') return;
  throw new BadRequestError(
    `the request body must be sent as Content-Type: application/json (got ${contentType ? JSON.stringify(contentType) : 'none'})`,
    415,
  );
}

/** Refuses JSON text nested deeper than MAX_JSON_DEPTH; strings are skipped, so `"[[["` counts for nothing. */
export function assertJsonDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new BadRequestError(
          `the request body is nested more than ${MAX_JSON_DEPTH} levels deep; no callback value needs that`,
        );
      }
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth--;
    }
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
