/**
 * Serving immutable files the way Dash serves component suites: fingerprinted URLs
 * (../components/suites/fingerprint.ts) cached for a year, ETags and 304s otherwise. Shared by dash-ts's own
 * front end (assets.ts) and registered third-party suites (suite-assets.ts).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

// ---------------------------------------------------------------------------------------------------
// Responses

export interface LoadedFile {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
}

// Served files are immutable for the life of the process, so each is read once.
const loaded = new Map<string, Promise<LoadedFile>>();

/** Reads a file once; `missing` makes the error for a file that is not there. */
export function loadOnce(absolutePath: string, missing: () => Error): Promise<LoadedFile> {
  let entry = loaded.get(absolutePath);
  if (!entry) {
    entry = readFile(absolutePath).then(
      (buffer) => {
        const body = new Uint8Array(buffer);
        const digest = createHash('sha256').update(body).digest('base64url').slice(0, 27);
        return { body, etag: `"${digest}"` };
      },
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw missing();
        throw error;
      },
    );
    loaded.set(absolutePath, entry);
    // A failed read (e.g. before vendoring finished) must not be remembered.
    entry.catch(() => loaded.delete(absolutePath));
  }
  return entry;
}

const MIME: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** A served file: cached for a year when its URL is fingerprinted, revalidated by ETag otherwise. */
export function fileResponse(
  file: LoadedFile,
  plainPath: string,
  fingerprinted: boolean,
  ifNoneMatch: string | undefined,
): Response {
  const headers: Record<string, string> = {
    'Content-Type': MIME[path.extname(plainPath).toLowerCase()] ?? 'application/octet-stream',
    'Cache-Control': fingerprinted ? IMMUTABLE : 'no-cache',
    ETag: file.etag,
    'X-Content-Type-Options': 'nosniff',
  };
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, file.etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(file.body, { status: 200, headers });
}

/** Tolerates both raw and percent-encoded paths; a malformed escape can only be an unknown file. */
export function decodeOnce(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** If-None-Match uses weak comparison (RFC 9110 13.1.2): `W/` is ignored; `*` matches anything. */
function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  });
}
