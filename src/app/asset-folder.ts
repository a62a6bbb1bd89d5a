/**
 * The one rule for which files of the assets folder may leave the server, used both to serve a
 * file and to list the files the index page links:
 *
 * - its real path (after every symlink) lies inside the folder's real path: a symlink committed to
 *   `assets/` that points at /etc/passwd, /proc/self/environ, a folder or the project root names
 *   nothing;
 * - it is a regular file (no folder, device, FIFO or socket);
 * - no segment of its path inside the folder starts with `.` (`.env`, `.git/config`,
 *   `.well-known/x`), unless the app sets `assetsServeDotfiles: true`.
 *
 * Dash serves its folder with Flask's static route, which follows symlinks and serves dotfiles;
 * an `assets/` folder is often a copy of a project folder, with its `.env` and `.git`, so dash-ts
 * does neither unless asked (README, "Assets").
 */
import type { Stats } from 'node:fs';
import { constants, type FileHandle, open, realpath } from 'node:fs/promises';
import path from 'node:path';

/** A file that passed the rule, opened: read it through `handle`, whose `stats` it was judged by. */
export interface AdmittedFile {
  /** The real path (symlinks resolved), for its content type. */
  realPath: string;
  handle: FileHandle;
  stats: Stats;
}

export class AssetFolder {
  readonly #folder: string;
  readonly #serveDotfiles: boolean;
  #realFolder: Promise<string | undefined> | undefined;

  constructor(folder: string, options: { serveDotfiles?: boolean } = {}) {
    this.#folder = folder;
    this.#serveDotfiles = options.serveDotfiles ?? false;
  }

  /** Whether a `/`-separated path inside the folder passes the name rule (no dot segment). */
  nameAllowed(relative: string): boolean {
    return this.#serveDotfiles || !relative.split('/').some((segment) => segment.startsWith('.'));
  }

  /**
   * Opens the file at `segments` (already decoded and free of `..`) if it passes the rule; the
   * caller closes the handle. Undefined for anything else, whatever the reason (a 404 says no more).
   */
  async open(segments: string[]): Promise<AdmittedFile | undefined> {
    if (segments.length === 0 || !this.nameAllowed(segments.join('/'))) return undefined;
    const root = await this.#realRoot();
    if (root === undefined) return undefined;
    const realPath = await realpath(path.join(this.#folder, ...segments)).catch(() => undefined);
    if (realPath === undefined || !realPath.startsWith(root + path.sep)) return undefined;
    // The real path's own segments inside the folder obey the name rule too (a link `a.css` to `.env`).
    if (!this.nameAllowed(path.relative(root, realPath).split(path.sep).join('/'))) return undefined;
    let handle: FileHandle;
    try {
      // O_NOFOLLOW: a symlink put in place of the file since realpath() is refused, not followed.
      // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
      handle = await open(realPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      return undefined;
    }
    const stats = await handle.stat().catch(() => undefined);
    if (!stats?.isFile()) {
      await handle.close();
      return undefined;
    }
    return { realPath, handle, stats };
  }

  /** The folder's own real path (the folder itself may be a symlink); undefined while it is missing. */
  #realRoot(): Promise<string | undefined> {
    this.#realFolder ??= realpath(this.#folder).catch(() => {
      this.#realFolder = undefined; // created later: look again next time
      return undefined;
    });
    return this.#realFolder;
  }
}
