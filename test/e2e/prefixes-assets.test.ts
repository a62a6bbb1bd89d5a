/**
 * Assets and URL prefixes in Chromium with the real renderer: the app under `/sales/` and the
 * same app behind a small proxy (started here) that strips `/proxy/sales/`. In both, the assets'
 * CSS and JS apply, an ordinary and a background callback with progress run, dcc's lazy graph
 * chunk and plotly.js load, a getRelativePath link navigates without a reload, and every request
 * the browser makes carries the prefix.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Dash, RunningServer } from '../../src/index.ts';
import { launchBrowser, waitForText } from '../support/browser.ts';
import { strippingProxy } from '../support/proxy.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-e2e-prefix-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
const { salesApp, proxiedApp } = (await import('../apps/prefixed.ts')) as {
  salesApp: Dash;
  proxiedApp: Dash;
};

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Visit {
  page: Page;
  requested: string[];
  problems: string[];
}

async function visit(url: string): Promise<Visit> {
  const page = await (await browser.newContext()).newPage();
  const requested: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`http ${r.status()}: ${r.url()}`);
  });
  await page.goto(url);
  await page.waitForSelector('#react-entry-point ._dash-loading', { state: 'detached' });
  return { page, requested, problems };
}

/** What both prefix modes must show; `prefix` is what the browser requests under. */
function behavesUnderPrefix(open: () => Promise<Visit>, prefix: string): void {
  let v: Visit;
  before(async () => {
    v = await open();
  });
  after(() => v?.page.context().close());

  it('applies the assets CSS (sub-folders too) and ran the assets JS after React, before the renderer', async () => {
    await waitForText(v.page, '#greet', 'hello ada');
    const style = await v.page.evaluate(() => ({
      title: getComputedStyle(document.getElementById('title')!).color,
      greet: getComputedStyle(document.getElementById('greet')!).letterSpacing,
    }));
    assert.deepEqual(style, { title: 'rgb(0, 128, 0)', greet: '3px' });
    const saw = await v.page.evaluate(() => {
      const w = window as unknown as {
        assetsSaw: unknown;
        dash_clientside: { assets: { shout(s: string): string } };
      };
      return { saw: w.assetsSaw, shout: w.dash_clientside.assets.shout('x') };
    });
    assert.deepEqual(saw, { saw: { react: 'object', renderer: 'undefined' }, shout: 'X' });
  });

  it('runs an ordinary callback and a background callback with progress', async () => {
    await v.page.fill('#name', 'grace');
    await waitForText(v.page, '#greet', 'hello grace');
    await v.page.click('#run');
    await v.page.waitForFunction(
      () => /^step [123]\/3$/.test(document.getElementById('progress')?.textContent ?? ''),
      undefined,
      {
        timeout: 20_000,
      },
    );
    await waitForText(v.page, '#result', 'done 1', 20_000);
  });

  it("loads dcc's lazy graph chunk and plotly.js, and draws the graph", async () => {
    await v.page.waitForSelector('#graph .main-svg', { timeout: 20_000 });
    assert.ok(v.requested.some((p) => p.startsWith(`${prefix}_dash-component-suites/plotly/`)));
    assert.ok(v.requested.some((p) => /\/dash\/dcc\/async-graph/.test(p)));
  });

  it('navigates a getRelativePath link without a reload', async () => {
    await waitForText(v.page, '#where', 'page: home');
    await v.page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 1;
    });
    assert.equal(await v.page.getAttribute('#link', 'href'), `${prefix}page-2`);
    await v.page.click('#link');
    await waitForText(v.page, '#where', 'page: page-2');
    assert.equal(new URL(v.page.url()).pathname, `${prefix}page-2`);
    assert.equal(await v.page.evaluate(() => (window as unknown as { marker?: number }).marker), 1);
  });

  it('made every request under the prefix, and none failed', () => {
    assert.ok(v.requested.length > 10);
    assert.deepEqual(
      v.requested.filter((p) => !p.startsWith(prefix)),
      [],
    );
    assert.deepEqual(v.problems, []);
  });
}

describe('the app under /sales/ (urlBasePathname)', () => {
  let server: RunningServer;
  before(async () => {
    server = await salesApp.run({ port: 0, host: '127.0.0.1' });
  });
  after(() => server?.close());

  behavesUnderPrefix(() => visit(`${server.url}/sales/`), '/sales/');
});

describe('the app behind a proxy that strips /proxy/sales/ (requestsPathnamePrefix)', () => {
  let server: RunningServer;
  let proxy: Awaited<ReturnType<typeof strippingProxy>>;
  before(async () => {
    server = await proxiedApp.run({ port: 0, host: '127.0.0.1' });
    proxy = await strippingProxy('/proxy/sales/', new URL(server.url));
  });
  after(async () => {
    proxy?.server.closeAllConnections();
    await new Promise((r) => proxy?.server.close(r));
    await server?.close();
  });

  behavesUnderPrefix(() => visit(`${proxy.url}/proxy/sales/`), '/proxy/sales/');

  it('the proxy saw nothing outside its prefix', () => {
    assert.ok(proxy.seen.length > 10);
    assert.deepEqual(
      proxy.seen.filter((p) => !p.startsWith('/proxy/sales/')),
      [],
    );
  });
});
