/**
 * The front-end files we serve under `_dash-component-suites/`, and how, as Dash does it
 * (dash-protocol.md 1.4).
 *
 * The files come from vendor/frontend/, which the published package holds; in a checkout of the
 * repository scripts/vendor-frontend.mjs fills it (`npm install`'s prepare step) from the tarballs
 * pinned in frontend.lock.json. URLs are looked up in a fixed allow-list and never
 * mapped onto the filesystem, so no request can reach any other file.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleLogger } from '../base/log.ts';
import { fingerprint, stripFingerprint } from '../components/suites/fingerprint.ts';
import { decodeOnce, fileResponse, jsonResponse, type LoadedFile, loadOnce } from './static-files.ts';
import { serveSuiteFile, suiteScriptPaths } from './suite-assets.ts';

export { fingerprint, stripFingerprint };

export const COMPONENT_SUITES = '_dash-component-suites/';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOCK_FILE = path.join(PACKAGE_ROOT, 'frontend.lock.json');

/** Where scripts/vendor-frontend.mjs puts the front end: beside the package, wherever we run from. */
export function vendorDir(): string {
  return path.join(PACKAGE_ROOT, 'vendor', 'frontend');
}

/** Thrown (or answered as a 500) when the vendored front end is missing or incomplete. */
export class FrontendMissingError extends Error {
  constructor(detail: string) {
    // The installed package ships the files; a checkout of the repository vendors them on `npm install`.
    const vendorScript = path.join(PACKAGE_ROOT, 'scripts', 'vendor-frontend.mjs');
    const remedy = existsSync(vendorScript)
      ? `run \`npm install\` in ${PACKAGE_ROOT}, or \`node ${vendorScript}\``
      : `the dash-ts package in ${PACKAGE_ROOT} is incomplete: install it again`;
    super(`the Dash front-end files are missing (${detail}): ${remedy}`);
    this.name = 'FrontendMissingError';
  }
}

// ---------------------------------------------------------------------------------------------------
// The allow-list

interface LockedPackage {
  name: string;
  version: string;
  files: string[];
}

interface Asset {
  /** Path after `_dash-component-suites/`, unfingerprinted; the Python package name comes first, as in Dash. */
  url: string;
  /** npm package the file is vendored from, and the version used in its fingerprint. */
  pkg: LockedPackage;
  /** Path inside that package. */
  file: string;
}

function readLock(): LockedPackage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(LOCK_FILE, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${LOCK_FILE}: ${(error as Error).message}`);
  }
  const packages = (parsed as { packages?: unknown }).packages;
  if (!Array.isArray(packages)) throw new Error(`${LOCK_FILE}: no "packages" list`);
  return packages as LockedPackage[];
}

function buildAllowList(): Map<string, Asset> {
  const lock = new Map(readLock().map((pkg) => [pkg.name, pkg]));
  const pkg = (name: string): LockedPackage => {
    const found = lock.get(name);
    if (!found) throw new Error(`${LOCK_FILE} does not pin ${name}`);
    return found;
  };
  const assets: Asset[] = [];
  const add = (url: string, name: string, file: string) => assets.push({ url, pkg: pkg(name), file });

  // Dash names its React deps after package and version (deps/react@18.3.1.min.js).
  add(
    `dash/deps/polyfill@${pkg('@babel/polyfill').version}.min.js`,
    '@babel/polyfill',
    'dist/polyfill.min.js',
  );
  add(`dash/deps/react@${pkg('react').version}.min.js`, 'react', 'umd/react.production.min.js');
  add(
    `dash/deps/react-dom@${pkg('react-dom').version}.min.js`,
    'react-dom',
    'umd/react-dom.production.min.js',
  );
  add(`dash/deps/prop-types@${pkg('prop-types').version}.min.js`, 'prop-types', 'prop-types.min.js');
  add('dash/dash-renderer/build/dash_renderer.min.js', 'dash-renderer', 'build/dash_renderer.min.js');
  // Only the development build carries Dash's dev-tools UI (error pop-ups, callback graph).
  add('dash/dash-renderer/build/dash_renderer.dev.js', 'dash-renderer', 'build/dash_renderer.dev.js');
  // dcc's lazy chunks are fetched from the folder its main bundle came from, so they share it.
  for (const file of pkg('dash-core-components').files) {
    const name = file.slice(file.lastIndexOf('/') + 1);
    if (name === 'proptypes.js') continue; // metadata for the generator; Dash serves it only in debug
    add(`dash/dcc/${name}`, 'dash-core-components', file);
  }
  add(
    'dash/html/dash_html_components.min.js',
    'dash-html-components',
    'dash_html_components/dash_html_components.min.js',
  );
  // Fixed by the renderer: <prefix>_dash-component-suites/plotly/package_data/plotly.min.js.
  add('plotly/package_data/plotly.min.js', 'plotly.js-dist-min', 'plotly.min.js');
  return new Map(assets.map((asset) => [asset.url, asset]));
}

const ALLOW_LIST = buildAllowList();

const INDEX_SCRIPTS = [
  `dash/deps/polyfill@${versionOf('@babel/polyfill')}.min.js`,
  `dash/deps/react@${versionOf('react')}.min.js`,
  `dash/deps/react-dom@${versionOf('react-dom')}.min.js`,
  `dash/deps/prop-types@${versionOf('prop-types')}.min.js`,
  'dash/dash-renderer/build/dash_renderer.min.js',
  'dash/dcc/dash_core_components.js',
  'dash/dcc/dash_core_components-shared.js',
  'dash/html/dash_html_components.min.js',
];

function versionOf(name: string): string {
  for (const asset of ALLOW_LIST.values()) if (asset.pkg.name === name) return asset.pkg.version;
  throw new Error(`${LOCK_FILE} does not pin ${name}`);
}

/** Every servable path (unfingerprinted, relative to `_dash-component-suites/`). */
export function componentSuitePaths(): string[] {
  return [...ALLOW_LIST.keys()];
}

function vendoredPath(asset: Asset): string {
  return path.join(
    vendorDir(),
    ...`${asset.pkg.name}@${asset.pkg.version}`.split('/'),
    ...asset.file.split('/'),
  );
}

const DEV_RENDERER = 'dash/dash-renderer/build/dash_renderer.dev.js';
const indexScripts = new Map<boolean, string[]>();

/**
 * The index page's script paths, relative to the URL prefix, in the order the renderer needs
 * (renderer-notes.md), fingerprinted with the package version and file mtime like Dash.
 */
export function indexScriptPaths(options: { debug?: boolean } = {}): string[] {
  const debug = options.debug ?? false;
  let scripts = indexScripts.get(debug);
  if (!scripts) {
    const urls = debug
      ? INDEX_SCRIPTS.map((url) => (url.includes('/dash_renderer.') ? DEV_RENDERER : url))
      : INDEX_SCRIPTS;
    scripts = urls.map((url) => {
      const asset = ALLOW_LIST.get(url)!;
      let mtime: number;
      try {
        mtime = Math.floor(statSync(vendoredPath(asset)).mtimeMs / 1000);
      } catch {
        throw new FrontendMissingError(`no ${path.relative(PACKAGE_ROOT, vendoredPath(asset))}`);
      }
      return COMPONENT_SUITES + fingerprint(url, asset.pkg.version, mtime);
    });
    indexScripts.set(debug, scripts);
  }
  // Registered third-party suites come last: their bundles read the renderer's dash_component_api.
  return [...scripts, ...suiteScriptPaths()];
}

/** Throws a FrontendMissingError unless every servable file is vendored; for a check at start-up. */
export function assertFrontendVendored(): void {
  for (const asset of ALLOW_LIST.values()) {
    try {
      if (statSync(vendoredPath(asset)).isFile()) continue;
    } catch {
      // reported below
    }
    throw new FrontendMissingError(`no ${path.relative(PACKAGE_ROOT, vendoredPath(asset))}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Serving

let reportedMissing = false;

/** Answers `GET <prefix>_dash-component-suites/<suitePath>`: dash-ts's front end, then registered suites. */
export async function serveComponentSuite(
  suitePath: string,
  ifNoneMatch: string | undefined,
): Promise<Response> {
  const { path: plain, fingerprinted } = stripFingerprint(decodeOnce(suitePath));
  const asset = ALLOW_LIST.get(plain);
  if (!asset) {
    const suiteFile = await serveSuiteFile(plain, fingerprinted, ifNoneMatch);
    return (
      suiteFile ?? jsonResponse(404, { message: `no such component suite file: ${suitePath.slice(0, 200)}` })
    );
  }
  let file: LoadedFile;
  try {
    file = await loadOnce(
      vendoredPath(asset),
      () => new FrontendMissingError(`no ${path.relative(PACKAGE_ROOT, vendoredPath(asset))}`),
    );
  } catch (error) {
    if (!(error instanceof FrontendMissingError)) throw error;
    // The details (server paths) go to the log, once; the browser gets the remedy only.
    if (!reportedMissing) consoleLogger.error(error.message);
    reportedMissing = true;
    return jsonResponse(500, {
      message: 'the Dash front-end files are missing on the server (its log says why and what to do)',
    });
  }
  return fileResponse(file, plain, fingerprinted, ifNoneMatch);
}

// ---------------------------------------------------------------------------------------------------
// Favicon

let favicon: Uint8Array<ArrayBuffer> | undefined;

/** `/_favicon.ico`: a 16x16 icon drawn here, so the app needs no asset of its own. */
export function faviconResponse(): Response {
  favicon ??= buildFavicon();
  return new Response(favicon, {
    status: 200,
    headers: { 'Content-Type': 'image/x-icon', 'Cache-Control': 'public, max-age=31536000' },
  });
}

/**
 * An ICO holding one 32-bit BMP: a blue rounded square with a white dash across it.
 * Layout: ICONDIR (6 bytes), one ICONDIRENTRY (16), BITMAPINFOHEADER (40), BGRA pixels bottom-up
 * (16*16*4), then the 1-bit AND mask (16 rows of 4 bytes; all zero since alpha carries transparency).
 */
function buildFavicon(): Uint8Array<ArrayBuffer> {
  const size = 16;
  const pixelBytes = size * size * 4;
  const maskBytes = size * 4;
  const imageBytes = 40 + pixelBytes + maskBytes;
  const out = new Uint8Array(6 + 16 + imageBytes);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0, true); // reserved
  view.setUint16(2, 1, true); // type: icon
  view.setUint16(4, 1, true); // one image
  out[6] = size; // width
  out[7] = size; // height
  view.setUint16(10, 1, true); // colour planes
  view.setUint16(12, 32, true); // bits per pixel
  view.setUint32(14, imageBytes, true);
  view.setUint32(18, 22, true); // image offset
  const bmp = 22;
  view.setUint32(bmp, 40, true); // header size
  view.setInt32(bmp + 4, size, true);
  view.setInt32(bmp + 8, size * 2, true); // ICO bitmaps count the AND mask in the height
  view.setUint16(bmp + 12, 1, true);
  view.setUint16(bmp + 14, 32, true);
  view.setUint32(bmp + 20, pixelBytes + maskBytes, true);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const corner = Math.min(x, size - 1 - x) + Math.min(y, size - 1 - y) < 2;
      const dash = y >= 7 && y <= 8 && x >= 4 && x <= 11;
      // Rows are stored bottom-up.
      const at = bmp + 40 + ((size - 1 - y) * size + x) * 4;
      if (corner) continue; // fully transparent
      const [r, g, b] = dash ? [255, 255, 255] : [17, 157, 255];
      out[at] = b;
      out[at + 1] = g;
      out[at + 2] = r;
      out[at + 3] = 255;
    }
  }
  return out;
}
