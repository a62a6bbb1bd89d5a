/**
 * The dev loop in Chromium: `dash-ts run --watch` restarts the server when the app's source
 * changes and the open page refreshes itself through Dash's `_reload-hash` (layout and callbacks
 * in place); a changed assets stylesheet is swapped without a reload; a changed assets script
 * reloads the page; a broken edit waits for the next one.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, waitForText } from '../support/browser.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INDEX = join(ROOT, 'src', 'index.ts');

function appSource(message: string, extra = ''): string {
  return `import { Dash, html, dcc, Input, Output } from ${JSON.stringify(INDEX)};
import { suffix } from './helper.ts';
export const app = new Dash({ title: 'watched' });
app.layout = html.Div({ children: [
  html.Div({ id: 'msg', children: ${JSON.stringify(message)} + suffix }),
  dcc.Input({ id: 'in', value: 'a' }),
  html.Div({ id: 'out' }),
] });
app.callback({ output: Output('out', 'children'), inputs: [Input('in', 'value')] }, (v: string) => ${JSON.stringify(message)} + ':' + v);
${extra}
`;
}

describe('dash-ts run --watch in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-watch-'));
  let child: ChildProcess;
  let output = '';
  let url = '';
  let browser: Browser;
  let page: Page;

  const waitForOutput = async (pattern: RegExp, timeout = 20_000): Promise<RegExpExecArray> => {
    const started = Date.now();
    for (;;) {
      const match = pattern.exec(output);
      if (match) return match;
      if (Date.now() - started > timeout) throw new Error(`no ${pattern} in output:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const marker = () => page.evaluate(() => (window as unknown as { marker?: number }).marker ?? null);

  before(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'helper.ts'), "export const suffix = '!';\n");
    writeFileSync(join(dir, 'assets', 'style.css'), '#msg { color: rgb(255, 0, 0); }\n');
    writeFileSync(join(dir, 'app.ts'), appSource('version one'));
    child = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'dash-ts.js'), 'run', 'app.ts', '--watch', '--port', '0'],
      {
        cwd: dir,
        env: { ...process.env, DASH_TS_LOG: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    url = (await waitForOutput(/serving .* on (http:\/\/\S+)/))[1]!;
    browser = await launchBrowser();
    page = await browser.newPage();
    // The renderer takes its first `_reload-hash` answer as the baseline (as in Dash): edits start after it.
    const baseline = page.waitForResponse((r) => r.url().endsWith('/_reload-hash'), { timeout: 15_000 });
    await page.goto(url);
    await waitForText(page, '#msg', 'version one!');
    await baseline;
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 1;
    });
  });

  after(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('the page shows an edit of the app module without a manual reload, on the same port', async () => {
    writeFileSync(join(dir, 'app.ts'), appSource('version two'));
    await waitForText(page, '#msg', 'version two!', 30_000);
    await waitForText(page, '#out', 'version two:a');
    // Dash's soft reload: layout and callbacks were fetched again, the page itself stayed.
    assert.equal(await marker(), 1);
    assert.match(output, /app\.ts changed; restarting/);
    assert.equal(output.match(/serving .* on (http:\/\/\S+)/g)!.at(-1), `serving watched on ${url}`);
  });

  it('an edit of a module the app imports restarts it too', async () => {
    writeFileSync(join(dir, 'helper.ts'), "export const suffix = '?';\n");
    await waitForText(page, '#msg', 'version two?', 30_000);
  });

  it('a changed stylesheet in assets is swapped in place, without a restart', async () => {
    const restarts = output.match(/restarting/g)!.length;
    const color = () => page.evaluate(() => getComputedStyle(document.getElementById('msg')!).color);
    assert.equal(await color(), 'rgb(255, 0, 0)');
    writeFileSync(join(dir, 'assets', 'style.css'), '#msg { color: rgb(0, 0, 255); }\n');
    await page.waitForFunction(
      () => getComputedStyle(document.getElementById('msg')!).color === 'rgb(0, 0, 255)',
      undefined,
      {
        timeout: 20_000,
      },
    );
    assert.equal(await marker(), 1);
    assert.equal(output.match(/restarting/g)!.length, restarts);
  });

  it('a new script in assets reloads the page, which then runs it', async () => {
    writeFileSync(join(dir, 'assets', 'extra.js'), 'window.extraLoaded = true;\n');
    await page.waitForFunction(
      () => (window as unknown as { extraLoaded?: boolean }).extraLoaded === true,
      undefined,
      {
        timeout: 20_000,
      },
    );
    assert.equal(await marker(), null);
  });

  it('a broken edit leaves the loop waiting; the next good edit serves again', async () => {
    // The reloaded page's baseline first (see before()).
    await page.waitForResponse((r) => r.url().endsWith('/_reload-hash'), { timeout: 15_000 });
    writeFileSync(join(dir, 'app.ts'), 'export const app = ;\n');
    await waitForOutput(/the app exited \(code 1\); waiting for a change/, 30_000);
    writeFileSync(join(dir, 'app.ts'), appSource('version three'));
    await waitForText(page, '#msg', 'version three?', 40_000);
  });
});

describe('an app with debug: true started as `node app.ts` (Dash’s reloader)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-debug-'));
  let child: ChildProcess;
  let output = '';
  let browser: Browser;

  const source = (message: string) => `import { Dash, html } from ${JSON.stringify(INDEX)};
export const app = new Dash({ title: 'debug app', debug: true });
app.layout = html.Div({ id: 'msg', children: ${JSON.stringify(message)} });
const server = await app.run({ port: 0 });
console.log('run() resolved to ' + server.url);
`;

  before(async () => {
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'app.ts'), source('first'));
    const env: NodeJS.ProcessEnv = { ...process.env, DASH_TS_LOG: 'info' };
    // This test runs under node --test, which the reloader (rightly) never re-executes; the app does not.
    delete env.NODE_TEST_CONTEXT;
    child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), 'app.ts'], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts on an edit and the open page shows it; app.run() in the entry process resolves to the child’s URL', async () => {
    const started = Date.now();
    while (!/run\(\) resolved to (http:\/\/\S+)[\s\S]*run\(\) resolved to/.test(output)) {
      if (Date.now() - started > 30_000) throw new Error(`no start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Both the serving child and the watching entry process report the same URL.
    const urls = [...output.matchAll(/run\(\) resolved to (http:\/\/\S+)/g)].map((m) => m[1]);
    assert.equal(new Set(urls).size, 1);
    assert.match(output, /watching .* for changes/);
    const page = await browser.newPage();
    const baseline = page.waitForResponse((r) => r.url().endsWith('/_reload-hash'), { timeout: 15_000 });
    await page.goto(urls[0]!);
    await waitForText(page, '#msg', 'first');
    await baseline;
    writeFileSync(join(dir, 'app.ts'), source('second'));
    await waitForText(page, '#msg', 'second', 30_000);
  });
});
