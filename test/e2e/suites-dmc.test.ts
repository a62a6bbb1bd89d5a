/**
 * dash_mantine_components from npm in the real renderer: its bundle loads after the renderer, its
 * components render inside MantineProvider with Mantine's CSS, a callback round-trips, and a lazy
 * chunk is fetched from the package in node_modules, fingerprinted and cached. No console errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { app } from '../apps/dmc.ts';
import { launchBrowser, openApp, waitForText } from '../support/browser.ts';

describe('dash_mantine_components', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('renders inside MantineProvider, runs a callback and loads a lazy chunk', async (t) => {
    const opened = await openApp(browser, app);
    t.after(() => opened.close());
    const { page, problems } = opened;

    await waitForText(page, '#title', 'Mantine in dash-ts');
    // Mantine styles its own elements: the provider's CSS variables reach the button.
    const button = page.locator('#greet');
    await button.waitFor();
    assert.match((await button.getAttribute('class')) ?? '', /mantine-Button-root/);
    const radius = await button.evaluate((el) => getComputedStyle(el).borderTopLeftRadius);
    assert.notEqual(radius, '0px', 'Mantine CSS gives the button rounded corners');

    await page.locator('#name').fill('Grace');
    await button.click();
    await waitForText(page, '#greeting', 'Hello Grace (1)');

    // The lazy chunk arrived and its component rendered the highlighted code.
    await page.waitForFunction(
      () => document.querySelector('#code')?.textContent?.includes('answer'),
      undefined,
      {
        timeout: 15_000,
      },
    );
    const fetched = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((entry) => entry.name),
    );
    const suiteFiles = fetched.filter((url) =>
      url.includes('/_dash-component-suites/dash_mantine_components/'),
    );
    assert.ok(
      suiteFiles.some((url) => /\/dash_mantine_components\.v2_2_0m\d+\.js$/.test(url)),
      `the main bundle loads fingerprinted (saw ${suiteFiles.join(', ')})`,
    );
    const chunk = suiteFiles.find((url) => /\/async-CodeHighlight(\.v[\w]+m\d+)?\.js$/.test(url));
    assert.ok(chunk, `the CodeHighlight chunk was fetched lazily (saw ${suiteFiles.join(', ')})`);
    assert.ok(
      !suiteFiles.some((url) => url.includes('async-RichTextEditor')),
      'chunks not rendered stay unloaded',
    );
    const again = await page.request.get(chunk);
    assert.equal(again.status(), 200);
    assert.match(again.headers()['content-type'] ?? '', /^text\/javascript/);

    assert.deepEqual(problems, []);
  });
});
