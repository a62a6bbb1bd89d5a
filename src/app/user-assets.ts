/**
 * The app's own static files (Dash's assets_folder / assets_url_path / assets_ignore): which of
 * them the index page includes, and serving any file inside the folder, never one outside it.
 * The vendored Dash front end is served elsewhere (assets.ts).
 */
import { createReadStream, type Dirent, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { getMimeType } from 'hono/utils/mime';

export interface UserAssetsOptions {
  /** Absolute path of the folder. */
  folder: string;
  /** URL segment(s) after the prefix, without outer slashes (Dash's assets_url_path). */
  urlPath: string;
  /** Files whose name matches are served but not included in the page. */
  ignore?: RegExp;
}

/** A file the page includes: a stylesheet, a script, or the favicon. */
export interface IncludedAsset {
  /** Path inside the folder, `/`-separated. */
  path: string;
  /** The file's modification time in seconds, as Dash's `?m=` stamp. */
  stamp: string;
}

export interface IncludedAssets {
  css: IncludedAsset[];
  js: IncludedAsset[];
  favicon?: IncludedAsset;
}

interface WalkResult {
  css: string[];
  js: string[];
  favicon?: string;
}

/** A year: an asset URL with the file's current `?m=` stamp names one version of it forever. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export class UserAssets {
  readonly #options: UserAssetsOptions;
  #walked: Promise<WalkResult> | undefined;

  constructor(options: UserAssetsOptions) {
    this.#options = { ...options, urlPath: options.urlPath.replace(/^\/+|\/+$/g, '') };
  }

  get folder(): string {
    return this.#options.folder;
  }

  /** The route segment the files are served under (no outer slashes). */
  get urlPath(): string {
    return this.#options.urlPath;
  }

  /** `<requests prefix><urlPath>/<file>`, as Dash's get_asset_url. */
  url(requestsPrefix: string, file: string): string {
    return `${requestsPrefix.replace(/\/+$/, '')}/${this.#options.urlPath}/${file}`;
  }

  /**
   * The files the page includes, in Dash's order (sorted directories, then sorted names), with
   * fresh stamps. The folder is walked once; `rescan()` after the folder changed.
   */
  async included(): Promise<IncludedAssets> {
    this.#walked ??= this.#walk();
    const walked = await this.#walked;
    const withStamps = async (files: string[]) =>
      (await Promise.all(files.map((file) => this.#stamped(file)))).filter((a) => a !== undefined);
    const [css, js, favicon] = await Promise.all([
      withStamps(walked.css),
      withStamps(walked.js),
      walked.favicon === undefined ? undefined : this.#stamped(walked.favicon),
    ]);
    return favicon ? { css, js, favicon } : { css, js };
  }

  /** The page's tags for the included files: stylesheets, scripts (`.mjs` as modules) and the favicon URL. */
  async pageTags(requestsPrefix: string): Promise<{
    stylesheets: string[];
    scripts: (string | Record<string, string>)[];
    favicon?: string;
  }> {
    const { css, js, favicon } = await this.included();
    const stamped = (asset: IncludedAsset) => `${this.url(requestsPrefix, asset.path)}?m=${asset.stamp}`;
    return {
      stylesheets: css.map(stamped),
      scripts: js.map((asset) =>
        asset.path.endsWith('.mjs') ? { src: stamped(asset), type: 'module' } : stamped(asset),
      ),
      ...(favicon ? { favicon: stamped(favicon) } : {}),
    };
  }

  /** Forget the walk: the next page sees files added or removed since. */
  rescan(): void {
    this.#walked = undefined;
  }

  /** Whether a file path (absolute) lies in the folder. */
  contains(file: string): boolean {
    return file.startsWith(this.#options.folder + path.sep);
  }

  async #stamped(file: string): Promise<IncludedAsset | undefined> {
    const info = await stat(path.join(this.#options.folder, ...file.split('/'))).catch(() => undefined);
    return info?.isFile() ? { path: file, stamp: stampOf(info) } : undefined;
  }

  async #walk(): Promise<WalkResult> {
    const result: WalkResult = { css: [], js: [] };
    const root = this.#options.folder;
    const directories = await listDirectories(root);
    // os.walk order sorted by directory path, as Dash does: a folder's files before its sub-folders'.
    directories.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
    for (const { dir, files } of directories) {
      const base = path.relative(root, dir).split(path.sep).filter(Boolean).join('/');
      for (const name of files.sort()) {
        if (this.#options.ignore?.test(name)) continue;
        const file = base ? `${base}/${name}` : name;
        if (name.endsWith('.js') || name.endsWith('.mjs')) result.js.push(file);
        else if (name.endsWith('.css')) result.css.push(file);
        else if (name === 'favicon.ico') result.favicon = file;
      }
    }
    return result;
  }

  /**
   * Answers `GET <routes prefix><urlPath>/<rest>`. `rest` is the raw (still percent-encoded) path
   * after the segment: it is decoded once here, and any form of `..`, a backslash or a NUL is a 404.
   */
  async serve(rest: string, request: Request): Promise<Response> {
    const file = this.#resolve(rest);
    const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
    if (file === undefined || !info?.isFile()) return notFound(rest);
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const stamp = new URL(request.url).searchParams.get('m');
    const headers: Record<string, string> = {
      'Content-Type': getMimeType(file) ?? 'application/octet-stream',
      // A stamped URL (the page's own links) never changes; any other is revalidated each time.
      'Cache-Control': stamp !== null && stamp === stampOf(info) ? IMMUTABLE : 'no-cache',
      ETag: etag,
      'Last-Modified': info.mtime.toUTCString(),
      'X-Content-Type-Options': 'nosniff',
    };
    if (notModified(request.headers, etag, info)) return new Response(null, { status: 304, headers });
    headers['Content-Length'] = String(info.size);
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
    const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
    return new Response(body, { status: 200, headers });
  }

  /** The absolute file a request path names, or undefined when it is malformed or leaves the folder. */
  #resolve(rest: string): string | undefined {
    let decoded: string;
    try {
      decoded = decodeURIComponent(rest);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
    const segments = decoded.split('/');
    if (segments.some((s) => s === '..' || s === '.' || s === '')) return undefined;
    const file = path.resolve(this.#options.folder, ...segments);
    return this.contains(file) ? file : undefined;
  }
}

/**
 * Whether a raw request target (path and query, as sent) has a `.` or `..` segment, plain or
 * percent-encoded: the URL parser would resolve it before routing, so it is refused up front.
 */
export function hasDotSegment(target: string): boolean {
  const pathPart = target.split('?', 1)[0]!;
  return pathPart.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment));
}

/** Every directory under `root` (itself included) with its file names; symlinked folders are not followed, as os.walk. */
async function listDirectories(root: string): Promise<{ dir: string; files: string[] }[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  const below: Promise<{ dir: string; files: string[] }[]>[] = [];
  for (const entry of entries) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) below.push(listDirectories(full));
    else if (entry.isFile()) files.push(entry.name);
    else if (entry.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isFile())
      files.push(entry.name);
  }
  return [{ dir: root, files }, ...(await Promise.all(below)).flat()];
}

/** Seconds since the epoch with the fraction, like Python's st_mtime in Dash's `?m=`. */
export function stampOf(info: Stats): string {
  return String(info.mtimeMs / 1000);
}

/** RFC 9110: If-None-Match wins over If-Modified-Since; weak comparison for the tag. */
function notModified(headers: Headers, etag: string, info: Stats): boolean {
  const ifNoneMatch = headers.get('If-None-Match');
  if (ifNoneMatch !== null) {
    return ifNoneMatch.split(',').some((tag) => {
      const t = tag.trim();
      return t === '*' || t.replace(/^W\//, '') === etag.replace(/^W\//, '');
    });
  }
  const since = headers.get('If-Modified-Since');
  if (since === null) return false;
  const time = Date.parse(since);
  return !Number.isNaN(time) && Math.floor(info.mtimeMs / 1000) <= Math.floor(time / 1000);
}

function notFound(rest: string): Response {
  return new Response(JSON.stringify({ message: `no such asset: ${rest.slice(0, 200)}` }), {
    status: 404,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  });
}
