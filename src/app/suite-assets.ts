/**
 * Registered third-party suites' files under `_dash-component-suites/<namespace>/<path>`, where
 * `<path>` is relative to the suite's bundle folder in the installed package, as Dash serves a
 * Python suite's package data. Only files listed when the suite registered are reachable.
 */
import { statSync } from 'node:fs';
import { fingerprint } from '../components/suites/fingerprint.ts';
import { packageFile } from '../components/suites/package-files.ts';
import {
  type RegisteredSuite,
  registeredSuite,
  registeredSuites,
  suiteFiles,
} from '../components/suites/registry.ts';
import { fileResponse, loadOnce } from './static-files.ts';

const COMPONENT_SUITES = '_dash-component-suites/';

/** The suite file or package file a plain (unfingerprinted) path names; undefined when it names none. */
export async function serveSuiteFile(
  plainPath: string,
  fingerprinted: boolean,
  ifNoneMatch: string | undefined,
): Promise<Response | undefined> {
  const slash = plainPath.indexOf('/');
  if (slash < 0) return undefined;
  const suite = registeredSuite(plainPath.slice(0, slash));
  const absolute = suite ? suiteFiles(suite).get(plainPath.slice(slash + 1)) : packageFile(plainPath);
  if (!absolute) return undefined;
  const file = await loadOnce(absolute, () => new Error(`${absolute} disappeared after the server started`));
  return fileResponse(file, plainPath, fingerprinted, ifNoneMatch);
}

const urls = new Map<string, string>();

/** `_dash-component-suites/<namespace>/<file>`, fingerprinted with the installed version and the file's mtime. */
function suiteUrl(suite: RegisteredSuite, file: string): string {
  const key = `${suite.namespace}/${file}`;
  let url = urls.get(key);
  if (!url) {
    const absolute = suiteFiles(suite).get(file);
    if (!absolute) {
      throw new Error(
        `component suite ${suite.packageName}: ${suite.bundleDir}/${file} is missing in ${suite.packageDir}`,
      );
    }
    const mtime = Math.floor(statSync(absolute).mtimeMs / 1000);
    url = COMPONENT_SUITES + fingerprint(key, suite.installedVersion, mtime);
    urls.set(key, url);
  }
  return url;
}

/** The suites' bundles, in registration order; they load after the renderer, dcc and html. */
export function suiteScriptPaths(): string[] {
  return registeredSuites().map((suite) => suiteUrl(suite, suite.bundle));
}
