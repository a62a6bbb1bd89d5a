/**
 * `reattach` in headless Chromium with the unmodified renderer (issue 18, item 2), on
 * SqliteManager with real pool workers (test/apps/reattach.ts): a report started by a click, the
 * page reloaded mid-run: the progress bar goes on from where it was, the button stays disabled
 * while it runs, and the result appears; a streamed answer reloaded mid-stream shows its tokens so
 * far and goes on; a second browser context (another anonymous user) shows none of it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import type { Dash } from '../../src/index.ts';
import { launchBrowser, type OpenedApp, openApp, waitForTextMatching } from '../support/browser.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-reattach-e2e-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
process.env.DASH_TS_TEST_REATTACH_DIR = dir;
const { app } = (await import('../apps/reattach.ts')) as { app: Dash };

const step = async (page: Page) => Number((await page.getAttribute('#bar', 'value')) ?? '0');

/** Waits until the progress bar stands above `above`; returns its value. */
async function barAbove(page: Page, above: number, timeout = 20_000): Promise<number> {
  await page.waitForFunction(
    (min) => Number(document.querySelector('#bar')?.getAttribute('value') ?? '0') > min,
    above,
    { timeout },
  );
  return step(page);
}

const loaded = (page: Page) =>
  page.waitForSelector('#react-entry-point ._dash-loading', { state: 'detached' });

describe('reattach in the real renderer', { timeout: 120_000 }, () => {
  let browser: Browser;
  let opened: OpenedApp;

  before(async () => {
    browser = await launchBrowser();
    opened = await openApp(browser, app);
  });
  after(async () => {
    for (const name of ['release-1', 'chat-release']) writeFileSync(join(dir, name), '');
    await opened?.close();
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a reload mid-run shows the running report: the progress bar goes on, then the result appears', async () => {
    const { page } = opened;
    await page.click('#run');
    const before = await barAbove(page, 2);
    assert.equal(await page.isDisabled('#run'), true, 'running: the button is disabled');

    await page.reload();
    await loaded(page);
    // The reattached job's progress, and it goes on from there; running outputs set again.
    const shown = await barAbove(page, 0);
    assert.ok(shown >= before, `the bar went back from ${before} to ${shown}`);
    await barAbove(page, shown + 2);
    await waitForTextMatching(page, '#status', /^step \d+$/);
    assert.equal(await page.isDisabled('#run'), true, 'still running after the reload');
    assert.equal(await page.textContent('#result'), 'no report');

    writeFileSync(join(dir, 'release-1'), '');
    await waitForTextMatching(page, '#result', /^report 1 done after \d+ steps$/, 20_000);
    await page.waitForFunction(() => !(document.querySelector('#run') as HTMLButtonElement).disabled);

    // A page load after the end shows the result at once.
    await page.reload();
    await loaded(page);
    await waitForTextMatching(page, '#result', /^report 1 done after \d+ steps$/);
    assert.deepEqual(opened.problems, []);
  });

  it('a reload mid-stream shows the tokens so far and the rest as they come', async () => {
    const { page } = opened;
    await page.click('#ask');
    const before = await waitForTextMatching(page, '#answer', /^Answer: t1 t2 t3/, 20_000);
    await page.reload();
    await loaded(page);
    const shown = await waitForTextMatching(page, '#answer', /^Answer: t1 t2 t3/, 20_000);
    assert.ok(
      shown.startsWith(before),
      `${JSON.stringify(shown)} does not go on from ${JSON.stringify(before)}`,
    );
    const tokens = shown.split(' ').length;
    await page.waitForFunction(
      (n) => (document.querySelector('#answer')?.textContent ?? '').split(' ').length > n + 2,
      tokens,
    );
    writeFileSync(join(dir, 'chat-release'), '');
    const final = await waitForTextMatching(page, '#answer', / end$/, 20_000);
    // Every token once, in order, across the reload.
    const words = final.split(' ').slice(1, -1);
    assert.deepEqual(
      words,
      words.map((_, i) => `t${i + 1}`),
    );
    assert.deepEqual(opened.problems, []);
  });

  it('another user (a second browser context) sees none of it', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`http ${r.status()}: ${r.url()}`);
      });
      await page.goto(opened.server.url);
      await loaded(page);
      // Longer than the initial calls take to be answered.
      await sleep(1500);
      assert.equal(await page.textContent('#result'), 'no report');
      assert.equal(await page.textContent('#status'), 'idle');
      assert.equal(await page.textContent('#answer'), '');
      assert.equal(await step(page), 0);
      assert.equal(await page.isDisabled('#run'), false);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
