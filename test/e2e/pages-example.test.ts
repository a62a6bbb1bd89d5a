/**
 * examples/pages-demo/ (app.ts and its pages folder) in headless Chromium: its asset CSS and clientside library apply, Patch
 * grows the chart and the log, clientside callbacks run without requests, and pages navigate;
 * then all of it again as deployed behind a reverse proxy that strips a path prefix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { app } from '../../examples/pages-demo/app.ts';
import {
  launchBrowser,
  openSharedPage,
  type SharedPage,
  waitForIdle,
  waitForText,
} from '../support/browser.ts';
import { strippingProxy } from '../support/proxy.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';

describe('examples/pages-demo/ (app.ts and its pages folder)', () => {
  let opened: SharedPage;
  /** Every callback request the page sends, as `output` ids. */
  let requests: string[] = [];

  before(async () => {
    opened = await openSharedPage(app);
    requests = opened.requests;
  });

  after(async () => {
    await opened?.closeAll();
  });

  it('styles the page from its assets folder', async () => {
    const background = await opened.page.$eval('.topnav', (nav) => getComputedStyle(nav).backgroundColor);
    assert.equal(background, 'rgb(31, 58, 95)');
  });

  it('adds hours with Patch: small answers, chart and log grow', async () => {
    const { page } = opened;
    await page.waitForSelector('#overview-chart .main-svg', { timeout: 20_000 });
    // The sizes are read when the answers are in, not when the page went idle: a body read may
    // still be under way then.
    const bodySizes: Promise<number>[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/_dash-update-component'))
        bodySizes.push(response.body().then((body) => body.length));
    });
    await page.click('#add-hour');
    await waitForText(page, '#log li:last-child', 'hour 1 recorded');
    await page.click('#add-hour');
    await waitForText(page, '#log li:last-child', 'hour 2 recorded');
    await page.waitForFunction(
      () => document.querySelector('#overview-chart .gtitle')?.textContent === 'Hour 2',
    );
    const points = await page.$$eval('#overview-chart .scatterlayer .trace', (traces) =>
      traces.map((trace) => trace.querySelectorAll('.point').length),
    );
    assert.deepEqual(points, [3, 3, 3]);
    await waitForIdle(page);
    const sizes = await Promise.all(bodySizes);
    assert.equal(sizes.length, 2);
    // Six points, a title and a log line: a few hundred bytes whatever the figure and log hold.
    for (const size of sizes) assert.ok(size < 1200, `an answer of ${size} bytes`);
  });

  it('navigates to a station page; its clientside callbacks run without requests', async () => {
    const { page } = opened;
    await page.getByRole('link', { name: 'harbour' }).click();
    await waitForText(page, '#station-name', 'Station harbour');
    await waitForText(page, '#station-summary', '48 hours, max 19.7 °C');
    await page.waitForFunction(() => document.title === 'Station harbour');
    await waitForIdle(page);
    const before = requests.length;
    await page.locator('#station-note').pressSequentially('windy', { delay: 20 });
    await waitForText(page, '#station-note-count', '5 / 140 characters');
    await waitForText(page, '#station-note-preview', 'harbour: windy');
    assert.equal(requests.length, before, 'typing sent requests');
  });

  it('serves a station URL directly', async () => {
    const { page } = opened;
    await page.goto(`${opened.server.url}/stations/airport?hours=12`);
    await waitForText(page, '#station-name', 'Station airport');
    await waitForText(page, '#station-summary', '12 hours, max 22.4 °C');
    assert.equal(await page.title(), 'Station airport');
    assert.deepEqual(opened.problems, []);
  });

  it("gives link previews the page's description and the logo in its assets folder", async () => {
    const url = `${opened.server.url}/stations/airport?hours=12`;
    const head = (await (await fetch(url)).text()).split('<title>')[0]!;
    assert.ok(head.includes('<meta name="description" content="Readings of one station">'), head);
    assert.ok(
      head.includes(`<meta property="og:image" content="${opened.server.url}/assets/logo.svg">`),
      head,
    );
    assert.ok(head.includes(`<meta property="twitter:url" content="${url}">`), head);
  });
});

describe('examples/pages-demo/ (app.ts and its pages folder) behind a proxy that strips /proxy/monitor/', () => {
  const prefix = '/proxy/monitor/';
  let server: ServerProcess;
  let proxy: Awaited<ReturnType<typeof strippingProxy>>;
  let browser: Browser;

  before(async () => {
    // Deployed as users do: `dash-ts run` with the requests prefix from the environment.
    server = await startServerProcess('examples/pages-demo/app.ts', {
      DASH_REQUESTS_PATHNAME_PREFIX: prefix,
    });
    proxy = await strippingProxy(prefix, new URL(server.url));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    proxy?.server.closeAllConnections();
    await new Promise((resolve) => proxy?.server.close(resolve));
    await server?.stop();
  });

  it('loads a page directly, styles it, runs clientside and Patch, navigates: all under the prefix', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${proxy.url}${prefix}stations/north?hours=5`);
    await waitForText(page, '#station-name', 'Station north');
    assert.equal(await page.title(), 'Station north');
    assert.equal(
      await page.$eval('.topnav', (nav) => getComputedStyle(nav).backgroundColor),
      'rgb(31, 58, 95)',
    );
    await page.locator('#station-note').pressSequentially('ok', { delay: 20 });
    await waitForText(page, '#station-note-count', '2 / 140 characters');

    assert.equal(await page.getByRole('link', { name: 'Overview' }).getAttribute('href'), prefix);
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForSelector('#add-hour');
    await page.click('#add-hour');
    await waitForText(page, '#log li:last-child', 'hour 1 recorded');
    assert.equal(new URL(page.url()).pathname, prefix);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      proxy.seen.filter((path) => !path.startsWith(prefix)),
      [],
      'the browser requested something outside the prefix',
    );
  });
});
