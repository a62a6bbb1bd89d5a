/**
 * `NODE_ENV=production` turns every development aid off, whatever the app says: Dash's dev tools
 * and the dev renderer (`debug`), error details and stack traces in callback 500 answers, hot
 * reload and the reloader. A `debug: true` left in the code would otherwise send file paths and
 * stack traces to every visitor and keep a file watcher and a 3 s poll per page running. Dash
 * itself only warns; dash-ts refuses, and says so once at start.
 */

import { runtimeMode } from '../app-module/runtime.ts';
import type { Logger } from '../base/log.ts';

let warned = false;

/** Whether this process runs in production (`NODE_ENV=production`). */
export function isProduction(): boolean {
  return process.env.NODE_ENV === 'production';
}

/** What the development aids the app asks for. */
export interface DevelopmentAids {
  debug?: boolean;
  hotReload?: boolean;
}

/**
 * The aids this process may use: those asked for, or none in production (with one warning line,
 * from a process that serves: pool workers and `dash-ts worker` import the app too).
 */
export function allowedDevelopmentAids(
  asked: DevelopmentAids,
  logger: Logger,
): { debug: boolean; hotReload?: boolean } {
  if (!isProduction()) return { debug: asked.debug ?? false, hotReload: asked.hotReload };
  const turnedOff = [
    asked.debug ? 'debug: true (dev tools, the dev renderer, error details and stack traces in answers)' : '',
    asked.hotReload || envFlagOn('DASH_HOT_RELOAD') ? 'hot reload' : '',
  ].filter(Boolean);
  if (turnedOff.length > 0 && runtimeMode().kind !== 'worker' && !warned) {
    warned = true; // once per process, even when it builds several apps (the jobs monitor's page is one)
    logger.warn(`NODE_ENV=production: ${turnedOff.join(' and ')} stay off; unset NODE_ENV to develop`);
  }
  return { debug: false, hotReload: false };
}

function envFlagOn(name: string): boolean {
  const raw = process.env[name]?.toLowerCase();
  return raw === 'true' || raw === '1' || raw === 'yes';
}
