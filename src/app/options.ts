/** The options of `new Dash(options)` and `app.run(options)`, apart from the class so its parts can name them. */
import type { BackgroundLimits } from '../background/limits.ts';
import type { Manager } from '../background/manager.ts';
import type { ResponseWindows } from '../background/orchestrator.ts';
import type { Logger } from '../base/log.ts';
import type { ErrorHandler } from '../callbacks/spec.ts';
import type { Identify } from './identity.ts';
import type { LayoutValue } from './layout.ts';
import type { McpOptions } from './mcp/config.ts';
import type { JobsMonitorOptions } from './monitor/config.ts';
import type { AssetOptions } from './page-assets.ts';
import type { PagesOptions } from './pages/pages.ts';
import type { PrefixOptions } from './prefixes.ts';

/**
 * Pages (Dash's use_pages, pages_folder, description, routing_callback_inputs,
 * include_pages_meta): see PagesOptions and the README.
 */
export interface DashOptions extends PrefixOptions, AssetOptions, PagesOptions {
  /** The page title. */
  title?: string;
  /** Identifies the app, e.g. in the default background queue name. */
  name?: string;
  backgroundManager?: Manager;
  suppressCallbackExceptions?: boolean;
  onError?: ErrorHandler;
  /** Tab title while callbacks run; null turns it off. */
  updateTitle?: string | null;
  /** Dash's dev tools in the page, and error details in callback 500 answers; off under NODE_ENV=production. */
  debug?: boolean;
  /** Larger callback request bodies get 413. Default 16 MiB. */
  maxRequestBodyBytes?: number;
  /** A layout listing every component callbacks may reference (for multi-page apps). */
  validationLayout?: LayoutValue;
  logger?: Logger;
  /**
   * Signs background handles. Default: DASH_TS_SECRET, else a secret kept in the app's
   * background store, so every server process sharing the store agrees on it.
   */
  secret?: string;
  /** How long background start responses and polls may wait for news (see README). */
  backgroundWindows?: Partial<ResponseWindows>;
  /**
   * Who a request comes from (e.g. an auth proxy's header): `ctx.user` in every callback, and the
   * user fair turns and per-user limits go by. Default: an anonymous session in the signed,
   * HttpOnly, SameSite=Lax cookie `dash_ts_session` set on the first page load (see identity.ts).
   */
  identify?: Identify;
  /**
   * Most unfinished background jobs per page load (default 50), per user (default: no limit) and
   * queued in the store (default 5000).
   */
  backgroundLimits?: Partial<BackgroundLimits>;
  /** Path of the health endpoint below the prefix; default 'health', null for none. */
  healthEndpoint?: string | null;
  /** The jobs monitor page, `/metrics` and `/api/jobs` under `path`, behind `token` (see README). */
  jobsMonitor?: JobsMonitorOptions;
  /**
   * An MCP server at `path` (default '/_mcp'): callbacks with a `description` as tools for AI
   * agents, background ones as MCP tasks; with `token`, requests need `Authorization: Bearer <token>`.
   */
  mcp?: McpOptions;
  /**
   * The app runs behind a proxy you control that sets `X-Forwarded-Proto`: believe it (the jobs
   * monitor's cookie is then Secure when the browser used HTTPS). Default false: the header is
   * ignored, since any client can send it.
   */
  trustProxy?: boolean;
}

export interface RunOptions {
  port?: number;
  host?: string;
  /**
   * Restart the server when the app's source changes (Dash's use_reloader); default: the app's
   * `debug`. Applies under `dash-ts run` and when the app module is the program's entry script.
   */
  useReloader?: boolean;
}
