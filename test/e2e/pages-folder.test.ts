/**
 * Dash's multi-page tests (tests/integration/multi_page: test_pala001, test_pala005,
 * test_pare001/002) in headless Chromium against test/apps/multi-page, whose page modules come
 * from its `pages/` folder; and a background callback defined in a page module, run by the
 * SqliteManager's worker processes (which import the app module and, through it, its pages).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openApp, waitForIdle, waitForText, waitForTitle } from '../support/browser.ts';
import { runPageModuleJob } from './page-module-job.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-pages-folder-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
const { multiPageApp, routingInputsApp } = await import('../apps/multi-page/app.ts');

describe('a pages folder in the real renderer', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("test_pala001: every page by its link, titles, redirects, a page module's callback, query, path variables, 404", async (t) => {
    const app = multiPageApp();
    const pages = await app.pagesReady();
    const opened = await openApp(browser, app, '/');
    t.after(() => opened.close());
    const { page, problems } = opened;
    const base = opened.server.url;
    for (const entry of pages) {
      await page.click(`#${entry.id}`);
      if (entry.id === 'register_page') {
        await waitForText(page, '#path_vars', 'variables from pathname:none none');
      } else {
        await waitForText(page, `#text_${entry.id}`, `text for ${entry.id}`);
      }
      await waitForTitle(page, String(entry.title));
    }

    await page.goto(`${base}/v2`);
    await waitForText(page, '#text_redirect', 'text for redirect');
    await page.goto(`${base}/old-home-page`);
    await waitForText(page, '#text_redirect', 'text for redirect');
    assert.equal(page.url(), `${base}/redirect`);

    // page1.ts's own callback sets the app's dcc.Location (refresh=True): a full load of /page2.
    await page.goto(`${base}/page1`);
    await page.click('#btn1');
    await waitForText(page, '#text_page2', 'text for page2');

    await page.goto(`${base}/query-string?velocity=10`);
    await page.waitForSelector('#velocity');
    assert.equal(await page.locator('#velocity').inputValue(), '10');

    await page.goto(`${base}/a/var1/b/var2`);
    await waitForText(page, '#path_vars', 'variables from pathname:var1 var2');

    await page.goto(`${base}/find_me`);
    await waitForText(page, '#text_not_found_404', 'text for not_found_404');
    await waitForIdle(page);
    assert.deepEqual(problems, []);
  });

  it('test_pare002: links and navigation under urlBasePathname', async (t) => {
    const app = multiPageApp({ urlBasePathname: '/app1/' });
    const pages = await app.pagesReady();
    const opened = await openApp(browser, app, '/app1/');
    t.after(() => opened.close());
    const { page, problems } = opened;
    for (const entry of pages.filter((p) => !p.pathTemplate)) {
      assert.equal(
        await page.locator(`#${entry.id}`).getAttribute('href'),
        `/app1${entry.path === '/' ? '/' : entry.path}`,
      );
      await page.click(`#${entry.id}`);
      await waitForText(page, `#text_${entry.id}`, `text for ${entry.id}`);
      await waitForTitle(page, String(entry.title));
    }
    await waitForIdle(page);
    assert.deepEqual(problems, []);
  });

  it('test_pala005: routingCallbackInputs reach layout functions; an Input re-runs the layout', async (t) => {
    const app = routingInputsApp();
    const opened = await openApp(browser, app, '/#123');
    t.after(() => opened.close());
    const { page, problems } = opened;
    const base = opened.server.url;
    await waitForText(page, '#contents', 'Home');
    await page.goto(`${base}/function-layout`);
    await waitForText(page, '#contents', 'Hash says: ');
    // hash is a State: a new hash alone does not re-run the layout function...
    await page.goto(`${base}/function-layout#123`);
    await waitForIdle(page);
    await waitForText(page, '#contents', 'Hash says: ');
    // ...a reload does, with the hash...
    await page.reload();
    await waitForText(page, '#contents', 'Hash says: #123');
    // ...and so does a change of the language Input.
    await page.click('#language');
    await page.locator('.dash-dropdown-option, [role="option"]', { hasText: 'fr' }).first().click();
    await waitForText(page, '#contents', 'Le hash dit: #123');
    assert.deepEqual(problems, []);
  });

  it("runs a page module's background callback in the SqliteManager's worker processes", async (t) => {
    const app = multiPageApp();
    const opened = await openApp(browser, app, '/');
    t.after(() => opened.close());
    const { pid, parent } = await runPageModuleJob(opened.page, opened.server.url);
    assert.notEqual(pid, process.pid);
    assert.equal(parent, process.pid, 'the job ran in a worker process of this server');
    assert.deepEqual(opened.problems, []);
  });
});
