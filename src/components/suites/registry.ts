/**
 * Registering a third-party component suite at run time. A module written by
 * `dash-ts components add` calls `registerSuite` when it is imported (in the server and in every
 * background worker alike); the index page then loads the suite's bundle, its files are served
 * from the package installed beside that module, and its builders serialise with its namespace.
 */
import { type Dirent, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { callerModule } from '../../app-module/caller-module.ts';
import { consoleLogger } from '../../base/log.ts';
import { type ComponentBuilder, componentBuilder } from '../component.ts';
import { readPackageJson } from './package.ts';

/** What a generated suite module passes to `registerSuite`. */
export interface SuiteRegistration {
  /** npm package name, e.g. `dash-bootstrap-components`. */
  packageName: string;
  /** The package version the module was generated from. */
  version: string;
  /** The JS namespace the bundle defines (`window[namespace]`); also its URL folder. */
  namespace: string;
  /** Folder of the bundle inside the package (posix, `.` for the root). */
  bundleDir: string;
  /** The script the index page loads, relative to `bundleDir`; chunks beside it load lazily. */
  bundle: string;
  /** Per component type, the props other than `children` that hold components. */
  childrenProps: Record<string, string[]>;
}

export interface RegisteredSuite extends SuiteRegistration {
  /** The installed package's folder and version (which the URLs' fingerprints carry). */
  packageDir: string;
  installedVersion: string;
  /** Absolute path of the bundle folder. */
  bundlePath: string;
}

/** The suite's package is not installed where the registering module can find it. */
export class SuiteNotInstalledError extends Error {
  constructor(registration: SuiteRegistration, searched: string[]) {
    super(
      `component suite ${registration.packageName} is not installed (looked in ${searched.join(', ')}): ` +
        `run \`npm install ${registration.packageName}@${registration.version}\` in your project`,
    );
    this.name = 'SuiteNotInstalledError';
  }
}

const suites = new Map<string, RegisteredSuite>();

/** The URL folder of single files served from npm packages (`packageFileUrl`). */
export const PACKAGE_FILES = 'npm';

/** URL folders dash-ts's own files and package files use. */
const RESERVED = new Set(['dash', 'plotly', PACKAGE_FILES]);

/** The builders of one registered suite. */
export class Suite {
  constructor(readonly registered: RegisteredSuite) {}

  /** The builder for component `type`, e.g. `suite.component<ButtonProps>('Button')`. */
  component<P extends object>(type: string): ComponentBuilder<P> {
    return componentBuilder<P>(this.registered.namespace, type);
  }
}

/**
 * Registers a suite (idempotent for the same package). The package is looked up in the
 * `node_modules` folders above the calling module, then above the working directory.
 */
export function registerSuite(registration: SuiteRegistration): Suite {
  if (!/^[A-Za-z_$][\w$]*$/.test(registration.namespace) || RESERVED.has(registration.namespace)) {
    throw new Error(
      `component suite ${registration.packageName}: namespace ${registration.namespace} is not usable`,
    );
  }
  const existing = suites.get(registration.namespace);
  if (existing) {
    if (existing.packageName !== registration.packageName) {
      throw new Error(
        `component suites ${existing.packageName} and ${registration.packageName} both use namespace ${registration.namespace}`,
      );
    }
    return new Suite(existing);
  }
  const packageDir = findPackage(registration.packageName, callerModule());
  if (!packageDir) throw new SuiteNotInstalledError(registration, searchedFrom(callerModule()));
  const installed = readPackageJson(packageDir, registration.packageName);
  if (installed.version !== registration.version) {
    consoleLogger.warn(
      `component suite ${registration.packageName}: the module was generated from ${registration.version} but ` +
        `${installed.version} is installed; re-run \`npx dash-ts components add ${registration.packageName}\` to update its types`,
    );
  }
  const registered: RegisteredSuite = {
    ...registration,
    packageDir,
    installedVersion: installed.version,
    bundlePath: path.join(packageDir, ...registration.bundleDir.split('/')),
  };
  suites.set(registration.namespace, registered);
  return new Suite(registered);
}

/** Every registered suite, in registration order (the order their bundles load in). */
export function registeredSuites(): RegisteredSuite[] {
  return [...suites.values()];
}

export function registeredSuite(namespace: string): RegisteredSuite | undefined {
  return suites.get(namespace);
}

/** Starting folders for finding a package: the calling module's, then the working directory. */
function searchStarts(caller: string | undefined): string[] {
  return [
    ...new Set([caller ? path.dirname(caller) : undefined, process.cwd()].filter((d) => d !== undefined)),
  ];
}

function searchedFrom(caller: string | undefined): string[] {
  return searchStarts(caller).map((start) => `node_modules above ${start}`);
}

/** An installed package's folder, as Node would resolve it from the caller's folder or the working directory. */
export function findPackage(packageName: string, caller: string | undefined): string | undefined {
  for (const start of searchStarts(caller)) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', ...packageName.split('/'));
      if (isFile(path.join(candidate, 'package.json'))) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  return undefined;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Kinds of file a suite's bundle folder may serve: scripts, chunks, styles, source maps, fonts, images. */
const SERVABLE = /\.(js|mjs|css|map|woff2?|ttf|otf|eot|svg|png|jpe?g|gif|webp)$/i;

const fileLists = new Map<string, Map<string, string>>();

/**
 * The files a suite serves: every servable file under its bundle folder (node_modules excluded),
 * listed once, keyed by path relative to that folder. Nothing else in the package is reachable.
 */
export function suiteFiles(suite: RegisteredSuite): Map<string, string> {
  let files = fileLists.get(suite.namespace);
  if (!files) {
    files = new Map();
    collect(suite.bundlePath, '', files, 4);
    fileLists.set(suite.namespace, files);
  }
  return files;
}

function collect(dir: string, prefix: string, into: Map<string, string>, depth: number): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth > 0 && entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
        collect(full, `${prefix}${entry.name}/`, into, depth - 1);
      }
    } else if (entry.isFile() && SERVABLE.test(entry.name)) {
      into.set(prefix + entry.name, full);
    }
  }
}

/** Per namespace, the suites' children_props (for `_dash-config`). */
export function suitesChildrenProps(): Record<string, Record<string, string[]>> {
  return Object.fromEntries(registeredSuites().map((suite) => [suite.namespace, suite.childrenProps]));
}
