/**
 * Which Chromium the tests drive, found in this order:
 *
 * 1. `CHROMIUM_PATH`, when set (it must exist);
 * 2. the system's Chromium: the first of the usual paths that exists (`CHROMIUM_SYSTEM_PATHS`, a
 *    `:`-separated list, replaces them; set empty, it hides the system's browser, as on a machine
 *    without one);
 * 3. the npm package `@sparticuz/chromium` (a dev dependency: a compressed headless Chromium with
 *    the libraries it needs, for Linux x64), unpacked once per version into a cache folder outside
 *    the checkout, `~/.cache/dash-ts-chromium` (or `DASH_TS_CHROMIUM_CACHE`).
 *
 * So `npm install && npm test` needs no browser from the system. scripts/run-tests.mjs looks it up
 * once per run, says which one in its first lines, and hands it to every test file as CHROMIUM_PATH.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const SYSTEM_CHROMIUM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

const NPM_PACKAGE = '@sparticuz/chromium';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

export interface FoundChromium {
  path: string;
  /** Where it was found: the environment, the system's usual paths, or the npm package. */
  from: 'CHROMIUM_PATH' | 'system' | 'npm';
  /** The npm package's version, when from npm. */
  packageVersion?: string;
}

/** The Chromium to test with; an error that says what to do when there is none. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<FoundChromium> {
  const configured = env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH is ${configured}, which does not exist`);
    return { path: configured, from: 'CHROMIUM_PATH' };
  }
  const systemPaths = systemChromiumPaths(env);
  const system = systemPaths.find((path) => existsSync(path));
  if (system) return { path: system, from: 'system' };
  try {
    return await unpackNpmChromium(chromiumCacheDir(env));
  } catch (error) {
    const looked = systemPaths.length ? systemPaths.join(', ') : 'none (CHROMIUM_SYSTEM_PATHS is empty)';
    throw new Error(
      `no Chromium to test with: CHROMIUM_PATH is not set, no system Chromium (looked at: ${looked}), ` +
        `and ${(error as Error).message}. Set CHROMIUM_PATH, or install Chromium (apt-get install -y chromium)`,
    );
  }
}

export function systemChromiumPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = env.CHROMIUM_SYSTEM_PATHS;
  if (listed === undefined) return SYSTEM_CHROMIUM_PATHS;
  return listed.split(delimiter).filter((path) => path !== '');
}

export function chromiumCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.DASH_TS_CHROMIUM_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dash-ts-chromium')
  );
}

/**
 * The package's own `executablePath()` unpacks into the temporary folder (made for serverless
 * functions); run in a child whose TMPDIR is a fresh folder beside the cache entry, it unpacks
 * there, and a rename makes the entry appear whole: test processes looking it up at the same
 * time never run a half-written binary, and the loser of a race drops its copy.
 */
export async function unpackNpmChromium(cacheDir: string): Promise<FoundChromium> {
  const version = npmPackageVersion();
  const entry = join(cacheDir, `sparticuz-chromium-${version}`);
  const binary = join(entry, 'chromium');
  const found: FoundChromium = { path: binary, from: 'npm', packageVersion: version };
  if (existsSync(binary)) return found;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `${NPM_PACKAGE} has a Chromium for Linux x64 only, not ${process.platform} ${process.arch}`,
    );
  }
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(`${entry}.unpacking-`);
  try {
    const script = `const { default: c } = await import('${NPM_PACKAGE}'); process.stdout.write(await c.executablePath());`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO,
      env: { ...process.env, TMPDIR: staging },
      timeout: 300_000,
    });
    if (stdout !== join(staging, 'chromium'))
      throw new Error(`${NPM_PACKAGE} unpacked to ${stdout}, not ${staging}`);
    try {
      renameSync(staging, entry);
    } catch (error) {
      if (!existsSync(binary)) throw error; // else another process unpacked it first
    }
  } catch (error) {
    throw new Error(
      `${NPM_PACKAGE} ${version} could not be unpacked into ${entry}: ${(error as Error).message}`,
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return found;
}

function npmPackageVersion(): string {
  let entry: string;
  try {
    entry = fileURLToPath(import.meta.resolve(NPM_PACKAGE));
  } catch {
    throw new Error(`the dev dependency ${NPM_PACKAGE} is not installed (npm install)`);
  }
  const manifest = join(dirname(entry), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** One line for the test output: which browser, from where. */
export async function describeChromium(found: FoundChromium): Promise<string> {
  const version = await run(found.path, ['--version'], { timeout: 30_000 }).then(
    ({ stdout }) => stdout.trim(),
    () => 'version unknown',
  );
  const from =
    found.from === 'npm'
      ? `the npm package ${NPM_PACKAGE} ${found.packageVersion}, unpacked`
      : found.from === 'system'
        ? "the system's"
        : 'CHROMIUM_PATH';
  return `${version} at ${found.path} (${from})`;
}
