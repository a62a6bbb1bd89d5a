/**
 * The order in which the tests' Chromium is found (test/support/chromium.ts): CHROMIUM_PATH, the
 * system's usual paths (replaced here by fake ones through CHROMIUM_SYSTEM_PATHS), then the npm
 * package @sparticuz/chromium, unpacked into the cache folder (the real one, shared by every run
 * on this machine; unpacked by the first).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  chromiumCacheDir,
  describeChromium,
  findChromium,
  SYSTEM_CHROMIUM_PATHS,
  systemChromiumPaths,
} from '../support/chromium.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-chromium-lookup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fakeBrowser(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\necho fake\n', { mode: 0o755 });
  return path;
}

const systemA = fakeBrowser('system-a');
const systemB = fakeBrowser('system-b');
const chosen = fakeBrowser('chosen');
const missing = join(dir, 'not-installed');
/** The environment of a machine whose system paths are `paths`, with nothing else set. */
const machine = (paths: string[], extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  CHROMIUM_PATH: '',
  CHROMIUM_SYSTEM_PATHS: paths.join(':'),
  ...extra,
});

describe('finding the test browser', () => {
  it('1. CHROMIUM_PATH comes first, even with a system Chromium', async () => {
    assert.deepEqual(await findChromium(machine([systemA], { CHROMIUM_PATH: chosen })), {
      path: chosen,
      from: 'CHROMIUM_PATH',
    });
  });

  it('a CHROMIUM_PATH that does not exist is an error naming it, not a fallback', async () => {
    await assert.rejects(findChromium(machine([systemA], { CHROMIUM_PATH: missing })), {
      message: `CHROMIUM_PATH is ${missing}, which does not exist`,
    });
  });

  it("2. else the first of the system's paths that exists", async () => {
    assert.deepEqual(await findChromium(machine([missing, systemB, systemA])), {
      path: systemB,
      from: 'system',
    });
  });

  it('the usual system paths, unless CHROMIUM_SYSTEM_PATHS replaces them (empty: none)', () => {
    const { CHROMIUM_SYSTEM_PATHS: _, ...unset } = process.env;
    assert.deepEqual(systemChromiumPaths(unset), SYSTEM_CHROMIUM_PATHS);
    assert.ok(SYSTEM_CHROMIUM_PATHS.includes('/usr/bin/chromium'));
    assert.deepEqual(systemChromiumPaths({ CHROMIUM_SYSTEM_PATHS: '' }), []);
    assert.deepEqual(systemChromiumPaths({ CHROMIUM_SYSTEM_PATHS: `${systemA}:${systemB}` }), [
      systemA,
      systemB,
    ]);
  });

  it('3. else the npm package, unpacked once into the cache folder outside the checkout', async () => {
    for (const paths of [[], [missing]]) {
      const found = await findChromium(machine(paths));
      assert.equal(found.from, 'npm');
      assert.ok(found.path.startsWith(chromiumCacheDir(machine(paths))), found.path);
      assert.ok(!found.path.startsWith(process.cwd()), 'the cache is outside the checkout');
      assert.ok(statSync(found.path).mode & 0o100, 'the unpacked binary is executable');
      // It runs here, and is the Chromium of the package's version (the package's major is Chromium's).
      const major = found.packageVersion!.split('.')[0];
      assert.ok(
        execFileSync(found.path, ['--version'], { encoding: 'utf8' }).startsWith(`Chromium ${major}.`),
      );
      assert.ok(
        (await describeChromium(found)).endsWith(
          `(the npm package @sparticuz/chromium ${found.packageVersion}, unpacked)`,
        ),
      );
    }
  });
});
