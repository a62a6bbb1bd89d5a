/**
 * Patch in headless Chromium with the real renderer: a 1000-item list changed by append, assign,
 * delete, a setProps prepend and a background job, each answer a few hundred bytes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { openSharedPage, type SharedPage, waitForIdle } from '../support/browser.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-patch-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
const { app, LIST_LENGTH } = await import('../apps/patch-list.ts');

/** The list as the page shows it: item count and some texts. */
async function listState(page: Page) {
  return page.evaluate(() => {
    const items = Array.from(document.querySelectorAll('#list > li'), (li) => li.textContent);
    return {
      length: items.length,
      first: items[0],
      second: items[1],
      last: items.at(-1),
      tail: items.slice(-4),
    };
  });
}

async function waitForList(page: Page, test: string): Promise<void> {
  await page.waitForFunction(test, undefined, { timeout: 20_000 });
}

describe('Patch in the real renderer', () => {
  let opened: SharedPage;
  /** Byte sizes of every callback answer. */
  const answers: { output: string; bytes: number }[] = [];

  before(async () => {
    opened = await openSharedPage(app);
    opened.page.on('response', async (response) => {
      if (!response.url().includes('/_dash-update-component')) return;
      const output = (JSON.parse(response.request().postData() ?? '{}') as { output?: string }).output ?? '?';
      const body = await response.body().catch(() => Buffer.alloc(0));
      answers.push({ output, bytes: body.length });
    });
  });

  after(async () => {
    await opened?.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends, assigns and deletes on a long list with small answers', async () => {
    const { page } = opened;
    const listBytes = JSON.stringify(app.layout).length;
    assert.ok(listBytes > 50_000, `the list is only ${listBytes} bytes`);
    assert.equal((await listState(page)).length, LIST_LENGTH);

    await page.click('#append');
    await waitForList(page, `document.querySelector('#list > li:last-child')?.textContent === 'appended 1'`);
    await page.click('#assign');
    await waitForList(page, `document.querySelector('#list > li')?.textContent === 'first, assigned'`);
    await page.click('#delete');
    await waitForList(page, `document.querySelectorAll('#list > li').length === ${LIST_LENGTH}`);
    const state = await listState(page);
    assert.equal(state.first, 'first, assigned');
    assert.equal(state.second, 'item 2', 'item 1 was not deleted');
    assert.equal(state.last, 'appended 1');

    await page.click('#prepend');
    await waitForList(page, `document.querySelector('#list > li')?.textContent === 'prepended 1'`);
    assert.equal((await listState(page)).length, LIST_LENGTH + 1);

    await waitForIdle(page);
    assert.equal(answers.length, 4);
    for (const { output, bytes } of answers) assert.ok(bytes < 600, `${output} answered ${bytes} bytes`);
  });

  it('takes patches from a background job: setProps appends in order, then the result', async () => {
    const { page } = opened;
    const before = (await listState(page)).length;
    answers.length = 0;
    await page.click('#bg');
    await waitForList(page, `document.querySelectorAll('#list > li').length === ${before + 4}`);
    await waitForIdle(page);
    const state = await listState(page);
    assert.deepEqual(state.tail, ['job step 1', 'job step 2', 'job result a', 'job result b']);
    assert.equal(await page.locator('#bg-status').textContent(), 'job running');
    for (const { output, bytes } of answers) assert.ok(bytes < 1000, `${output} answered ${bytes} bytes`);
    assert.deepEqual(opened.problems, []);
  });
});
