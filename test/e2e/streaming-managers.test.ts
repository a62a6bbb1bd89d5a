/**
 * Streaming callbacks in headless Chromium with the unmodified renderer, from the managers
 * examples/chat.ts does not use: a `dash-ts worker` on BullMQManager (a private redis-server) and
 * an InProcessManager. The answer shows several intermediate texts, each extending the one before,
 * and Stop ends a stream midway.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import type { Dash } from '../../src/index.ts';
import { launchBrowser, type OpenedApp, openApp } from '../support/browser.ts';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startStream, watchAnswer } from '../support/stream-watch.ts';

const APP = 'test/apps/stream-managers.ts';

describe('streams from BullMQ and InProcessManager in the real renderer', { timeout: 180_000 }, () => {
  let redis: TestRedis;
  let worker: DashWorker | undefined;
  let browser: Browser;
  let opened: OpenedApp;

  before(async () => {
    redis = await startRedis();
    process.env.DASH_TS_TEST_REDIS = redis.url;
    const { app } = (await import('../apps/stream-managers.ts')) as { app: Dash };
    worker = await startDashWorker(APP, { DASH_TS_TEST_REDIS: redis.url });
    browser = await launchBrowser();
    opened = await openApp(browser, app);
  });
  after(async () => {
    await opened?.close();
    await browser?.close();
    await worker?.stop('SIGTERM');
    await redis?.destroy();
  });

  for (const where of ['bullmq', 'memory'] as const) {
    it(`${where}: streams the answer token by token`, async () => {
      const { page } = opened;
      await page.click(`#ask-${where}`);
      const seen = await watchAnswer(page, `answer-${where}`, 1500);
      const final = seen.at(-1)!;
      assert.match(final, /^A streaming callback .* is still running\. $/);
      const partial = seen.filter((text) => text !== '' && text !== final);
      assert.ok(partial.length >= 5, `only ${partial.length} intermediate texts: ${JSON.stringify(seen)}`);
      for (let i = 1; i < seen.length; i++) {
        if (seen[i - 1] !== '')
          assert.ok(seen[i]!.startsWith(seen[i - 1]!), `${seen[i]} after ${seen[i - 1]}`);
      }
      assert.deepEqual(opened.problems, []);
    });

    it(`${where}: Stop ends the stream midway`, async () => {
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
