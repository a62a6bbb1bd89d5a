/**
 * Imports a user's app module (`.ts`, `.mts`, `.cts`, `.js`, `.mjs`, `.cjs`), the same way in every
 * process that needs it: the `dash-ts run` server, each pool worker, `dash-ts worker` and its job
 * process. So each of them registers the same job functions.
 *
 * - JavaScript needs no loader: Node imports it (on Node 22.15+ through the in-thread hooks of
 *   native-hooks.ts, so an ES-module `.js` app runs in a `"type": "commonjs"` project too).
 * - TypeScript runs on Node's own type stripping where Node has it (22.18+, 23.6+, 24), with those
 *   hooks; elsewhere (Node 20) through tsx's loader. `DASH_TS_LOADER=tsx` chooses tsx anyway, for
 *   TypeScript that type stripping does not support (enums, namespaces, parameter properties).
 * - Run from dash-ts's own TypeScript sources (this repository's tests), the loader that runs
 *   those sources is already in place and loads the app too.
 */
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installNativeHooks, registerHooksApi } from './native-hooks.ts';

export const APP_MODULE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'] as const;

/** The app module's path is not one dash-ts can load. */
export class AppModuleError extends Error {}

/** How this process loads the app module. */
export type AppLoader = 'node' | 'node-type-stripping' | 'tsx' | 'running-from-sources';

const RUNNING_FROM_SOURCES = import.meta.url.endsWith('.ts');

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
  const url = pathToFileURL(path).href;
  const loader = appLoaderFor(path);
  const registerHooks = registerHooksApi();
  if (loader !== 'running-from-sources' && loader !== 'tsx' && registerHooks)
    installNativeHooks(registerHooks);
  if (loader === 'tsx') await registerTsx();
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    // Node 20: an ES-module `.js` app in a "type": "commonjs" project; tsx loads it as one.
    if (loader === 'node' && !registerHooks && isModuleSyntaxInCommonJs(error)) {
      await registerTsx();
      return (await import(url)) as Record<string, unknown>;
    }
    if (code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX' && error instanceof Error) {
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

function isModuleSyntaxInCommonJs(error: unknown): boolean {
  return (
    error instanceof SyntaxError &&
    /Cannot use import statement outside a module|Unexpected token 'export'|import\.meta/.test(error.message)
  );
}
