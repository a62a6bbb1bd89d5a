/**
 * `registerPage`, `callback` and `clientsideCallback` as page modules call them (Dash's
 * `dash.register_page`, `dash.callback`, `dash.clientside_callback`): on the app whose pages
 * folder is being imported, else on the latest app constructed with `usePages`. So a Dash page
 * module ports line by line, without importing the app module (which would make a circle).
 */

import { callerModule } from '../../app-module/caller-module.ts';
import type { CallbackSpec } from '../../background/callback-spec.ts';
import { CallbackDefinitionError } from '../../base/errors.ts';
import type { ClientsideCallbackSpec, ClientsideSource } from '../../callbacks/clientside.ts';
import type { CallbackFunction } from '../../callbacks/spec.ts';
import type { PageOptions } from './page-options.ts';
import type { Page } from './registry.ts';

/** What the module-level functions act on: an app's pages, and its callbacks. */
export interface PageModuleHost {
  /** `file`: the module that called registerPage (page modules get Dash's inferred names). */
  registerPage(options: PageOptions, file: string | undefined): Page;
  callback(spec: CallbackSpec, fn: CallbackFunction): void;
  clientsideCallback(fn: ClientsideSource, spec: ClientsideCallbackSpec): void;
  /** Is `file` one of this app's page modules (inside its pages folder)? */
  owns(file: string | undefined): boolean;
}

interface PageModuleState {
  importing: PageModuleHost | undefined;
  latest: PageModuleHost | undefined;
  /** One app imports its pages at a time in a process, so `importing` names exactly one app. */
  queue: Promise<unknown>;
}

// On globalThis, as the registrar: a page module reaches the app whatever copy of dash-ts it imports.
const GLOBAL_KEY = Symbol.for('dash-ts.page-modules');
const holder = globalThis as { [GLOBAL_KEY]?: PageModuleState };
holder[GLOBAL_KEY] ??= { importing: undefined, latest: undefined, queue: Promise.resolve() };
const state: PageModuleState = holder[GLOBAL_KEY];

/** Dash's global app: the latest app with pages, the target outside a pages-folder import. */
export function announcePagesApp(host: PageModuleHost): void {
  state.latest = host;
}

/** Runs `work` (importing `host`'s page modules) with the module-level functions aimed at `host`. */
export function whileImportingPages<T>(host: PageModuleHost, work: () => Promise<T>): Promise<T> {
  const run = state.queue.then(async () => {
    state.importing = host;
    try {
      return await work();
    } finally {
      state.importing = undefined;
    }
  });
  state.queue = run.catch(() => {});
  return run;
}

/**
 * The app a call from `file` is for: the app importing its pages, for its own page modules;
 * otherwise the latest app with pages (code beside `new Dash()`, or another app built meanwhile).
 */
function target(what: string, file: string | undefined): PageModuleHost {
  const { importing, latest } = state;
  const host = importing?.owns(file) ? importing : (latest ?? importing);
  if (!host) {
    throw new CallbackDefinitionError(
      `${what}() from 'dash-ts' acts on the app with pages: construct it first with ` +
        `new Dash({ usePages: true }) (or call app.${what}() on your app)`,
    );
  }
  return host;
}

/** Registers a page on the app loading this page module (Dash's `dash.register_page`). */
export function registerPage(options: PageOptions = {}): Page {
  const file = callerModule();
  return target('registerPage', file).registerPage(options, file);
}

/** Registers a callback on the app loading this page module (Dash's `dash.callback`). */
export function callback(spec: CallbackSpec, fn: CallbackFunction): void {
  target('callback', callerModule()).callback(spec, fn);
}

/** A clientside callback on the app loading this page module (Dash's `dash.clientside_callback`). */
export function clientsideCallback(fn: ClientsideSource, spec: ClientsideCallbackSpec): void {
  target('clientsideCallback', callerModule()).clientsideCallback(fn, spec);
}
