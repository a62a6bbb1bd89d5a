/**
 * Single files served from installed npm packages, such as Bootstrap's stylesheet for
 * dash-bootstrap-components: `packageFileUrl('bootstrap/dist/css/bootstrap.min.css')` serves that
 * file under `_dash-component-suites/npm/bootstrap/...`, fingerprinted and cached like a suite's
 * files, and returns its URL for `externalStylesheets` (or `externalScripts`).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { callerModule } from '../../app-module/caller-module.ts';
import { fingerprint } from './fingerprint.ts';
import { readPackageJson } from './package.ts';
import { findPackage, PACKAGE_FILES } from './registry.ts';

/** Plain URL path (after `_dash-component-suites/`) → absolute file path. */
const files = new Map<string, string>();

/**
 * `specifier` is `<package>/<path inside it>` (`@scope/name/<path>` for scoped packages), found in
 * the `node_modules` folders above the calling module, then above the working directory. The URL
 * starts with `prefix` (default `/`): pass the app's requests prefix when it has one.
 */
export function packageFileUrl(specifier: string, options: { prefix?: string } = {}): string {
  const parts = specifier.split('/');
  const nameParts = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameParts).join('/');
  const inside = parts.slice(nameParts);
  if (!name || inside.length === 0 || inside.some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`packageFileUrl: ${JSON.stringify(specifier)} is not <package>/<path inside it>`);
  }
  const packageDir = findPackage(name, callerModule());
  if (!packageDir) throw new Error(`packageFileUrl: package ${name} is not installed (npm install ${name})`);
  const absolute = path.join(packageDir, ...inside);
  let mtime: number;
  try {
    mtime = Math.floor(statSync(absolute).mtimeMs / 1000);
  } catch {
    throw new Error(`packageFileUrl: ${name} has no file ${inside.join('/')}`);
  }
  const plain = `${PACKAGE_FILES}/${specifier}`;
  files.set(plain, absolute);
  const version = readPackageJson(packageDir, name).version;
  const prefix = options.prefix ?? '/';
  return `${prefix.endsWith('/') ? prefix : `${prefix}/`}_dash-component-suites/${fingerprint(plain, version, mtime)}`;
}

/** The file a plain URL path names, if it was registered by `packageFileUrl`. */
export function packageFile(plainPath: string): string | undefined {
  return files.get(plainPath);
}
