/**
 * The jobs monitor of one app (`new Dash({ jobsMonitor })`): answers every request under its
 * path, after the token check (the app imports this module at the first such request, and turns
 * recording on in every manager it starts, with the checked option of config.ts): the page
 * (a dash-ts app of its own, page.ts), `/metrics` (metrics.ts), `/api/jobs` (api.ts) and the
 * jobs API (`/api/callbacks/<name>/jobs`, `/api/jobs/<jobId>`: ../jobs-api.ts).
 * Everything it shows is read from the managers' shared stores, so any server process shows the same.
 */
import { Hono } from 'hono';
import type { JobsApi } from '../../background/jobs-api.ts';
import type { Manager } from '../../background/manager.ts';
import type { JobRecords } from '../../background/records.ts';
import type { Logger } from '../../base/log.ts';
import type { DashOptions } from '../options.ts';
import { apiResponse } from './api.ts';
import { isHttps, MonitorAuth } from './auth.ts';
import type { MonitorConfig } from './config.ts';
import { createMonitorPage, type MonitorPageApp } from './page.ts';
import { buildView, type MonitorView } from './view.ts';

export type { JobsMonitorOptions } from './config.ts';

export interface MonitorHost {
  logger: Logger;
  /** The managers the app has started (those with records are shown). */
  managers(): Promise<Manager[]>;
  makeApp(options: DashOptions): MonitorPageApp;
  /** The jobs API (background/jobs-api.ts), served under `<path>/api/`. */
  jobsApi: JobsApi;
}

export class JobsMonitor {
  /** Where the monitor's routes live, without a trailing slash (e.g. '/_dash-ts/jobs'). */
  readonly routesPath: string;
  readonly #requestsPath: string;
  readonly #auth: MonitorAuth;
  readonly #trustProxy: boolean;
  readonly #host: MonitorHost;
  readonly #routes: Hono;
  #page: MonitorPageApp | undefined;

  /** `config` is checked already (config.ts), when the app was constructed. */
  constructor(config: MonitorConfig, host: MonitorHost) {
    this.#auth = new MonitorAuth(config.token);
    this.routesPath = config.routesPath;
    this.#requestsPath = config.requestsPath;
    this.#trustProxy = config.trustProxy;
    this.#host = host;
    this.#routes = this.#createRoutes(config.refreshMs);
  }

  fetch(request: Request): Promise<Response> {
    return Promise.resolve(this.#routes.fetch(request));
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
      if (credential !== 'cookie') {
        const secure = isHttps(c.req.raw, this.#trustProxy);
        c.header('Set-Cookie', this.#auth.sessionCookie(this.#requestsPath, secure));
      }
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
    const { jobsApi } = this.#host;
    routes.post(`${base}/api/callbacks/:name/jobs`, (c) => jobsApi.start(c.req.param('name'), c.req.raw));
    routes.get(`${base}/api/jobs/:jobId`, (c) => jobsApi.read(c.req.param('jobId')));
    routes.delete(`${base}/api/jobs/:jobId`, (c) => jobsApi.cancel(c.req.param('jobId')));
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

  #pageApp(refreshMs: number): MonitorPageApp {
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
