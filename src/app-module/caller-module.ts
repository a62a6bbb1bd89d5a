/**
 * Finds the module that called into dash-ts (the one that ran `new Dash()` or `app.callback()`).
 * Background workers import that module to fill their registrar exactly as the server did, and the
 * registrar keys a job function by that file's text, so every process must name the same file.
 *
 * So the stack is read from V8's own call sites, never from `error.stack`: with source maps on
 * (`--enable-source-maps`, tsx, `process.setSourceMapsEnabled`) Node rewrites `error.stack` to the
 * mapped sources, and whether they are on differs between a server and its workers. A call site
 * names the file that actually runs: dash-ts's `dist/*.js` (or `src/*.ts` run from sources), and
 * the app module as it was imported. dash-ts's own frames are skipped by where its package lies on
 * disk (its real path, so a copy linked with `npm link` or a workspace is recognised too), as are
 * frames of any other package in a `node_modules` folder.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Frames read: enough to get past dash-ts's own calls and a helper or two of the app's. */
const FRAMES = 64;

const realPaths = new Map<string, string>();

/** dash-ts's own code: `src/` and `dist/` of the package this file belongs to. */
const OWN_FOLDERS = ownFolders(fileURLToPath(import.meta.url));

function ownFolders(thisFile: string): string[] {
  let root = dirname(thisFile);
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  const roots = new Set([root, realPath(root)]);
  return [...roots].flatMap((dir) => [join(dir, 'src') + sep, join(dir, 'dist') + sep]);
}

function realPath(path: string): string {
  let real = realPaths.get(path);
  if (real === undefined) {
    try {
      real = realpathSync(path);
    } catch {
      real = path;
    }
    realPaths.set(path, real);
  }
  return real;
}

export function callerModule(): string | undefined {
  for (const file of callSiteFiles()) {
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    if (!path.startsWith(sep) && !/^[A-Za-z]:\\/.test(path)) continue; // node:internal, eval, native
    if (path.includes(`${sep}node_modules${sep}`)) continue;
    if (OWN_FOLDERS.some((folder) => path.startsWith(folder) || realPath(path).startsWith(folder))) continue;
    return path;
  }
  return undefined;
}

/** The file of each frame of the current stack (innermost first), as V8 reports it: unmapped. */
function callSiteFiles(): string[] {
  const { prepareStackTrace, stackTraceLimit } = Error;
  // A prepareStackTrace of our own receives V8's call sites; Node's source-map rewriting runs
  // only in its default one. Restored at once, so a user's or tsx's own hook is left as it was.
  Error.prepareStackTrace = (_error, sites) => sites;
  Error.stackTraceLimit = FRAMES;
  try {
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, callSiteFiles);
    const sites = (holder.stack ?? []) as NodeJS.CallSite[];
    return sites.flatMap((site) => site.getFileName() ?? []);
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
}
