/**
 * Where a Dash component suite keeps its bundle in an npm package. Packages built with Dash's
 * tooling put it at `<namespace>/<namespace>.js` (or `.min.js`, or in `dist/`), where the namespace
 * is the package name with `-` as `_`; others name it in package.json's `main`. Lazy chunks,
 * `proptypes.js` and CSS sit beside it, and the renderer fetches chunks from the bundle's folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SuiteMetadataError } from './errors.ts';

export interface SuitePackage {
  name: string;
  version: string;
  /** Absolute path of the installed package. */
  dir: string;
  namespace: string;
  /** Folder of the bundle, relative to the package (posix separators; `.` for the root). */
  bundleDir: string;
  /** The bundle the index page loads, relative to `bundleDir`. */
  bundle: string;
  /** Dash's generated metadata that decorates the bundle's components, relative to `bundleDir`, if shipped. */
  propTypesFile: string | undefined;
}

/** The JS identifier Dash derives from a package name. */
export function namespaceFor(packageName: string): string {
  return packageName.replace(/^@[^/]+\//, '').replace(/[^A-Za-z0-9_$]/g, '_');
}

export function readPackageJson(
  dir: string,
  label: string,
): { name: string; version: string; main?: unknown } {
  const file = path.join(dir, 'package.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SuiteMetadataError(`${label}: cannot read ${file}: ${(error as Error).message}`);
  }
  const pkg = parsed as { name?: unknown; version?: unknown; main?: unknown };
  if (typeof pkg.name !== 'string' || typeof pkg.version !== 'string') {
    throw new SuiteMetadataError(`${label}: ${file} has no name or version`);
  }
  return { name: pkg.name, version: pkg.version, main: pkg.main };
}

/** Folders that never hold the shipped bundle. */
const SKIPPED = new Set(['node_modules', 'src', 'test', 'tests', '__tests__', 'lib', 'demo', 'docs', '.git']);

function findFile(dir: string, names: Set<string>, depth: number): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return undefined;
  }
  for (const entry of entries) if (names.has(entry) && statSync(path.join(dir, entry)).isFile()) return entry;
  if (depth === 0) return undefined;
  for (const entry of entries) {
    if (SKIPPED.has(entry) || entry.startsWith('.')) continue;
    const sub = path.join(dir, entry);
    if (!statSync(sub).isDirectory()) continue;
    const found = findFile(sub, names, depth - 1);
    if (found) return `${entry}/${found}`;
  }
  return undefined;
}

export function locateSuite(dir: string, options: { namespace?: string } = {}): SuitePackage {
  const { name, version, main } = readPackageJson(dir, dir);
  const label = `${name}@${version}`;
  const namespace = options.namespace ?? namespaceFor(name);
  const byName = findFile(dir, new Set([`${namespace}.min.js`, `${namespace}.js`]), 2);
  const byMain =
    typeof main === 'string' && /\.js$/.test(main) && existsSync(path.join(dir, main))
      ? path.posix.normalize(main.replaceAll('\\', '/'))
      : undefined;
  const bundlePath = byName ?? byMain;
  if (!bundlePath) {
    throw new SuiteMetadataError(
      `${label} is not a Dash component suite: it ships no bundle named ${namespace}.js or ${namespace}.min.js, ` +
        `and its package.json "main" (${typeof main === 'string' ? main : 'absent'}) is not a script in the package`,
    );
  }
  const bundleDir = path.posix.dirname(bundlePath);
  const propTypes = path.join(dir, bundleDir, 'proptypes.js');
  return {
    name,
    version,
    dir,
    namespace,
    bundleDir,
    bundle: path.posix.basename(bundlePath),
    propTypesFile: existsSync(propTypes) ? 'proptypes.js' : undefined,
  };
}
