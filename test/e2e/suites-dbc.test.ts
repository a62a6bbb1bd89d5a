/**
 * dash-bootstrap-components from npm in the real renderer (examples/dbc.ts): Bootstrap's CSS from
 * the npm `bootstrap` package styles the page (a computed style proves it), a dbc.Button drives a
 * callback, and a background job in a pool worker fills a dbc.Progress and returns a dbc.Badge.
 * No console errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { app } from '../../examples/dbc.ts';
import { launchBrowser, openApp, waitForText } from '../support/browser.ts';

describe('dash-bootstrap-components', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('renders styled by Bootstrap; a button callback and a background job with dbc.Progress', async (t) => {
    const opened = await openApp(browser, app);
    t.after(() => opened.close());
    const { page, problems } = opened;

    // Bootstrap 5's primary button colour and navbar layout come only from its stylesheet.
    const submit = page.locator('#submit');
    await submit.waitFor();
    assert.equal(await submit.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(13, 110, 253)');
    assert.equal(await page.locator('nav.navbar').evaluate((el) => getComputedStyle(el).display), 'flex');

    await page.locator('#customer').fill('Grace');
    await submit.click();
    await waitForText(page, '#confirmation', 'Order #1: 3 for Grace.');

    // The background job: progress shows part-way, then the result is a dbc.Badge from the worker.
    const bar = page.locator('#report-progress .progress-bar');
    await page.locator('#report').click();
    await page.waitForFunction(
      () => {
        const now = Number(
          document.querySelector('#report-progress .progress-bar')?.getAttribute('aria-valuenow'),
        );
        return now > 0 && now < 10;
      },
      undefined,
      { timeout: 20_000 },
    );
    await waitForText(page, '#report-result', 'Report #1 is ready.', 20_000);
    // As in Dash, the progress output goes back to progressDefault once the job is over.
    assert.equal(await bar.getAttribute('aria-valuenow'), '0');
    assert.match((await page.locator('#report-badge').getAttribute('class')) ?? '', /\bbadge\b/);
    assert.equal(await page.locator('#report').isDisabled(), false, 'running state ended');

    assert.deepEqual(problems, []);
  });
});
