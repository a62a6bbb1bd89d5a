/**
 * In-thread module hooks (Node's `module.registerHooks`, Node 22.15+) that let Node load an app
 * as its author wrote it, with no transpiler: Node strips the TypeScript types itself.
 *
 * - `./x.js` in an app file finds `./x.ts` when there is no `./x.js` (TypeScript's own convention
 *   for ESM imports); likewise `.mjs` → `.mts` and `.cjs` → `.cts`.
 * - An app file (not under node_modules) written with `import`/`export` loads as an ES module even
 *   where the nearest package.json says `"type": "commonjs"` (module-syntax.ts).
 *
 * The hooks run on the loading thread itself: no extra loader thread per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { isAppFile, moduleFormatFor } from './module-syntax.ts';

const SIBLING_EXTENSION: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };

type RegisterHooks = (hooks: {
  resolve?: (
    specifier: string,
    context: { parentURL?: string | undefined },
    nextResolve: (specifier: string, context?: unknown) => { url: string; format?: string | null },
  ) => { url: string; format?: string | null; shortCircuit?: boolean };
  load?: (
    url: string,
    context: { format?: string | null },
    nextLoad: (url: string, context?: unknown) => { format?: string | null; source?: unknown },
  ) => { format?: string | null; source?: unknown; shortCircuit?: boolean };
}) => unknown;

/** `module.registerHooks` where this Node has it (22.15+, 23.5+). */
export function registerHooksApi(): RegisterHooks | undefined {
  const api = (module as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  return typeof api === 'function' ? api.bind(module) : undefined;
}

let installed = false;

export function installNativeHooks(registerHooks: RegisterHooks): void {
  if (installed) return;
  installed = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (error) {
        const sibling = siblingSource(specifier, context.parentURL);
        if (sibling === undefined || (error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND')
          throw error;
        return nextResolve(sibling, context);
      }
    },
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      const format = moduleFormatFor(url, loaded.format, loaded.source);
      if (format === undefined) return loaded;
      const source = loaded.source ?? readFileSync(fileURLToPath(url));
      return { format, source, shortCircuit: true };
    },
  });
}

/** `./x.ts` for `./x.js` imported from an app file, if that file exists. */
function siblingSource(specifier: string, parentURL: string | undefined): string | undefined {
  if (parentURL === undefined || !isAppFile(parentURL) || !/^\.\.?\//.test(specifier)) return undefined;
  const match = /\.[mc]?js$/.exec(specifier);
  if (!match) return undefined;
  const candidate = specifier.slice(0, match.index) + SIBLING_EXTENSION[match[0]];
  return existsSync(fileURLToPath(new URL(candidate, parentURL))) ? candidate : undefined;
}
