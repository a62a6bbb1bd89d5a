/**
 * examples/pages-demo.ts in headless Chromium: its asset CSS and clientside library apply, Patch
 * grows the chart and the log, clientside callbacks run without requests, and pages navigate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { app } from '../../examples/pages-demo.ts';
import { openSharedPage, type SharedPage, waitForIdle, waitForText } from '../support/browser.ts';

describe('examples/pages-demo.ts', () => {
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
    const sizes: number[] = [];
    page.on('response', async (response) => {
      if (response.url().includes('/_dash-update-component')) sizes.push((await response.body()).length);
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
});
