/**
 * Dash's hot reload (`_reload-hash`): the page polls the hash and refreshes itself when it changes.
 *
 * - A new server process (restarted by `dash-ts run --watch`, or `node --watch`) has a new hash:
 *   the renderer reloads layout and callbacks in place (Dash's soft reload).
 * - A changed assets file sets `hard` and lists the file: CSS is swapped in place, anything
 *   else reloads the page.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '../base/log.ts';
import { registeredSuites } from '../components/suites/registry.ts';
import { componentSuitePaths } from './assets.ts';
import { type FileChange, PollingWatcher } from './file-watch.ts';
import type { UserAssets } from './user-assets.ts';

export interface HotReloadOptions {
  assets: UserAssets;
  /** The requests prefix, for the changed files' URLs. */
  requestsPrefix: string;
  logger: Logger;
  /** How often the page asks (Dash's hot_reload_interval, 3 s). */
  intervalMs?: number;
  /** How often the assets folder is checked (Dash's hot_reload_watch_interval, 0.5 s). */
  watchIntervalMs?: number;
  /** Failed asks before the page gives up (Dash's hot_reload_max_retry, 8). */
  maxRetry?: number;
}

interface ChangedAsset {
  url: string;
  modified: number;
  is_css: boolean;
}

export class HotReload {
  readonly #options: HotReloadOptions;
  #hash = newHash();
  #hard = false;
  #changed: ChangedAsset[] = [];
  #watcher: PollingWatcher | undefined;

  constructor(options: HotReloadOptions) {
    this.#options = options;
  }

  /** The `hot_reload` entry of the page's config: it turns the renderer's poller on. */
  config(): { interval: number; max_retry: number } {
    return { interval: this.#options.intervalMs ?? 3000, max_retry: this.#options.maxRetry ?? 8 };
  }

  /** Starts watching the assets folder; idempotent. */
  start(): void {
    if (this.#watcher) return;
    this.#watcher = new PollingWatcher({
      folders: [this.#options.assets.folder],
      intervalMs: this.#options.watchIntervalMs ?? 500,
      onChange: (changes) => this.#assetsChanged(changes),
    });
    this.#watcher
      .start()
      .catch((error) => this.#options.logger.error('hot reload: cannot watch assets', error));
  }

  stop(): void {
    this.#watcher?.stop();
    this.#watcher = undefined;
  }

  /** The `_reload-hash` answer; `hard` and the changed files are reported once, as in Dash. */
  take(): { reloadHash: string; hard: boolean; packages: string[]; files: ChangedAsset[] } {
    const answer = { reloadHash: this.#hash, hard: this.#hard, packages: packages(), files: this.#changed };
    this.#hard = false;
    this.#changed = [];
    return answer;
  }

  #assetsChanged(changes: FileChange[]): void {
    const { assets, requestsPrefix } = this.#options;
    assets.rescan();
    // A dotfile (.env) that is not served is not named to the page either.
    changes = changes.filter((change) => assets.mayReport(change.file));
    if (changes.length === 0) return;
    this.#hard = true;
    this.#hash = newHash();
    for (const change of changes) {
      const relative = path.relative(assets.folder, change.file).split(path.sep).join('/');
      this.#changed.push({
        url: assets.url(requestsPrefix, relative),
        modified: Math.floor(change.modified),
        is_css: change.file.endsWith('.css'),
      });
    }
    this.#options.logger.info(`assets changed: ${changes.map((c) => path.basename(c.file)).join(', ')}`);
  }
}

function newHash(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The component packages served (Dash's registered_paths keys). After a restart the page compares
 * them: a suite added or removed needs the index's scripts, so the renderer reloads the whole page.
 */
function packages(): string[] {
  const vendored = componentSuitePaths().map((p) => p.slice(0, p.indexOf('/')));
  return [...new Set([...vendored, ...registeredSuites().map((suite) => suite.namespace)])].sort();
}
