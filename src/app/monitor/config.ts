/**
 * The jobsMonitor option, checked when the app is constructed (a bad one throws there), apart
 * from the monitor itself (monitor.ts: Hono routes, the page app, prom-client), which the app
 * imports only at the first request under the monitor's path: pool workers and `dash-ts worker`
 * processes construct the app too, and never serve it.
 */
import { DEFAULT_WINDOW_MS } from '../../background/records.ts';

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

/** A jobsMonitor option that cannot work (no token, a bad path). */
export class JobsMonitorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobsMonitorConfigError';
  }
}

export const DEFAULT_MONITOR_PATH = '/_dash-ts/jobs';

/** The checked option, with the monitor's paths below the app's prefixes. */
export interface MonitorConfig {
  readonly token: string;
  /** Where the monitor's routes live, without a trailing slash (e.g. '/_dash-ts/jobs'). */
  readonly routesPath: string;
  /** The same path as the browser requests it (below the requests prefix). */
  readonly requestsPath: string;
  readonly windowMs: number;
  readonly refreshMs: number;
  /** The app's `trustProxy`: believe `X-Forwarded-Proto` when setting the cookie's Secure flag. */
  readonly trustProxy: boolean;
}

export function monitorConfig(
  options: JobsMonitorOptions,
  prefixes: { routes: string; requests: string },
  trustProxy = false,
): MonitorConfig {
  const { token } = options;
  if (typeof token !== 'string' || token.length === 0) {
    throw new JobsMonitorConfigError('jobsMonitor.token must be a non-empty string');
  }
  const path = normalisePath(options.path ?? DEFAULT_MONITOR_PATH);
  const windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_MS / 1000;
  if (!(Number.isFinite(windowSeconds) && windowSeconds > 0)) {
    throw new JobsMonitorConfigError('jobsMonitor.windowSeconds must be a positive number of seconds');
  }
  return {
    token,
    routesPath: prefixes.routes + path.slice(1),
    requestsPath: prefixes.requests + path.slice(1),
    windowMs: windowSeconds * 1000,
    refreshMs: options.refreshMs ?? 2000,
    trustProxy,
  };
}

/** Whether a request is the monitor's to answer. */
export function monitorHandles(config: MonitorConfig, pathname: string): boolean {
  return pathname === config.routesPath || pathname.startsWith(`${config.routesPath}/`);
}

function normalisePath(path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path === '/' || /[?#\s]/.test(path)) {
    throw new JobsMonitorConfigError(
      `jobsMonitor.path must start with / and name a path below the app, e.g. '${DEFAULT_MONITOR_PATH}'`,
    );
  }
  return path.replace(/\/+$/, '');
}
