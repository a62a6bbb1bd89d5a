/**
 * dash-table from npm in the real renderer: DataTable (its lazy table chunk served from
 * node_modules) sorted and filtered natively in the page, and a cell edit whose new data reaches a
 * callback on the server. No console errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { app } from '../apps/datatable.ts';
import { launchBrowser, openApp, waitForText } from '../support/browser.ts';

function cityColumn(page: Page): Promise<string[]> {
  return page.locator('#table td[data-dash-column="city"]').allTextContents();
}

describe('dash-table DataTable', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('edits reach a callback; sorting and filtering work natively', async (t) => {
    const opened = await openApp(browser, app);
    t.after(() => opened.close());
    const { page, problems } = opened;

    await waitForText(page, '#total', 'total 5779');
    await page.locator('#table td[data-dash-column="city"]').first().waitFor({ timeout: 15_000 });
    assert.deepEqual(await cityColumn(page), ['Lisbon', 'Oslo', 'Accra', 'Quito']);

    // Edit Lisbon's population: the table's new `data` goes to the server callback.
    await page.locator('#table td[data-dash-column="population"]').first().click();
    await page.keyboard.type('1000');
    await page.keyboard.press('Enter');
    await waitForText(page, '#total', 'total 6234');

    // Native sort: ascending by city, in the browser.
    await page.locator('#table th[data-dash-column="city"] .column-header--sort').click();
    await page.waitForFunction(
      () => document.querySelector('#table td[data-dash-column="city"]')?.textContent === 'Accra',
    );
    assert.deepEqual(await cityColumn(page), ['Accra', 'Lisbon', 'Oslo', 'Quito']);

    // Native filter: population above 900 (Lisbon now 1000).
    const filter = page.locator('#table th.dash-filter[data-dash-column="population"] input[type="text"]');
    await filter.fill('> 900');
    await filter.press('Enter');
    await page.waitForFunction(
      () => document.querySelectorAll('#table td[data-dash-column="city"]').length === 3,
    );
    assert.deepEqual(await cityColumn(page), ['Accra', 'Lisbon', 'Quito']);

    assert.deepEqual(problems, []);
  });
});
