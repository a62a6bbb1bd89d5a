/**
 * The app's own static files (Dash's assets_folder / assets_url_path / assets_ignore): which of
 * them the index page includes, and serving them. Which files may be served or linked at all is
 * one rule, in asset-folder.ts. The vendored Dash front end is served elsewhere (assets.ts).
 */
import type { Dirent, Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { getMimeType } from 'hono/utils/mime';
import { AssetFolder } from './asset-folder.ts';

export interface UserAssetsOptions {
  /** Absolute path of the folder. */
  folder: string;
  /** URL segment(s) after the prefix, without outer slashes (Dash's assets_url_path). */
  urlPath: string;
  /** Files whose name matches are served but not included in the page. */
  ignore?: RegExp;
  /** Serve (and link) files with a path segment starting with `.`; default false. */
  serveDotfiles?: boolean;
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
  readonly #files: AssetFolder;
  #walked: Promise<WalkResult> | undefined;

  constructor(options: UserAssetsOptions) {
    this.#options = { ...options, urlPath: options.urlPath.replace(/^\/+|\/+$/g, '') };
    this.#files = new AssetFolder(options.folder, { serveDotfiles: options.serveDotfiles });
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

  /** Whether a changed file (absolute path) lies in the folder under a name it may serve: hot reload reports only those. */
  mayReport(file: string): boolean {
    if (!file.startsWith(this.#options.folder + path.sep)) return false;
    return this.#files.nameAllowed(path.relative(this.#options.folder, file).split(path.sep).join('/'));
  }

  /** A listed file with its stamp, if the folder's rule lets it out (asset-folder.ts). */
  async #stamped(file: string): Promise<IncludedAsset | undefined> {
    const admitted = await this.#files.open(file.split('/'));
    if (!admitted) return undefined;
    await admitted.handle.close();
    return { path: file, stamp: stampOf(admitted.stats) };
  }

  async #walk(): Promise<WalkResult> {
    const result: WalkResult = { css: [], js: [] };
    const root = this.#options.folder;
    const directories = await listDirectories(root, (name) => this.#files.nameAllowed(name));
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
    const segments = requestSegments(rest);
    const admitted = segments && (await this.#files.open(segments));
    if (!admitted) return notFound(rest);
    const { handle, stats: info } = admitted;
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const stamp = new URL(request.url).searchParams.get('m');
    const headers: Record<string, string> = {
      'Content-Type': getMimeType(segments.at(-1)!) ?? 'application/octet-stream',
      // A stamped URL (the page's own links) never changes; any other is revalidated each time.
      'Cache-Control': stamp !== null && stamp === stampOf(info) ? IMMUTABLE : 'no-cache',
      ETag: etag,
      'Last-Modified': info.mtime.toUTCString(),
      'X-Content-Type-Options': 'nosniff',
    };
    if (notModified(request.headers, etag, info)) {
      await handle.close();
      return new Response(null, { status: 304, headers });
    }
    headers['Content-Length'] = String(info.size);
    if (request.method === 'HEAD' || info.size === 0) {
      await handle.close();
      return new Response(null, { status: 200, headers });
    }
    // Exactly the size the handle's stat gave, read through that handle: Content-Length and the
    // body agree even if the file grows meanwhile (the stream closes the handle at its end).
    const stream = handle.createReadStream({ start: 0, end: info.size - 1 });
    return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status: 200, headers });
  }
}

/** The path segments a raw (percent-encoded) request path names, or undefined when it is malformed. */
function requestSegments(rest: string): string[] | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s === '.' || s === '')) return undefined;
  return segments;
}

/**
 * Whether a raw request target (path and query, as sent) has a `.` or `..` segment, plain or
 * percent-encoded: the URL parser would resolve it before routing, so it is refused up front.
 */
export function hasDotSegment(target: string): boolean {
  const pathPart = target.split('?', 1)[0]!;
  return pathPart.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment));
}

/**
 * Every directory under `root` (itself included) with the names of its files and symlinks (the
 * folder's rule judges each later); symlinked folders are not followed, as os.walk, and folders
 * whose name the rule refuses (`.git`) are not entered.
 */
async function listDirectories(
  root: string,
  enter: (name: string) => boolean,
): Promise<{ dir: string; files: string[] }[]> {
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
    if (entry.isDirectory()) {
      if (enter(entry.name)) below.push(listDirectories(full, enter));
    } else if (entry.isFile() || entry.isSymbolicLink()) files.push(entry.name);
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
