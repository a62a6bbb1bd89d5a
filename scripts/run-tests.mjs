// Runs every *.test.ts under the given folders with Node's test runner, TypeScript through tsx.
// (Node 20's --test takes no globs, so the files are listed here.) First it finds the Chromium the
// browser tests drive (test/support/chromium.ts: CHROMIUM_PATH, the system's, else the npm
// package's, unpacked once), says which, and hands it to every test file as CHROMIUM_PATH.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function testFiles(dir) {
  if (!statSync(dir).isDirectory()) return [dir];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return testFiles(path);
      return name.endsWith('.test.ts') ? [path] : [];
    });
}

const roots = process.argv.slice(2);
const files = (roots.length ? roots : ['test']).flatMap(testFiles);
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const browser = await testBrowser();
// Shared by this run's test processes (e.g. the packaging tests' one `npm pack`), removed after.
const runDir = mkdtempSync(join(tmpdir(), 'dash-ts-test-run-'));
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  {
    stdio: 'inherit', // Errors stay visible, so a failure in CI shows the server side of it too.
    env: { DASH_TS_LOG: 'error', ...process.env, ...browser, DASH_TS_TEST_RUN_DIR: runDir },
  },
);
rmSync(runDir, { recursive: true, force: true });
process.exit(result.status ?? 1);

/** `{ CHROMIUM_PATH }` for the test files, once printed; none (and why, printed) if there is none. */
async function testBrowser() {
  const { tsImport } = await import('tsx/esm/api');
  const { findChromium, describeChromium } = await tsImport('../test/support/chromium.ts', import.meta.url);
  try {
    const found = await findChromium();
    console.log(`browser: ${await describeChromium(found)}`);
    return { CHROMIUM_PATH: found.path };
  } catch (error) {
    // Only the browser tests need one; they fail with this same message.
    console.log(`browser: none. ${error.message}`);
    return {};
  }
}
