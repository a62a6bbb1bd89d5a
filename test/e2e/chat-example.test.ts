/**
 * examples/chat.ts in headless Chromium with the unmodified renderer: the answer streams into the
 * page a token at a time (several intermediate texts seen), from the server process and from a
 * SqliteManager pool worker, and Stop ends a stream midway.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { app } from '../../examples/chat.ts';
import { launchBrowser, type OpenedApp, openApp } from '../support/browser.ts';
import { startStream, watchAnswer } from '../support/stream-watch.ts';

describe('examples/chat.ts: a streamed answer in the real renderer', { timeout: 120_000 }, () => {
  let browser: Browser;
  let opened: OpenedApp;

  before(async () => {
    browser = await launchBrowser();
    opened = await openApp(browser, app);
  });
  after(async () => {
    await opened?.close();
    await browser?.close();
  });

  for (const where of ['server', 'worker'] as const) {
    it(`streams the answer token by token from the ${where}`, async () => {
      const { page } = opened;
      await page.click(`#ask-${where}`);
      const seen = await watchAnswer(page, `answer-${where}`, 1500);
      const final = seen.at(-1)!;
      assert.match(final, /^You asked: "What is a streaming callback\?"\. .* is still running\. $/);
      const partial = seen.filter((text) => text !== '' && text !== final);
      assert.ok(partial.length >= 5, `only ${partial.length} intermediate texts: ${JSON.stringify(seen)}`);
      // Each text extends the one before it: no token lost, none out of order.
      for (let i = 1; i < seen.length; i++) {
        if (seen[i - 1] !== '')
          assert.ok(seen[i]!.startsWith(seen[i - 1]!), `${seen[i]} after ${seen[i - 1]}`);
      }
      assert.deepEqual(opened.problems, []);
    });

    it(`Stop ends the ${where}'s stream midway`, async () => {
      const { page } = opened;
      await startStream(page, `#ask-${where}`, `answer-${where}`);
      await page.click('#stop');
      const seen = await watchAnswer(page, `answer-${where}`, 1500);
      const final = seen.at(-1)!;
      assert.ok(final.split(' ').length > 5, `the answer lost its streamed words: ${JSON.stringify(seen)}`);
      assert.doesNotMatch(final, /still running\. $/, 'the stream ran to its end');
      await sleep(1000);
      assert.equal(await page.textContent(`#answer-${where}`), final, 'the answer still grows after Stop');
      await page.waitForFunction(
        (id) => !(document.getElementById(id) as HTMLButtonElement).disabled,
        `ask-${where}`,
      );
      assert.deepEqual(opened.problems, []);
    });
  }
});
