/**
 * The pages folder (Dash's `use_pages`): finding its page modules as Dash's
 * `_import_layouts_from_pages` does, and importing them one by one, each failure naming its file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../../base/log.ts';
import { InvalidConfigError } from '../prefixes.ts';
import { PageModuleError } from './errors.ts';
import { PAGE_MODULE_EXTENSIONS } from './inference.ts';

/** A page module still importing after this long gets a warning (it may wait on a circle). */
const SLOW_IMPORT_MS = 10_000;

/** Dash's pages_folder_config: the folder must exist when pages are on and a folder is named. */
export function assertPagesFolder(folder: string, option: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(folder).isDirectory();
  } catch {}
  if (!isDirectory) {
    throw new InvalidConfigError(
      `A folder called \`${option}\` does not exist (${folder}). If a folder for pages is not ` +
        "required in your application, set `pagesFolder: ''`.",
    );
  }
}

/**
 * The page modules under `folder`, sub-folders included: `.ts`, `.mts`, `.js` and `.mjs` files
 * whose text mentions `registerPage` (Dash imports only files that mention `register_page`, so
 * helpers may live beside the pages); names starting with `_` or `.` are skipped, folders too.
 * Files of a folder (sorted by name) come before its sub-folders, as Dash walks them.
 */
export function pageModuleFiles(folder: string): string[] {
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const visible = entries.filter((entry) => !entry.name.startsWith('_') && !entry.name.startsWith('.'));
  const files = visible
    .filter((entry) => entry.isFile() && isPageModuleName(entry.name))
    .map((entry) => path.join(folder, entry.name))
    .filter((file) => readFileSync(file, 'utf8').includes('registerPage'));
  const folders = visible
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(folder, entry.name));
  return [...files, ...folders.flatMap(pageModuleFiles)];
}

function isPageModuleName(name: string): boolean {
  if (/\.d\.m?ts$/.test(name)) return false;
  return PAGE_MODULE_EXTENSIONS.some((extension) => name.endsWith(extension));
}

/**
 * How often each file was imported in this process: a second app's import must run it again
 * (on globalThis, so two copies of dash-ts in one process count together).
 */
const GLOBAL_KEY = Symbol.for('dash-ts.page-module-imports');
const holder = globalThis as { [GLOBAL_KEY]?: Map<string, number> };
holder[GLOBAL_KEY] ??= new Map();
const importCounts: Map<string, number> = holder[GLOBAL_KEY];

/**
 * Imports each file in turn, handing its exports to `imported`. A file imported before in this
 * process (another app from the same folder, e.g. in tests) is imported again under a fresh URL,
 * so its top level runs for this app too, as Dash executes each page module per app.
 */
export async function importPageModules(
  files: readonly string[],
  logger: Logger,
  imported: (file: string, exports: Record<string, unknown>) => void,
): Promise<void> {
  for (const file of files) {
    const count = importCounts.get(file) ?? 0;
    importCounts.set(file, count + 1);
    const url = pathToFileURL(file).href + (count === 0 ? '' : `?dash-ts-pages=${count}`);
    const slow = setTimeout(() => {
      logger.warn(
        `page module ${file} is still importing after ${SLOW_IMPORT_MS / 1000} s: if it imports the app ` +
          "module while that awaits the pages (app.run()), use registerPage and callback from 'dash-ts' instead",
      );
    }, SLOW_IMPORT_MS);
    slow.unref();
    let exports: Record<string, unknown>;
    try {
      exports = (await import(url)) as Record<string, unknown>;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new PageModuleError(file, `failed to import: ${message}`, { cause: error });
    } finally {
      clearTimeout(slow);
    }
    imported(file, exports);
  }
}
