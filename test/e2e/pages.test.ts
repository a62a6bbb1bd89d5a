/**
 * Pages in headless Chromium with the real renderer: dcc.Link navigation without a reload, direct
 * loads of any page URL, path variables and query values, tab titles, the 404 page (default and
 * a registered /404), back/forward, and all of it under a URL prefix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Dash } from '../../src/index.ts';
import { pagesApp } from '../apps/pages-app.ts';
import {
  launchBrowser,
  type OpenedApp,
  openApp,
  waitForIdle,
  waitForText,
  waitForTitle,
} from '../support/browser.ts';

/** Marks the document, to tell a client-side navigation (mark kept) from a reload (mark gone). */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __loadMark: number }).__loadMark = 1;
  });
}

async function stillSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __loadMark?: number }).__loadMark === 1);
}

describe('pages in the real renderer', () => {
  let browser: Browser;
  let opened: OpenedApp | undefined;

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  async function open(app: Dash, path: string): Promise<OpenedApp> {
    opened = await openApp(browser, app, path);
    await waitForIdle(opened.page);
    return opened;
  }
  async function closeOpened(): Promise<void> {
    await opened?.close();
    opened = undefined;
  }

  it('navigates between pages with dcc.Link without reloading; titles, variables and 404 follow', async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(pagesApp(), '/');
    await waitForText(page, '#page-heading', 'Home');
    await waitForTitle(page, 'Home page');
    await markDocument(page);

    await page.click('#link-report');
    await waitForText(page, '#page-heading', 'Report 42');
    await waitForText(page, '#report-tab', 'costs');
    await waitForTitle(page, 'Report 42');
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/reports/42?tab=costs');
    // A callback on a component of this page works.
    await page.locator('#report-note').fill('hi');
    await waitForText(page, '#report-echo', 'note: hi');

    await page.click('#link-about');
    await waitForText(page, '#page-heading', 'About');
    await waitForTitle(page, 'Pages demo');

    await page.click('#link-missing');
    await waitForText(page, '#_pages_content h1', '404 - Page not found');
    await waitForTitle(page, 'Pages demo');

    await page.goBack();
    await waitForText(page, '#page-heading', 'About');
    await page.goBack();
    await waitForText(page, '#page-heading', 'Report 42');
    await waitForTitle(page, 'Report 42');
    assert.ok(await stillSameDocument(page), 'navigation reloaded the page');
    await waitForIdle(page);
    assert.deepEqual(problems, []);
  });

  it('serves a direct load of any page URL: path variables, query values, title', async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(pagesApp(), '/reports/7?tab=risks');
    await waitForText(page, '#page-heading', 'Report 7');
    await waitForText(page, '#report-tab', 'risks');
    await waitForTitle(page, 'Report 7');
    await page.goto(`${opened!.server.url}/nowhere/at/all`);
    await waitForText(page, '#_pages_content h1', '404 - Page not found');
    assert.deepEqual(problems, []);
  });

  it('shows the page registered at /404 for unknown paths', async (t) => {
    t.after(closeOpened);
    const { page } = await open(pagesApp({}, { notFoundPage: true }), '/missing');
    await waitForText(page, '#page-heading', 'Nothing here');
    await waitForTitle(page, 'Lost');
    await page.click('#link-home');
    await waitForText(page, '#page-heading', 'Home');
  });

  it('works under a URL prefix: links, navigation, direct loads', async (t) => {
    t.after(closeOpened);
    const app = pagesApp({ urlBasePathname: '/sales/' });
    const { page, problems } = await open(app, '/sales/reports/5');
    await waitForText(page, '#page-heading', 'Report 5');
    await waitForTitle(page, 'Report 5');
    await markDocument(page);
    assert.equal(await page.locator('#link-about').getAttribute('href'), '/sales/about');
    await page.click('#link-about');
    await waitForText(page, '#page-heading', 'About');
    assert.equal(new URL(page.url()).pathname, '/sales/about');
    await page.click('#link-home');
    await waitForText(page, '#page-heading', 'Home');
    await waitForTitle(page, 'Home page');
    assert.ok(await stillSameDocument(page));
    await waitForIdle(page);
    assert.deepEqual(problems, []);
  });
});
