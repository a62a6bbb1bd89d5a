/**
 * The jobs monitor of one app (`new Dash({ jobsMonitor })`): turns recording on in every manager
 * the app starts, and answers every request under its path, after the token check: the page
 * (a dash-ts app of its own, page.ts), `/metrics` (metrics.ts) and `/api/jobs` (api.ts).
 * Everything it shows is read from the managers' shared stores, so any server process shows the same.
 */
import { Hono } from 'hono';
import type { Dash, DashOptions } from '../../app/dash.ts';
import type { Logger } from '../../app/log.ts';
import type { Manager } from '../manager.ts';
import { apiResponse } from './api.ts';
import { JobsMonitorConfigError, MonitorAuth } from './auth.ts';
import { createMonitorPage } from './page.ts';
import { DEFAULT_WINDOW_MS, type JobRecords } from './records.ts';
import { buildView, type MonitorView } from './view.ts';

/** `new Dash({ jobsMonitor })`. */
export interface JobsMonitorOptions {
  /** Below the app's prefix; default '/_dash-ts/jobs'. */
  path?: string;
  /** Required on every monitor request: `Authorization: Bearer <token>` or `?token=<token>`. */
  token: string;
  /** How long job records are kept (and counted on the page); default 3600 (one hour). */
  windowSeconds?: number;
  /** How often the page refreshes, in ms; default 2000. */
  refreshMs?: number;
}

export interface MonitorHost {
  logger: Logger;
  /** The app's prefixes: the monitor's path lives below them. */
  prefixes: { routes: string; requests: string };
  /** The managers the app has started (those with records are shown). */
  managers(): Promise<Manager[]>;
  makeApp(options: DashOptions): Dash;
}

export const DEFAULT_MONITOR_PATH = '/_dash-ts/jobs';

export class JobsMonitor {
  /** Where the monitor's routes live, without a trailing slash (e.g. '/_dash-ts/jobs'). */
  readonly routesPath: string;
  readonly #requestsPath: string;
  readonly #windowMs: number;
  readonly #auth: MonitorAuth;
  readonly #host: MonitorHost;
  readonly #routes: Hono;
  #page: Dash | undefined;

  constructor(options: JobsMonitorOptions, host: MonitorHost) {
    this.#auth = new MonitorAuth(options.token);
    const path = normalisePath(options.path ?? DEFAULT_MONITOR_PATH);
    this.routesPath = host.prefixes.routes + path.slice(1);
    this.#requestsPath = host.prefixes.requests + path.slice(1);
    const windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_MS / 1000;
    if (!(Number.isFinite(windowSeconds) && windowSeconds > 0)) {
      throw new JobsMonitorConfigError('jobsMonitor.windowSeconds must be a positive number of seconds');
    }
    this.#windowMs = windowSeconds * 1000;
    this.#host = host;
    this.#routes = this.#createRoutes(options.refreshMs ?? 2000);
  }

  /** Whether a request is the monitor's to answer. */
  handles(pathname: string): boolean {
    return pathname === this.routesPath || pathname.startsWith(`${this.routesPath}/`);
  }

  fetch(request: Request): Promise<Response> {
    return Promise.resolve(this.#routes.fetch(request));
  }

  /** Called for every manager the app starts: from then on its store records. */
  async managerStarted(manager: Manager): Promise<void> {
    await manager.jobRecords?.().enable(this.#windowMs);
  }

  async view(): Promise<{ view: MonitorView; records: Awaited<ReturnType<JobRecords['read']>>[] }> {
    const sources = (await this.#host.managers()).filter((m) => m.jobRecords);
    const records = await Promise.all(sources.map((m) => m.jobRecords!().read()));
    return { view: buildView(records), records };
  }

  /** Cancels a job in whichever manager knows it, as a user's cancel does. */
  async cancel(jobId: string): Promise<boolean> {
    let known = false;
    for (const manager of await this.#host.managers()) {
      if (!manager.jobRecords) continue;
      const { jobs } = await manager.jobRecords().read();
      if (!jobs.some((job) => job.id === jobId && job.state !== 'finished')) continue;
      known = true;
      await manager.cancel(jobId, 'cancel');
    }
    if (known) this.#host.logger.info(`jobs monitor: cancelled job ${jobId}`);
    return known;
  }

  #createRoutes(refreshMs: number): Hono {
    const routes = new Hono();
    const base = this.routesPath;
    routes.use('*', async (c, next) => {
      const credential = this.#auth.check(c);
      if (!credential) {
        return c.json(
          { message: 'the jobs monitor needs its token: Authorization: Bearer <token>, or ?token=<token>' },
          401,
          { 'WWW-Authenticate': 'Bearer realm="dash-ts jobs monitor"' },
        );
      }
      await next();
      c.header('Referrer-Policy', 'no-referrer');
      c.header('Cache-Control', 'no-store');
      // The page's own requests (layout, callbacks, scripts) carry the cookie instead of the token.
      if (credential !== 'cookie') c.header('Set-Cookie', this.#auth.sessionCookie(this.#requestsPath));
    });
    routes.get(`${base}/metrics`, async (c) => {
      const { view, records } = await this.view();
      // prom-client (with @opentelemetry/api, ~80 CommonJS files) only in a process that is scraped.
      const { metricsText } = await import('./metrics.ts');
      const text = await metricsText(
        records.map((r) => r.totals),
        view,
      );
      return c.text(text, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    });
    routes.get(`${base}/api/jobs`, async () => apiResponse((await this.view()).view));
    routes.all('*', (c) => {
      const page = this.#pageApp(refreshMs);
      // The page app's routes live under `<path>/`: the bare path is its index too.
      if (c.req.path === base) {
        const url = new URL(c.req.url);
        url.pathname = `${base}/`;
        return page.fetch(new Request(url, c.req.raw));
      }
      return page.fetch(c.req.raw);
    });
    routes.onError((error, c) => {
      this.#host.logger.error(`jobs monitor: ${c.req.method} ${c.req.path} failed`, error);
      return c.json({ message: 'internal server error' }, 500);
    });
    return routes;
  }

  #pageApp(refreshMs: number): Dash {
    this.#page ??= createMonitorPage({
      routesPrefix: `${this.routesPath}/`,
      requestsPrefix: `${this.#requestsPath}/`,
      logger: this.#host.logger,
      refreshMs,
      makeApp: this.#host.makeApp,
      view: async () => (await this.view()).view,
      cancel: (jobId) => this.cancel(jobId),
    });
    return this.#page;
  }
}

function normalisePath(path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path === '/' || /[?#\s]/.test(path)) {
    throw new JobsMonitorConfigError(
      `jobsMonitor.path must start with / and name a path below the app, e.g. '${DEFAULT_MONITOR_PATH}'`,
    );
  }
  return path.replace(/\/+$/, '');
}
