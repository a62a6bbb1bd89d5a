/**
 * What the index page links besides the Dash front end: the app's external stylesheets and
 * scripts, its assets folder (user-assets.ts), meta tags and favicon, and the hot reload that
 * keeps an open page in step with them (hot-reload.ts).
 */
import path from 'node:path';
import type { Logger } from '../base/log.ts';
import { HotReload } from './hot-reload.ts';
import type { TagSpec } from './index-page.ts';
import { UserAssets } from './user-assets.ts';
import { DASH_TS_VERSION } from './version.ts';

export interface AssetOptions {
  /** Static files (Dash's assets_folder): default `assets` beside the app module. */
  assetsFolder?: string;
  /** Served at `<prefix><assetsUrlPath>/<file>`; default `assets`. */
  assetsUrlPath?: string;
  /** Matching file names are served but not included in the page. */
  assetsIgnore?: RegExp;
  /**
   * Serve (and link) files whose path in the assets folder has a segment starting with `.`
   * (`.env`, `.git/config`, `.well-known/...`). Default false; Dash serves them (see README).
   */
  assetsServeDotfiles?: boolean;
  /** `<link>` tags before the assets' CSS (a string is the href). */
  externalStylesheets?: TagSpec[];
  /** `<script>` tags before the assets' JS (a string is the src). */
  externalScripts?: TagSpec[];
  /** `<meta>` tags; Dash's charset, viewport and X-UA-Compatible ones are added unless given. */
  metaTags?: Record<string, string>[];
  /**
   * The open page refreshes itself when the server restarts or an asset changes (Dash's
   * dev_tools_hot_reload). Default: DASH_HOT_RELOAD (set by `dash-ts run --watch`), else `debug`.
   */
  hotReload?: boolean;
}

export interface HeadTags {
  stylesheets: TagSpec[];
  scripts: TagSpec[];
  metaTags: Record<string, string>[];
  favicon: string;
}

export class PageAssets {
  readonly files: UserAssets;
  readonly #hotReload: HotReload | undefined;
  readonly #options: AssetOptions;
  readonly #requestsPrefix: string;

  constructor(
    options: AssetOptions & { debug?: boolean },
    context: { appModule: string | undefined; requestsPrefix: string; logger: Logger },
  ) {
    this.#options = options;
    this.#requestsPrefix = context.requestsPrefix;
    const moduleDir = context.appModule ? path.dirname(context.appModule) : process.cwd();
    this.files = new UserAssets({
      folder: path.resolve(moduleDir, options.assetsFolder ?? 'assets'),
      urlPath: options.assetsUrlPath ?? 'assets',
      ignore: options.assetsIgnore,
      serveDotfiles: options.assetsServeDotfiles,
    });
    if (options.hotReload ?? envFlag('DASH_HOT_RELOAD') ?? options.debug ?? false) {
      this.#hotReload = new HotReload({
        assets: this.files,
        requestsPrefix: this.#requestsPrefix,
        logger: context.logger,
      });
    }
  }

  /** The page's tags: external ones first, then the assets folder's (Dash's order). */
  async headTags(): Promise<HeadTags> {
    this.#hotReload?.start();
    const requests = this.#requestsPrefix;
    const assets = await this.files.pageTags(requests);
    return {
      stylesheets: [...(this.#options.externalStylesheets ?? []), ...assets.stylesheets],
      scripts: [...(this.#options.externalScripts ?? []), ...assets.scripts],
      metaTags: this.#options.metaTags ?? [],
      favicon: assets.favicon ?? `${requests}_favicon.ico?v=${DASH_TS_VERSION}`,
    };
  }

  /** The config's `hot_reload` entry, present only when hot reload is on. */
  hotReloadConfig(): { interval: number; max_retry: number } | undefined {
    return this.#hotReload?.config();
  }

  /** The `_reload-hash` answer; a null hash when hot reload is off, as in Dash. */
  reloadHash(): unknown {
    if (!this.#hotReload) return { reloadHash: null, hard: false, packages: [], files: [] };
    this.#hotReload.start();
    return this.#hotReload.take();
  }

  /** Watch the assets from the start: after a restart the open page asks `_reload-hash`, not the index. */
  startWatching(): void {
    this.#hotReload?.start();
  }

  stopWatching(): void {
    this.#hotReload?.stop();
  }
}

/** A boolean environment variable as Dash reads them ('true'/'1'/'yes'); undefined when unset. */
function envFlag(name: string): boolean | undefined {
  const raw = process.env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  return raw === 'true' || raw === '1' || raw === 'yes';
}
