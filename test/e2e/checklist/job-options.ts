/**
 * The job options end to end in the real renderer, on either backend (./backend.ts): a job past
 * its `timeout` shows its error and gives the button back; a flaky job succeeds on its third try
 * and the page shows each try; a job waiting for a worker shows its place in line and then runs;
 * a second user's single job starts before the first user's eight queued jobs are done.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  patternSelector,
  textOf,
  waitForDisabled,
  waitForTextMatching,
  watchText,
} from '../../apps/bg-browser.ts';
import { waitForIdle, waitForText } from '../../support/browser.ts';
import { type Backend, checklistSuite } from './backend.ts';

/** Starts a job in every slot (they run until the page cancels them). */
async function fillSlots(page: Page, slots: number): Promise<void> {
  for (let index = 0; index < slots; index++) await page.click(patternSelector({ type: 'block', index }));
  for (let index = 0; index < slots; index++) {
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.getAttribute('title') === 'running',
      patternSelector({ type: 'block-out', index }),
      { timeout: 10_000 },
    );
  }
}

export async function jobOptionsSuite(backend: Backend): Promise<void> {
  const suite = await checklistSuite(backend);
  const fixture = await import('../../apps/bg-jobops.ts');

  describe(`job options (${backend})`, () => {
    const opened = suite.useApp(fixture.app);

    it('a job past its timeout shows its error, and the button comes back', async () => {
      const { page, problems } = opened();
      const started = Date.now();
      await page.click('#slow-button');
      await waitForDisabled(page, '#slow-button', true);
      await waitForText(
        page,
        '#slow-output',
        'error: An error occurred inside a background callback: the job timed out after 1 s and was stopped',
        10_000,
      );
      await waitForDisabled(page, '#slow-button', false);
      const took = Date.now() - started;
      assert.ok(took >= 1000 && took < 5000, `the timeout showed after ${took} ms`);
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it('a flaky job succeeds on its third try, showing each try', async () => {
      const { page, problems } = opened();
      const tries = await watchText(page, '#flaky-try');
      await page.click('#flaky-button');
      await waitForDisabled(page, '#flaky-button', true);
      await waitForText(page, '#flaky-output', 'succeeded on try 3', 15_000);
      await waitForDisabled(page, '#flaky-button', false);
      assert.deepEqual(await tries(), ['no try yet', 'try 1', 'try 2', 'try 3']);
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it('a waiting job shows "position 1", then runs', async () => {
      const { page, problems } = opened();
      await fillSlots(page, fixture.SLOTS);
      const statuses = await watchText(page, '#wait-status');
      await page.click('#wait-button');
      const waiting = await waitForTextMatching(page, '#wait-status', /position 1/);
      assert.match(waiting, /^Waiting in line: position 1(, about \d+ s)?$/);
      assert.equal(await textOf(page, '#wait-output'), 'not run');
      await page.click('#unblock');
      await waitForText(page, '#wait-output', 'ran', 10_000);
      assert.equal(await textOf(page, '#wait-status'), '');
      assert.ok((await statuses()).some((text) => /position 1/.test(text)));
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it("a second user's single job starts before the first user's eight queued jobs are done", async (t) => {
      const { page, server, problems } = opened();
      // Fair turns go by user (api.md, third round): the second page is another browser context,
      // so another anonymous session; a second tab of the same context would be the same user and
      // rightly wait its turn. It is open before the first queues anything: on a busy machine,
      // loading it could take longer than the eight jobs.
      const otherUser = await page.context().browser()!.newContext();
      const second = await otherUser.newPage();
      try {
        await second.goto(server.url);
        await second.waitForSelector('#react-entry-point ._dash-loading', { state: 'detached' });
        // All eight in one go: one Playwright click at a time can take longer than the jobs on a busy machine.
        const selectors = Array.from({ length: fixture.MANY }, (_, index) =>
          patternSelector({ type: 'many', index }),
        );
        await page.evaluate((all) => {
          for (const selector of all) (document.querySelector(selector) as HTMLButtonElement).click();
        }, selectors);
        const clickedAt = Date.now();
        const doneAtClick = await textOf(page, '#many-done');
        await second.click('#single-button');
        await waitForText(second, '#single-output', 'done', 15_000);
        const firstPageDone = Number(await textOf(page, '#many-done'));
        t.diagnostic(
          `first page: ${doneAtClick} done when the second clicked, ${firstPageDone} when its job ended ${Date.now() - clickedAt} ms later`,
        );
        // First come, first served would finish all eight first (8 × 1.2 s over two slots).
        assert.ok(
          firstPageDone <= fixture.MANY / 2 + 1,
          `the second page's job ended after ${firstPageDone} of the first page's ${fixture.MANY}`,
        );
      } finally {
        await otherUser.close();
      }
      await waitForText(page, '#many-done', String(fixture.MANY), 15_000);
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });
  });
}
