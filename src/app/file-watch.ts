/**
 * Polls folders for changed, added and deleted files, as Dash's _watch.py does (a walk every
 * interval comparing modification times). Polling works the same on every platform and
 * filesystem (including mounted volumes that never send change events); the trees watched are
 * small because node_modules and dot-folders are skipped.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface FileChange {
  /** Absolute path. */
  file: string;
  /** Modification time in seconds; -1 when deleted. */
  modified: number;
  deleted: boolean;
}

export interface PollingWatcherOptions {
  folders: string[];
  /** Files to report (default: all). */
  include?: (file: string) => boolean;
  /** Folders never entered, beside node_modules and dot-folders. */
  skip?: (folder: string) => boolean;
  intervalMs?: number;
  /** Called once per poll that found changes, with all of them. */
  onChange: (changes: FileChange[]) => void;
}

export class PollingWatcher {
  readonly #options: PollingWatcherOptions;
  #seen = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: PollingWatcherOptions) {
    this.#options = options;
  }

  /** Takes the first snapshot (nothing reported), then polls until stop(). */
  async start(): Promise<void> {
    this.#seen = await this.#snapshot();
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#poll(), this.#options.intervalMs ?? 500);
    // A watcher alone never keeps the process alive.
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    try {
      const now = await this.#snapshot();
      const changes: FileChange[] = [];
      for (const [file, modified] of now) {
        if (this.#seen.get(file) !== modified) changes.push({ file, modified, deleted: false });
      }
      for (const file of this.#seen.keys()) {
        if (!now.has(file)) changes.push({ file, modified: -1, deleted: true });
      }
      this.#seen = now;
      if (changes.length > 0 && !this.#stopped) this.#options.onChange(changes);
    } finally {
      this.#schedule();
    }
  }

  async #snapshot(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    await Promise.all(this.#options.folders.map((folder) => this.#walk(folder, out)));
    return out;
  }

  async #walk(folder: string, out: Map<string, number>): Promise<void> {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries.map(async (entry) => {
        const full = path.join(folder, entry.name);
        if (entry.isDirectory()) {
          if (entry.name === 'node_modules' || entry.name.startsWith('.')) return;
          if (this.#options.skip?.(full)) return;
          return this.#walk(full, out);
        }
        if (this.#options.include && !this.#options.include(full)) return;
        const info = await stat(full).catch(() => undefined);
        if (info?.isFile()) out.set(full, info.mtimeMs / 1000);
      }),
    );
  }
}
