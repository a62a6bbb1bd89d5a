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

function appSource(message: string): string {
  return `import { Dash, html, dcc, Input, Output } from ${JSON.stringify(INDEX)};
import { suffix } from './helper.ts';
export const app = new Dash({ title: 'watched' });
app.layout = html.Div({ children: [
  html.Div({ id: 'msg', children: ${JSON.stringify(message)} + suffix }),
  dcc.Input({ id: 'in', value: 'a' }),
  html.Div({ id: 'out' }),
] });
app.callback({ output: Output('out', 'children'), inputs: [Input('in', 'value')] }, (v: string) => ${JSON.stringify(message)} + ':' + v);
`;
}

/** A process whose stdout and stderr are kept, to wait for lines in them. */
interface Recorded {
  output(): string;
  waitFor(pattern: RegExp, timeout?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

function spawnRecorded(args: string[], cwd: string, env: NodeJS.ProcessEnv): Recorded {
  const child: ChildProcess = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return {
    output: () => output,
    waitFor: async (pattern, timeout = 20_000) => {
      const started = Date.now();
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (Date.now() - started > timeout) throw new Error(`no ${pattern} in output:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Opens the app and waits for the renderer's first `_reload-hash` answer: its baseline, as in Dash. */
async function openWatched(browser: Browser, url: string, selector: string, text: string): Promise<Page> {
  const page = await browser.newPage();
  const baseline = page.waitForResponse((r) => r.url().endsWith('/_reload-hash'), { timeout: 15_000 });
  await page.goto(url);
  await waitForText(page, selector, text);
  await baseline;
  return page;
}

describe('dash-ts run --watch in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-watch-'));
  let server: Recorded;
  let url = '';
  let browser: Browser;
  let page: Page;
  const output = () => server.output();
  const marker = () => page.evaluate(() => (window as unknown as { marker?: number }).marker ?? null);

  before(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'helper.ts'), "export const suffix = '!';\n");
    writeFileSync(join(dir, 'assets', 'style.css'), '#msg { color: rgb(255, 0, 0); }\n');
    writeFileSync(join(dir, 'app.ts'), appSource('version one'));
    const args = [join(ROOT, 'bin', 'dash-ts.js'), 'run', 'app.ts', '--watch', '--port', '0'];
    server = spawnRecorded(args, dir, { ...process.env, DASH_TS_LOG: 'info' });
    url = (await server.waitFor(/serving .* on (http:\/\/\S+)/))[1]!;
    browser = await launchBrowser();
    page = await openWatched(browser, url, '#msg', 'version one!');
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 1;
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the page shows an edit of the app module without a manual reload, on the same port', async () => {
    writeFileSync(join(dir, 'app.ts'), appSource('version two'));
    await waitForText(page, '#msg', 'version two!', 30_000);
    await waitForText(page, '#out', 'version two:a');
    // Dash's soft reload: layout and callbacks were fetched again, the page itself stayed.
    assert.equal(await marker(), 1);
    assert.match(output(), /app\.ts changed; restarting/);
    assert.equal(
      output()
        .match(/serving .* on (http:\/\/\S+)/g)!
        .at(-1),
      `serving watched on ${url}`,
    );
  });

  it('an edit of a module the app imports restarts it too', async () => {
    writeFileSync(join(dir, 'helper.ts'), "export const suffix = '?';\n");
    await waitForText(page, '#msg', 'version two?', 30_000);
  });

  it('a changed stylesheet in assets is swapped in place, without a restart', async () => {
    const restarts = output().match(/restarting/g)!.length;
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
    assert.equal(output().match(/restarting/g)!.length, restarts);
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
    await server.waitFor(/the app exited \(code 1\); waiting for a change/, 30_000);
    writeFileSync(join(dir, 'app.ts'), appSource('version three'));
    await waitForText(page, '#msg', 'version three?', 40_000);
  });
});

describe('an app with debug: true started as `node app.ts` (Dash’s reloader)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-debug-'));
  let entry: Recorded;
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
    entry = spawnRecorded(['--import', import.meta.resolve('tsx'), 'app.ts'], dir, env);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await entry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts on an edit and the open page shows it; app.run() in the entry process resolves to the child’s URL', async () => {
    await entry.waitFor(/run\(\) resolved to (http:\/\/\S+)[\s\S]*run\(\) resolved to/, 30_000);
    // Both the serving child and the watching entry process report the same URL.
    const urls = [...entry.output().matchAll(/run\(\) resolved to (http:\/\/\S+)/g)].map((m) => m[1]!);
    assert.equal(new Set(urls).size, 1);
    assert.match(entry.output(), /watching .* for changes/);
    const page = await openWatched(browser, urls[0]!, '#msg', 'first');
    writeFileSync(join(dir, 'app.ts'), source('second'));
    await waitForText(page, '#msg', 'second', 30_000);
  });
});
