/**
 * Imports a user's app module (`.ts`, `.mts`, `.cts`, `.js`, `.mjs`, `.cjs`), the same way in every
 * process that needs it: the `dash-ts run` server, each pool worker, `dash-ts worker` and its job
 * process. So each of them registers the same job functions.
 *
 * - JavaScript needs no loader: Node imports it (on Node 22.15+ through the in-thread hooks of
 *   native-hooks.ts, so an ES-module `.js` app runs in a `"type": "commonjs"` project too; on
 *   Node 20 format-hooks.ts does that, registered only for such an app).
 * - TypeScript runs on Node's own type stripping where Node has it (22.18+, 23.6+, 24), with those
 *   hooks; elsewhere (Node 20) through tsx's loader, with format-hooks.ts. `DASH_TS_LOADER=tsx` chooses tsx anyway, for
 *   TypeScript that type stripping does not support (enums, namespaces, parameter properties).
 * - Run from dash-ts's own TypeScript sources (this repository's tests), the loader that runs
 *   those sources is already in place and loads the app too.
 */
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { enableAppCompileCache, flushAppCompileCache } from './compile-cache.ts';
import { hasModuleSyntax } from './module-syntax.ts';
import { installNativeHooks, registerHooksApi } from './native-hooks.ts';
import { appStartupDone } from './startup.ts';

export const APP_MODULE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'] as const;

/** The app module's path is not one dash-ts can load. */
export class AppModuleError extends Error {}

/** How this process loads the app module. */
export type AppLoader = 'node' | 'node-type-stripping' | 'tsx' | 'running-from-sources';

/** `.js` in the installed package; `.ts` when running from the repository's sources. */
const OWN_EXTENSION = extname(fileURLToPath(import.meta.url));
const RUNNING_FROM_SOURCES = OWN_EXTENSION === '.ts';

export function appLoaderFor(modulePath: string): AppLoader {
  if (RUNNING_FROM_SOURCES) return 'running-from-sources';
  const typescript = /\.[mc]?ts$/.test(modulePath);
  if (process.env.DASH_TS_LOADER === 'tsx') return 'tsx';
  // process.features.typescript: 'strip' or 'transform' where Node runs TypeScript (Node 22.10+).
  const nodeTypeScript = (process.features as { typescript?: string | false }).typescript;
  const nodeStripsTypes = Boolean(nodeTypeScript) && registerHooksApi() !== undefined;
  if (!typescript) return 'node';
  return nodeStripsTypes ? 'node-type-stripping' : 'tsx';
}

export async function importAppModule(modulePath: string): Promise<Record<string, unknown>> {
  const path = resolve(modulePath);
  const extension = extname(path);
  if (!(APP_MODULE_EXTENSIONS as readonly string[]).includes(extension)) {
    throw new AppModuleError(
      `${modulePath}: an app module is a ${APP_MODULE_EXTENSIONS.join(', ')} file, not ${extension || 'extensionless'}`,
    );
  }
  const loader = appLoaderFor(path);
  const registerHooks = registerHooksApi();
  if (loader === 'tsx') {
    await registerTsx();
    registerFormatHooks();
  } else if (loader !== 'running-from-sources') {
    enableAppCompileCache();
    if (registerHooks) installNativeHooks(registerHooks);
    // Node 20: no in-thread hooks; a hooks thread only for an ES-module app Node would take for CommonJS.
    else if (packageType(path) !== 'module' && hasModuleSyntax(readFileSync(path, 'utf8')))
      registerFormatHooks();
  }
  try {
    const imported = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    // What the module started while loading (its app's page modules) is part of loading it.
    await appStartupDone();
    // For the workers this process starts next (compile-cache.ts).
    flushAppCompileCache();
    return imported;
  } catch (error) {
    if (
      (error as { code?: unknown } | null)?.code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX' &&
      error instanceof Error
    ) {
      error.message +=
        "\n(dash-ts runs TypeScript on Node's own type stripping, which supports only erasable syntax: " +
        'rewrite the enum, namespace or parameter property, or set DASH_TS_LOADER=tsx to use tsx instead)';
    }
    throw error;
  }
}

let tsxRegistered = false;

async function registerTsx(): Promise<void> {
  if (tsxRegistered) return;
  tsxRegistered = true;
  const { register } = await import('tsx/esm/api');
  register();
}

let formatHooksRegistered = false;

/** format-hooks.ts through `module.register` (a hooks thread; shared with tsx's where tsx runs). */
function registerFormatHooks(): void {
  if (formatHooksRegistered) return;
  formatHooksRegistered = true;
  module.register(new URL(`./format-hooks${OWN_EXTENSION}`, import.meta.url));
}

/** The "type" of the package.json nearest to `path`, if it has one. */
function packageType(path: string): string | undefined {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        return (JSON.parse(readFileSync(file, 'utf8')) as { type?: string }).type;
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}
