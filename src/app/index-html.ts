/**
 * The HTML of a page load: the renderer's config (prefixes, debug, the page's end_id token, hot
 * reload, the validation layout) and the head tags, filled into index-page.ts's template. Apart
 * from dash.ts because what a page load is told is one concern of its own.
 */
import { randomBytes } from 'node:crypto';
import type { ClientsideCallbacks } from '../callbacks/clientside.ts';
import { childrenPropsConfig } from '../components/index.ts';
import { renderIndexPage } from './index-page.ts';
import type { LayoutValue } from './layout.ts';
import type { DashOptions } from './options.ts';
import type { PageAssets } from './page-assets.ts';
import type { Pages } from './pages/pages.ts';
import type { Prefixes } from './prefixes.ts';
import { DASH_TS_VERSION } from './version.ts';

export interface IndexHtmlDeps {
  options: Readonly<DashOptions>;
  prefixes: Prefixes;
  /** `debug`, unless NODE_ENV=production turned it off. */
  debug: boolean;
  assets: PageAssets;
  pages: Pages;
  clientside: ClientsideCallbacks;
  /** Whether the app has background callbacks (then the page token is signed). */
  hasBackground: () => boolean;
  /** A signed page token (secrets.ts). */
  pageToken: () => Promise<string>;
  /** The app's layout, a layout function called. */
  resolveLayout: () => Promise<LayoutValue>;
}

export class IndexHtml {
  constructor(private readonly deps: IndexHtmlDeps) {}

  async html(url: URL): Promise<string> {
    const tags = await this.deps.assets.headTags();
    // A page's title and meta tags for a direct load, so the tab is right before the renderer runs.
    const head = this.deps.pages.enabled ? this.deps.pages.head(url) : undefined;
    return renderIndexPage({
      title: head?.title ?? this.deps.options.title ?? 'Dash',
      prefix: this.deps.prefixes.requests,
      config: await this.#config(),
      debug: this.deps.debug,
      ...tags,
      pageMetaTags: head?.metaTags,
      inlineScripts: this.deps.clientside.inlineScripts,
    });
  }

  async #config(): Promise<Record<string, unknown>> {
    const config: Record<string, unknown> = {
      url_base_pathname: this.deps.prefixes.urlBasePathname,
      requests_pathname_prefix: this.deps.prefixes.requests,
      ui: this.deps.debug,
      props_check: false,
      disable_version_check: true,
      show_undo_redo: false,
      suppress_callback_exceptions: this.deps.options.suppressCallbackExceptions ?? false,
      update_title:
        this.deps.options.updateTitle === undefined ? 'Updating...' : (this.deps.options.updateTitle ?? ''),
      children_props: childrenPropsConfig(),
      serve_locally: true,
      dash_version: DASH_TS_VERSION,
      ddk_version: null,
      validate_callbacks: false,
      csrf_token_name: '_csrf_token',
      csrf_header_name: 'X-CSRFToken',
      // A fresh token per page load; the renderer echoes it as `endId` on every callback request,
      // and background handles are bound to it.
      end_id: this.deps.hasBackground() ? await this.deps.pageToken() : randomBytes(16).toString('base64url'),
    };
    const hotReload = this.deps.assets.hotReloadConfig();
    if (hotReload) config.hot_reload = hotReload;
    if (this.deps.options.validationLayout !== undefined)
      config.validation_layout = this.deps.options.validationLayout;
    if (this.deps.options.validationLayout !== undefined) {
      config.validation_layout = this.deps.options.validationLayout;
    } else if (this.deps.pages.enabled && !this.deps.options.suppressCallbackExceptions) {
      config.validation_layout = await this.deps.pages.validationLayout(() => this.deps.resolveLayout());
    }
    return config;
  }
}
