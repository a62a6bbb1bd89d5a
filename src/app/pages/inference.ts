/**
 * What Dash infers for a page it was not told (dash/_pages.py): a page module's dotted name from
 * its file, its path and name from that module name, and its social-media image from the assets
 * folder.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { stripSlashes } from './paths.ts';

/** Page module files dash-ts imports (Dash's `.py`). */
export const PAGE_MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

/** Dash's `valid_extensions` for an inferred image (compared lower-cased). */
const IMAGE_EXTENSIONS = new Set(['apng', 'avif', 'gif', 'jpeg', 'jpg', 'png', 'svg', 'webp']);

/**
 * Dash's `_infer_module_name`: the pages folder as a dotted path from the app's folder, then the
 * file's path inside it, e.g. `pages/reports/weekly_sales.ts` → `pages.reports.weekly_sales`.
 * A folder outside the app's folder is named by its whole path, as Dash does.
 */
export function moduleNameFor(appDir: string, pagesFolder: string, file: string): string {
  return `${folderModuleName(appDir, pagesFolder)}.${dotted(withoutExtension(path.relative(pagesFolder, file)))}`;
}

/** The pages folder's own dotted name (`pages`, or `sub_dir.custom_pages`). */
export function folderModuleName(appDir: string, pagesFolder: string): string {
  const relativeFolder = path.relative(appDir, pagesFolder);
  const outside = relativeFolder.startsWith('..') || path.isAbsolute(relativeFolder);
  return dotted(outside ? pagesFolder : relativeFolder);
}

/**
 * Dash's `_infer_path` for a module in the pages folder: the part after the folder's name, `_`
 * → `-`, `.` → `/`, lower case: `pages.reports.weekly_sales` → `/reports/weekly-sales`. (Dash
 * does not map `index` to `/`: a home page gives `path: '/'`.)
 */
export function pathFromModule(module: string, folderModule: string | undefined): string {
  const inside =
    folderModule !== undefined && module.startsWith(`${folderModule}.`)
      ? module.slice(folderModule.length)
      : module;
  const path = inside.replaceAll('_', '-').replaceAll('.', '/').toLowerCase();
  return path.startsWith('/') ? path : `/${path}`;
}

/** Dash's `_module_name_to_page_name`: `pages.weekly_analytics` → "Weekly analytics". */
export function nameFromModule(module: string): string {
  const last = (module.split('.').at(-1) ?? '').replaceAll('_', ' ');
  // Python's str.capitalize: the first character upper case, the rest lower case.
  return last.charAt(0).toUpperCase() + last.slice(1).toLowerCase();
}

/**
 * A name for a page registered without a module (dash-ts's `app.registerPage({ path })`), from
 * its path: `/weekly-analytics` → "Weekly analytics"; `/` → "Home"; template variables skipped.
 */
export function nameFromPath(pagePath: string): string {
  const segments = stripSlashes(pagePath)
    .split('/')
    .filter((segment) => segment !== '' && !segment.includes('<'));
  const last = segments.at(-1);
  if (!last) return 'Home';
  const words = last.replace(/[-_]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Dash's `_infer_image`: among the files directly in the assets folder with an image extension
 * (the part after the first dot), the page's own (`<last part of module>.*`, or with `_` as
 * `-`), else `app.*`, else `logo.*`. Dash takes the directory listing's order, which the file
 * system decides; here names are sorted, so the first in that order wins.
 */
export function inferImage(assetsFolder: string | undefined, module: string | undefined): string | undefined {
  if (!assetsFolder) return undefined;
  let names: string[];
  try {
    names = readdirSync(assetsFolder).sort();
  } catch {
    return undefined;
  }
  const pageId = module?.split('.').at(-1);
  let app: string | undefined;
  let logo: string | undefined;
  for (const name of names) {
    const dot = name.indexOf('.');
    const stem = dot < 0 ? name : name.slice(0, dot);
    const extension = dot < 0 ? '' : name.slice(dot + 1);
    if (!IMAGE_EXTENSIONS.has(extension.toLowerCase()) || !isFile(path.join(assetsFolder, name))) continue;
    if (pageId !== undefined && (stem === pageId || stem === pageId.replaceAll('_', '-'))) return name;
    if (stem === 'app') app ??= name;
    if (stem === 'logo') logo ??= name;
  }
  return app ?? logo;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function withoutExtension(file: string): string {
  const extension = PAGE_MODULE_EXTENSIONS.find((ext) => file.endsWith(ext));
  return extension ? file.slice(0, -extension.length) : file;
}

/** Dash's `_path_to_module_name`: separators to dots, outer separators dropped. */
function dotted(file: string): string {
  return file
    .split(/[\\/]+/)
    .filter(Boolean)
    .join('.');
}
