/**
 * Node's module compile cache (`module.enableCompileCache`, Node 22.1+) for every process that
 * imports the app: the `dash-ts run` server, each pool worker, `dash-ts worker` and its job
 * processes that Node loads without tsx. It keeps V8's code cache of each module and, where Node
 * strips TypeScript types itself, the app's TypeScript with its types stripped. A process that
 * finds the app's files there never loads Node's type stripper (amaro, a WebAssembly build of swc:
 * ~17 MiB resident per process on Node 24) and compiles less, so a warm pool worker is smaller and
 * a replaced one starts sooner.
 *
 * The server writes the cache right after importing the app (flushAppCompileCache), before its
 * pool forks workers, so even the first workers find it. Node keys every entry by the file's
 * path and checks its content hash: an edited file is stripped and compiled afresh.
 *
 * Where: NODE_COMPILE_CACHE if set (Node's own variable), else a folder of this user's in the
 * temporary directory, used only if it is this user's and nobody else may write to it (a folder
 * someone else made there could feed this process code). NODE_DISABLE_COMPILE_CACHE=1 (Node's
 * own switch) turns it off.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type CompileCacheApi = {
  enableCompileCache?: (directory?: string) => { status: number; directory?: string };
  flushCompileCache?: () => void;
};

const api = module as unknown as CompileCacheApi;

let enabled = false;

/** Turns the compile cache on for this process (once); does nothing where Node lacks it. */
export function enableAppCompileCache(): void {
  if (enabled || typeof api.enableCompileCache !== 'function') return;
  enabled = true;
  const directory = process.env.NODE_COMPILE_CACHE ? undefined : privateCacheDirectory(tmpdir());
  if (directory === null) return;
  try {
    api.enableCompileCache(directory);
  } catch {
    // A cache that cannot be used only costs compile time: the app loads without it.
  }
}

/** Writes what this process compiled so far (the app's modules) for the processes started next. */
export function flushAppCompileCache(): void {
  if (!enabled) return;
  try {
    api.flushCompileCache?.();
  } catch {
    // Not fatal, as above.
  }
}

/**
 * `<temporary>/dash-ts-compile-cache-<uid>`, created private (0700); null when it exists but is
 * not this user's, or others may write to it. Where there are no user ids (Windows) the temporary
 * directory is the user's own.
 */
export function privateCacheDirectory(temporary: string): string | null {
  const uid = process.getuid?.();
  const directory = join(temporary, `dash-ts-compile-cache${uid === undefined ? '' : `-${uid}`}`);
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const stats = lstatSync(directory);
    if (!stats.isDirectory()) return null;
    if (uid !== undefined && (stats.uid !== uid || (stats.mode & 0o022) !== 0)) return null;
    return directory;
  } catch {
    return null;
  }
}
