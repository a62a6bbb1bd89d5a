/**
 * The Dash app: layout, callbacks, and the HTTP host that serves them to the real renderer. Its
 * parts live beside it: secrets.ts (the shared secret, signer, page tokens), index-html.ts (a page
 * load's HTML and renderer config), side-endpoints.ts (monitor, MCP, jobs API), cancel-callbacks.ts.
 */
import path from 'node:path';
import type { Hono } from 'hono';
import { callerModule } from '../app-module/caller-module.ts';
import { runtimeMode } from '../app-module/runtime.ts';
import {
  type AppCallbackRegistry,
  backgroundDefinitions,
  type CallbackSpec,
} from '../background/callback-spec.ts';
import { resolveLimits } from '../background/limits.ts';
import { DEFAULT_WINDOWS, type JobRequest, Orchestrator } from '../background/orchestrator.ts';
import { ManagerProvider } from '../background/provider.ts';
import { traceCallbackRequest } from '../background/tracing.ts';
import { consoleLogger, type Logger } from '../base/log.ts';
import {
  type ClientsideCallbackSpec,
  ClientsideCallbacks,
  type ClientsideSource,
} from '../callbacks/clientside.ts';
import type { RequestInfo } from '../callbacks/context.ts';
import { dependencyEntry } from '../callbacks/dependency-json.ts';
import { runCallback } from '../callbacks/dispatch.ts';
import { CallbackRegistry } from '../callbacks/registry.ts';
import { parseCallbackBody, readCallbackRequest } from '../callbacks/request.ts';
import type { CallbackFunction } from '../callbacks/spec.ts';
import { APP_BRAND, type AppBrand, OWN_BRAND } from './app-brand.ts';
import { CancelCallbacks } from './cancel-callbacks.ts';
import { callbackErrorPage } from './error-page.ts';
import { healthResponse } from './health.ts';
import { Identity } from './identity.ts';
import { IndexHtml } from './index-html.ts';
import type { Layout, LayoutValue } from './layout.ts';
import { type McpConfig, mcpConfig, mcpHandles } from './mcp/config.ts';
import { type MonitorConfig, monitorConfig, monitorHandles } from './monitor/config.ts';
import type { DashOptions, RunOptions } from './options.ts';
import { PageAssets } from './page-assets.ts';
import type { PageOptions } from './pages/page-options.ts';
import { Pages } from './pages/pages.ts';
import type { Page } from './pages/registry.ts';
import { type Prefixes, relativePath, resolvePrefixes, stripRelativePath } from './prefixes.ts';
import { allowedDevelopmentAids } from './production.ts';
import { reportListening, shouldSupervise, startReloader, supervisedPort } from './reloader.ts';
// routes.ts (Hono) and serve.ts (@hono/node-server, node:http) are imported at the first request
// and in run(): pool workers and `dash-ts worker` import the app too, and serve nothing.
import type { DashHost } from './routes.ts';
import { AppSecrets } from './secrets.ts';
import type { RunningServer } from './serve.ts';
import { SideEndpoints } from './side-endpoints.ts';

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export class Dash {
  readonly options: Readonly<DashOptions>;
  readonly logger: Logger;
  /** Where the routes live and what the browser requests (see prefixes.ts). */
  readonly prefixes: Prefixes;
  readonly registry: AppCallbackRegistry = new CallbackRegistry(backgroundDefinitions);
  readonly #clientside = new ClientsideCallbacks(this.registry);
  #layout: Layout | undefined;
  #routes: Promise<Hono> | undefined;
  #running: Promise<RunningServer> | undefined;
  readonly #provider: ManagerProvider;
  readonly #orchestrator: Orchestrator;
  readonly #secrets: AppSecrets;
  /** Who each request comes from: ctx.user and the jobs' owners (identity.ts). */
  readonly #identity: Identity;
  /** The module that built this app: what background workers import. */
  readonly #definedIn: string | undefined;
  readonly #cancelCallbacks = new CancelCallbacks(this.registry);
  readonly #assets: PageAssets;
  /** `debug`, unless NODE_ENV=production turned it off. */
  readonly #debug: boolean;
  readonly #pages: Pages;
  /** The checked jobsMonitor option; the monitor itself is imported at its first request. */
  readonly #monitorConfig: MonitorConfig | undefined;
  /** The checked mcp option; the MCP endpoint (and the SDK) is imported at its first request. */
  readonly #mcpConfig: McpConfig | undefined;
  /** The jobs monitor, the MCP endpoint and the jobs API, built at their first request. */
  readonly #sideEndpoints: SideEndpoints;
  readonly #indexHtml: IndexHtml;

  constructor(options: DashOptions = {}) {
    this.options = { ...options };
    this.logger = options.logger ?? consoleLogger;
    this.prefixes = resolvePrefixes(options);
    this.#definedIn = callerModule();
    this.#monitorConfig =
      options.jobsMonitor && monitorConfig(options.jobsMonitor, this.prefixes, options.trustProxy ?? false);
    this.#mcpConfig = options.mcp && mcpConfig(options.mcp, this.prefixes);
    const recordingWindowMs = this.#monitorConfig?.windowMs;
    this.#provider = new ManagerProvider(
      options.backgroundManager,
      this.logger,
      () => this.appModule,
      options.name,
      () => this.registry.callbacks.flatMap((c) => c.background?.functionKey ?? []),
      // With a jobs monitor, every manager the app starts records its jobs from then on.
      async (manager) => {
        if (recordingWindowMs !== undefined) await manager.jobRecords?.().enable(recordingWindowMs);
      },
    );
    this.#secrets = new AppSecrets({
      secretOption: () => this.options.secret,
      provider: this.#provider,
      logger: this.logger,
    });
    this.#identity = new Identity({
      identify: options.identify,
      // Sessions need a secret every server shares: an app without background callbacks has one
      // only when given (`secret`, DASH_TS_SECRET); it starts no store just to sign cookies.
      secret: async () =>
        this.#secrets.configuredSecret() !== undefined || this.#hasBackground()
          ? this.#secrets.sharedSecret()
          : undefined,
      trustProxy: options.trustProxy ?? false,
      cookiePath: this.prefixes.requests,
      logger: this.logger,
    });
    this.#orchestrator = new Orchestrator({
      provider: this.#provider,
      signer: () => this.#secrets.handleSigner(),
      registry: this.registry,
      appOnError: options.onError,
      logger: this.logger,
      windows: { ...DEFAULT_WINDOWS, ...options.backgroundWindows },
      limits: resolveLimits(options.backgroundLimits),
      errorResponse: (callback, error) => this.#errorResponse(callback.id, error),
    });
    // NODE_ENV=production turns debug and hot reload off (production.ts).
    const aids = allowedDevelopmentAids(options, this.logger);
    this.#debug = aids.debug;
    this.#assets = new PageAssets(
      { ...options, ...aids },
      {
        appModule: this.appModule,
        requestsPrefix: this.prefixes.requests,
        logger: this.logger,
      },
    );
    // With usePages, this starts importing the pages folder (see pagesReady()).
    this.#pages = new Pages(
      {
        callbacks: this.registry,
        clientside: this.#clientside,
        logger: this.logger,
        appDir: this.appModule ? path.dirname(this.appModule) : process.cwd(),
        appTitle: () => this.options.title ?? 'Dash',
        assetsFolder: () => this.#assets.files.folder,
        assetUrl: (file) => this.#assets.files.url(this.prefixes.requests, file),
        requestsPrefix: () => this.prefixes.requests,
        routesPrefix: () => this.prefixes.routes,
        appCallbacks: {
          callback: (spec, fn) => this.callback(spec, fn),
          clientsideCallback: (fn, spec) => this.clientsideCallback(fn, spec),
        },
      },
      options,
    );
    this.#sideEndpoints = new SideEndpoints({
      options: this.options,
      logger: this.logger,
      registry: this.registry,
      provider: this.#provider,
      orchestrator: this.#orchestrator,
      signer: () => this.#secrets.handleSigner(),
      identity: this.#identity,
      pages: this.#pages,
      layout: () => this.layout,
      resolveLayout: () => this.#resolveLayout(),
      makeApp: (pageOptions) => new Dash(pageOptions),
    });
    this.#indexHtml = new IndexHtml({
      options: this.options,
      prefixes: this.prefixes,
      debug: this.#debug,
      assets: this.#assets,
      pages: this.#pages,
      clientside: this.#clientside,
      hasBackground: () => this.#hasBackground(),
      pageToken: () => this.#secrets.pageToken(),
      resolveLayout: () => this.#resolveLayout(),
    });
  }

  /** The Dash routes, built at the first request (see the imports). */
  #routesReady(): Promise<Hono> {
    this.#routes ??= this.#pages
      .ready()
      .then(() => import('./routes.ts'))
      .then(({ createRoutes }) => createRoutes(this.#host()));
    return this.#routes;
  }

  /** Which copy of dash-ts built this app, readable by any other copy (app-brand.ts). */
  get [APP_BRAND](): AppBrand {
    return OWN_BRAND;
  }

  /** The app module path workers import: the CLI's module, else the module that constructed the app. */
  get appModule(): string | undefined {
    const mode = runtimeMode();
    return (mode.kind === 'cli' ? mode.appModule : undefined) ?? this.#definedIn;
  }

  /** The layout set, else (in an app with pages) the page container alone, as in Dash. */
  get layout(): Layout | undefined {
    return this.#layout ?? (this.#pages.enabled ? this.#pages.defaultLayout() : undefined);
  }

  set layout(layout: Layout) {
    this.#layout = layout;
  }

  callback(spec: CallbackSpec, fn: CallbackFunction): void {
    const callback = this.registry.add(spec, fn);
    for (const input of callback.background?.cancel ?? []) this.#cancelCallbacks.add(input);
  }

  /** Adds a page (Dash's `register_page`); the first one installs the routing callbacks. */
  registerPage(options: PageOptions): Page {
    return this.#pages.register(options, callerModule());
  }

  /**
   * Resolves with the page registry once the pages folder's modules are imported (at once
   * without one); rejects with the first page module that failed. `run()` and `fetch` wait for
   * it themselves; await it to build navigation from `pageRegistry` at the top level.
   */
  async pagesReady(): Promise<readonly Page[]> {
    await this.#pages.ready();
    return this.pageRegistry;
  }

  /** The registered pages in navigation order (order, then path), e.g. to build links. */
  get pageRegistry(): readonly Page[] {
    return this.#pages.registry.pages;
  }

  /**
   * A callback the browser runs: JavaScript source, a function (sent as its source, so it must
   * not use the server's variables) or a ClientsideFunction defined by an asset script.
   */
  clientsideCallback(fn: ClientsideSource, spec: ClientsideCallbackSpec): void {
    this.#clientside.add(fn, spec);
  }

  /** `path` with the requests prefix before it, for links: Dash's `get_relative_path`. */
  getRelativePath(path: string): string {
    return relativePath(this.prefixes.requests, path);
  }

  /** A browser path without the requests prefix and outer slashes: Dash's `strip_relative_path`. */
  stripRelativePath(path: string | null): string | null {
    return stripRelativePath(this.prefixes.requests, path);
  }

  /** The WHATWG handler: mount it in any server that speaks Request/Response. */
  readonly fetch = (request: Request, env?: unknown): Promise<Response> => {
    const monitor = this.#monitorConfig;
    // Parsing every request's URL costs the app's own requests about 0.5 % CPU: look first.
    if (
      monitor &&
      request.url.includes(monitor.routesPath) &&
      monitorHandles(monitor, new URL(request.url).pathname)
    ) {
      return this.#sideEndpoints.monitorReady(monitor).then((jobsMonitor) => jobsMonitor.fetch(request));
    }
    const mcp = this.#mcpConfig;
    if (mcp && request.url.includes(mcp.routesPath) && mcpHandles(mcp, new URL(request.url).pathname)) {
      return this.#sideEndpoints.mcpReady(mcp).then((endpoint) => endpoint.fetch(request));
    }
    return this.#routesReady().then(
      (routes) => routes.fetch(request, env),
      (error: Error) => {
        // The app could not start (a page module failed): every request says so, nothing hangs.
        this.logger.error('the app failed to start', error);
        return new Response(`the app failed to start: ${error.message}\n`, { status: 500 });
      },
    );
  };

  /**
   * Serves the app; resolves once listening. Inside a background worker it serves nothing;
   * under `dash-ts run` the CLI's --port/--host win. Calling it twice returns the same server.
   */
  run(options: RunOptions = {}): Promise<RunningServer> {
    const mode = runtimeMode();
    if (mode.kind === 'worker') return Promise.resolve({ url: '', close: async () => {} });
    if (this.#running) return this.#running;
    if (this.layout === undefined) throw new Error('app.layout must be set before app.run()');
    // A layout function is checked at the first page load instead.
    if (typeof this.layout !== 'function') this.#pages.assertContainerIn(this.layout);
    this.registry.assertNoProgressLoops();
    if (shouldSupervise(options.useReloader ?? this.#debug, mode, this.appModule)) {
      this.#running = this.#superviseRestarts();
      return this.#running;
    }
    const cli: RunOptions = mode.kind === 'cli' ? mode : {};
    const port = supervisedPort() ?? cli.port ?? options.port ?? numberFromEnv('PORT') ?? 8050;
    const host = cli.host ?? options.host ?? process.env.HOST ?? '127.0.0.1';
    this.#running = (async () => {
      await this.#pages.ready();
      // Page modules may add callbacks, so check them again.
      this.registry.assertNoProgressLoops();
      // Warm the background workers before the first request arrives.
      await this.#provider.startAll(this.registry.callbacks).catch(() => {});
      // The routes are built before listening, so the first request does not wait for them.
      const [{ listen }] = await Promise.all([import('./serve.ts'), this.#routesReady()]);
      const server = await listen(this.fetch, port, host);
      this.#assets.startWatching();
      this.logger.info(`serving ${this.options.title ?? 'Dash'} on ${server.url}`);
      let closing: Promise<void> | undefined;
      const close = () => {
        closing ??= (async () => {
          this.#running = undefined;
          this.#assets.stopWatching();
          await server.close();
          await this.#provider.closeAll();
        })();
        return closing;
      };
      reportListening(server.url, this.#assets.files.folder, close);
      return { url: server.url, close };
    })();
    this.#running.catch(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** This process only watches; a child process serves and is replaced after every edit (reloader.ts). */
  async #superviseRestarts(): Promise<RunningServer> {
    const reloader = startReloader({ root: path.dirname(this.appModule ?? process.cwd()) });
    return {
      url: await reloader.url,
      close: async () => {
        this.#running = undefined;
        await reloader.stop();
      },
    };
  }

  #host(): DashHost {
    return {
      logger: this.logger,
      routesPrefix: this.prefixes.routes,
      maxRequestBodyBytes: this.options.maxRequestBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      indexHtml: (url) => this.#indexHtml.html(url),
      assets: this.#assets.files,
      reloadHash: () => this.#assets.reloadHash(),
      healthEndpoint: this.options.healthEndpoint === undefined ? 'health' : this.options.healthEndpoint,
      health: () =>
        healthResponse(
          this.#hasBackground() ? () => this.#provider.startedFor(this.registry.callbacks) : undefined,
        ),
      redirectTarget: (path) => this.#pages.redirectTarget(path),
      layoutJson: async () => JSON.stringify(await this.#resolveLayout()),
      dependenciesJson: () => {
        this.registry.assertNoProgressLoops();
        return JSON.stringify(this.registry.callbacks.map(dependencyEntry));
      },
      updateComponent: (bodyText, info, query) => this.#updateComponent(bodyText, info, query),
      userOf: (request, cookies) => this.#identity.userOf(request, cookies),
      pageCookie: (request, cookies) => this.#identity.pageCookie(request, cookies),
    };
  }

  async #resolveLayout(): Promise<LayoutValue> {
    const layout = this.layout;
    if (layout === undefined) throw new Error('app.layout is not set');
    return typeof layout === 'function' ? await layout() : layout;
  }

  async #updateComponent(bodyText: string, info: RequestInfo, query: URLSearchParams): Promise<Response> {
    const request = readCallbackRequest(parseCallbackBody(bodyText), this.registry);
    return traceCallbackRequest(request.callback.id, () => this.#serveCallback(request, info, query));
  }

  async #serveCallback(request: JobRequest, info: RequestInfo, query: URLSearchParams): Promise<Response> {
    if (request.callback.cancelRelay) return this.#orchestrator.cancel(request, query);
    if (request.callback.background) return this.#orchestrator.serve(request, info, query);
    const outcome = await runCallback(request, info, this.options.onError);
    switch (outcome.kind) {
      case 'no-content':
        return outcome.response.applyTo(new Response(null, { status: 204 }));
      case 'update':
        return outcome.response.applyTo(
          new Response(JSON.stringify(outcome.body), { headers: { 'Content-Type': 'application/json' } }),
        );
      case 'failure':
        return this.#errorResponse(request.callback.id, outcome.error);
    }
  }

  #errorResponse(callbackId: string, error: Error): Response {
    this.logger.error(`callback ${callbackId} failed`, error);
    return new Response(callbackErrorPage(error, this.#debug), {
      status: 500,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
    });
  }

  #hasBackground(): boolean {
    return this.registry.callbacks.some((c) => c.background);
  }
}

function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}=${raw} is not a valid port`);
  return value;
}
