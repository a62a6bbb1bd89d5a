#!/usr/bin/env node
// Vendors the Dash front end (renderer, component bundles, React, plotly.js) into vendor/frontend/.
//
// Runs as the repository's `prepare` step (npm install in a checkout) and before `npm pack`: the published
// package ships vendor/frontend/ and runs no install script. The dash-* npm packages declare their whole build toolchain as
// runtime dependencies (hundreds of MB), so we do not depend on them; instead each tarball pinned in
// frontend.lock.json is fetched with `npm pack` (which honours the user's registry, proxy and cache
// settings), checked against the pinned sha512, and only the listed runtime files are kept.
//
// Each package lands in vendor/frontend/<name>@<version>/ together with a marker file; a package
// whose marker matches the lock and whose files exist is skipped, so a re-run is a cheap no-op.
// Packages are extracted into a staging folder next to their destination and renamed into place,
// so an interrupted run never leaves a half-filled package folder that looks complete.
//
// Set DASH_TS_SKIP_VENDOR=1 to skip (e.g. offline type-checking); the server then cannot serve pages.
// No dependencies: this runs before anything else is guaranteed to be installed.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOCK_PATH = path.join(ROOT, 'frontend.lock.json');
const VENDOR_DIR = path.join(ROOT, 'vendor', 'frontend');
const MARKER = '.vendored.json';
const PREFIX = 'dash-ts:';
// Leftovers of a crashed run are removed only once they are clearly not another run's work in progress.
const STALE_MS = 30 * 60 * 1000;

class VendorError extends Error {}

function main() {
  const started = performance.now();
  if (process.env.DASH_TS_SKIP_VENDOR && process.env.DASH_TS_SKIP_VENDOR !== '0') {
    console.log(`${PREFIX} DASH_TS_SKIP_VENDOR is set, not vendoring the front end (pages will not load)`);
    return;
  }
  const lock = readLock();
  const missing = lock.packages.filter((pkg) => !isVendored(pkg));

  if (missing.length > 0) {
    fs.mkdirSync(VENDOR_DIR, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dash-ts-vendor-'));
    try {
      const tarballs = npmPack(missing, tmp);
      for (const pkg of missing) {
        const tarball = tarballs.get(specOf(pkg));
        if (!tarball) throw new VendorError(`npm pack did not produce a tarball for ${specOf(pkg)}`);
        verifyIntegrity(pkg, tarball);
        const bytes = install(pkg, tarball);
        console.log(
          `${PREFIX} vendored ${specOf(pkg)} (${plural(pkg.files.length, 'file')}, ${formatSize(bytes)})`,
        );
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  prune(lock);

  const total = lock.packages.reduce((sum, pkg) => sum + vendoredSize(pkg), 0);
  const where = path.relative(process.cwd(), VENDOR_DIR) || '.';
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (missing.length === 0) {
    console.log(
      `${PREFIX} front end already vendored (${plural(lock.packages.length, 'package')}, ${formatSize(total)})`,
    );
  } else {
    console.log(
      `${PREFIX} front end ready: ${plural(lock.packages.length, 'package')}, ${formatSize(total)} in ${where} (${seconds} s)`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Lock file

function readLock() {
  let lock;
  try {
    lock = JSON.parse(fs.readFileSync(LOCK_PATH, 'utf8'));
  } catch (error) {
    throw new VendorError(`cannot read ${LOCK_PATH}: ${error.message}`);
  }
  if (!lock || !Array.isArray(lock.packages) || lock.packages.length === 0) {
    throw new VendorError(`${LOCK_PATH}: expected a non-empty "packages" array`);
  }
  const seen = new Set();
  for (const pkg of lock.packages) {
    const label = `${LOCK_PATH}: package ${JSON.stringify(pkg?.name)}`;
    if (typeof pkg?.name !== 'string' || !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/.test(pkg.name)) {
      throw new VendorError(`${label}: invalid name`);
    }
    // Only exact versions: a range would make the integrity pin meaningless.
    if (typeof pkg.version !== 'string' || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(pkg.version)) {
      throw new VendorError(
        `${label}: "version" must be an exact version, got ${JSON.stringify(pkg.version)}`,
      );
    }
    if (typeof pkg.integrity !== 'string' || !/^sha512-[A-Za-z0-9+/]+=*$/.test(pkg.integrity)) {
      throw new VendorError(
        `${label}: "integrity" must be a sha512-... value (npm view <pkg>@<version> dist.integrity)`,
      );
    }
    if (!Array.isArray(pkg.files) || pkg.files.length === 0 || !pkg.files.every(isSafeRelativePath)) {
      throw new VendorError(
        `${label}: "files" must be a non-empty list of relative paths inside the package`,
      );
    }
    if (seen.has(pkg.name)) throw new VendorError(`${label}: listed twice`);
    seen.add(pkg.name);
  }
  return lock;
}

function isSafeRelativePath(file) {
  return (
    typeof file === 'string' &&
    file.length > 0 &&
    !file.startsWith('/') &&
    !file.includes('\\') &&
    file.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
  );
}

function specOf(pkg) {
  return `${pkg.name}@${pkg.version}`;
}

function packageDir(pkg) {
  return path.join(VENDOR_DIR, ...specOf(pkg).split('/'));
}

// ---------------------------------------------------------------------------------------------------
// Up-to-date check (the fast path: no child processes, a handful of stat calls)

function isVendored(pkg) {
  const dir = packageDir(pkg);
  let marker;
  try {
    marker = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8'));
  } catch {
    return false;
  }
  if (marker.integrity !== pkg.integrity || JSON.stringify(marker.files) !== JSON.stringify(pkg.files)) {
    return false;
  }
  return pkg.files.every((file) => {
    try {
      return fs.statSync(path.join(dir, file)).isFile();
    } catch {
      return false;
    }
  });
}

function vendoredSize(pkg) {
  const dir = packageDir(pkg);
  let total = 0;
  for (const file of pkg.files) {
    try {
      total += fs.statSync(path.join(dir, file)).size;
    } catch {
      // Only reachable if something deleted files mid-run; the total is informational.
    }
  }
  return total;
}

// ---------------------------------------------------------------------------------------------------
// Fetching

function npmPack(packages, cwd) {
  const npm = npmCommand();
  const specs = packages.map(specOf);
  // One npm process for all tarballs: npm's own start-up dominates the cost of a small fetch.
  const args = [...npm.args, 'pack', ...specs, '--pack-destination', cwd, '--json', '--ignore-scripts'];
  const env = { ...process.env };
  // Settings inherited from the surrounding `npm install` that would change what `npm pack` does.
  for (const key of Object.keys(env)) {
    if (/^npm_config_(dry_run|workspaces?|include_workspace_root|json|pack_destination)$/i.test(key)) {
      delete env[key];
    }
  }
  const result = spawnSync(npm.command, args, {
    cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 15 * 60 * 1000,
    shell: npm.shell,
    windowsHide: true,
  });
  if (result.error) {
    throw new VendorError(`could not run npm pack (${npm.command}): ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new VendorError(
      `npm pack ${specs.join(' ')} failed (exit ${result.status ?? result.signal}).\n` +
        `${npmErrorSummary(result.stderr)}\n` +
        'The front-end files are fetched from the npm registry at install time; check network access and ' +
        'your npm registry settings, then run `npm install` again.',
    );
  }
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    throw new VendorError(`npm pack printed something other than JSON:\n${result.stdout.slice(0, 2000)}`);
  }
  const tarballs = new Map();
  for (const entry of Array.isArray(report) ? report : []) {
    if (typeof entry?.filename !== 'string') continue;
    const file = path.join(cwd, path.basename(entry.filename));
    if (fs.existsSync(file)) tarballs.set(`${entry.name}@${entry.version}`, file);
  }
  return tarballs;
}

function npmCommand() {
  // Inside `npm install`, reuse the very npm that is running us (same version, same config).
  const execPath = process.env.npm_execpath;
  if (execPath && /npm-cli\.[cm]?js$/.test(execPath)) {
    return { command: process.execPath, args: [execPath], shell: false };
  }
  const windows = process.platform === 'win32';
  return { command: windows ? 'npm.cmd' : 'npm', args: [], shell: windows };
}

function npmErrorSummary(stderr) {
  const lines = (stderr ?? '').split(/\r?\n/).filter((line) => line.trim() !== '');
  const errors = lines.filter((line) => /^npm (error|ERR!)/.test(line));
  return (errors.length > 0 ? errors : lines).slice(-20).join('\n');
}

function verifyIntegrity(pkg, tarball) {
  const actual = `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
  if (actual !== pkg.integrity) {
    throw new VendorError(
      `integrity mismatch for ${specOf(pkg)}; refusing to install it.\n` +
        `  expected (frontend.lock.json): ${pkg.integrity}\n` +
        `  actual (downloaded tarball):   ${actual}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Extraction

function install(pkg, tarball) {
  const dest = packageDir(pkg);
  const parent = path.dirname(dest);
  fs.mkdirSync(parent, { recursive: true });
  // Staging sits next to the destination so the final rename stays on one filesystem (atomic).
  const staging = fs.mkdtempSync(path.join(parent, '.staging-'));
  try {
    const entries = tarEntries(pkg, tarball);
    tar(['-xzf', tarball, '-C', staging, '--strip-components=1', '--no-same-owner', ...entries.values()]);
    let bytes = 0;
    for (const file of pkg.files) {
      let stat;
      try {
        stat = fs.lstatSync(path.join(staging, file));
      } catch {
        throw new VendorError(`${specOf(pkg)}: ${file} was not extracted from ${path.basename(tarball)}`);
      }
      if (!stat.isFile())
        throw new VendorError(`${specOf(pkg)}: ${file} is not a regular file in the tarball`);
      bytes += stat.size;
    }
    const marker = { name: pkg.name, version: pkg.version, integrity: pkg.integrity, files: pkg.files };
    fs.writeFileSync(path.join(staging, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    swapInto(staging, dest, pkg);
    return bytes;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Maps each wanted file to its entry name in the tarball (normally `package/<file>`). */
function tarEntries(pkg, tarball) {
  const listing = tar(['-tzf', tarball]).split(/\r?\n/).filter(Boolean);
  const byRelative = new Map();
  for (const entry of listing) {
    const parts = entry.replace(/^\.\//, '').split('/');
    if (parts.length < 2) continue;
    byRelative.set(parts.slice(1).join('/'), entry);
  }
  const wanted = new Map();
  for (const file of pkg.files) {
    const entry = byRelative.get(file);
    if (!entry) {
      throw new VendorError(
        `${specOf(pkg)}: the tarball has no file "${file}" (is frontend.lock.json listing the right files?)`,
      );
    }
    wanted.set(file, entry);
  }
  return wanted;
}

function tar(args) {
  const result = spawnSync('tar', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, windowsHide: true });
  if (result.error) throw new VendorError(`could not run tar: ${result.error.message} (is tar installed?)`);
  if (result.status !== 0) {
    throw new VendorError(`tar ${args.join(' ')} failed (exit ${result.status}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

function swapInto(staging, dest, pkg) {
  let trash;
  if (fs.existsSync(dest)) {
    trash = `${path.join(path.dirname(dest), '.trash-')}${process.pid}-${Date.now()}`;
    fs.renameSync(dest, trash);
  }
  try {
    fs.renameSync(staging, dest);
  } catch (error) {
    // A concurrent install may have put a complete copy there first; that is as good as ours.
    if (!isVendored(pkg)) throw new VendorError(`cannot move ${specOf(pkg)} into ${dest}: ${error.message}`);
  } finally {
    if (trash) fs.rmSync(trash, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// Housekeeping

/** Removes package folders we vendored earlier for versions no longer in the lock, and crash debris. */
function prune(lock) {
  const wanted = new Set(lock.packages.map(packageDir));
  const visit = (dir, depth) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith('.staging-') || entry.name.startsWith('.trash-')) {
        if (Date.now() - fs.statSync(full).mtimeMs > STALE_MS)
          fs.rmSync(full, { recursive: true, force: true });
      } else if (entry.name.startsWith('@') && depth === 0) {
        visit(full, 1);
      } else if (!wanted.has(full) && fs.existsSync(path.join(full, MARKER))) {
        fs.rmSync(full, { recursive: true, force: true });
        console.log(`${PREFIX} removed outdated ${path.relative(VENDOR_DIR, full)}`);
      }
    }
  };
  visit(VENDOR_DIR, 0);
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function formatSize(bytes) {
  return bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} MB`
    : `${(bytes / 1024).toFixed(0)} kB`;
}

try {
  main();
} catch (error) {
  if (error instanceof VendorError) {
    console.error(`${PREFIX} vendoring the front end failed: ${error.message}`);
  } else {
    console.error(`${PREFIX} vendoring the front end failed unexpectedly:`, error);
  }
  process.exit(1);
}
