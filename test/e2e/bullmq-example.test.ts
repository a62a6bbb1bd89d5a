/**
 * examples/distributed.ts end to end: the real dash-renderer in headless Chromium, one server
 * (this process), two real `dash-ts worker` processes and a private redis-server. A run shows
 * its result; a long one shows progress and a live status, and a cancel stops it on its worker
 * (the CPU is freed) and leaves the page usable; a repeated question is answered from the cache.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { cpuFreed, hasProc } from '../conformance/manager-contract.ts';
import { launchBrowser, type OpenedApp, openApp, waitForIdle, waitForText } from '../support/browser.ts';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

const EXAMPLE = 'examples/distributed.ts';

describe('examples/distributed.ts: one server, two dash-ts workers, Redis, Chromium', {
  timeout: 120_000,
}, () => {
  let redis: TestRedis;
  let browser: Browser;
  let opened: OpenedApp;
  const workers: DashWorker[] = [];

  before(async () => {
    redis = await startRedis();
    process.env.REDIS_URL = redis.url;
    const { app } = await import('../../examples/distributed.ts');
    workers.push(
      ...(await Promise.all([0, 1].map(() => startDashWorker(EXAMPLE, { REDIS_URL: redis.url })))),
    );
    browser = await launchBrowser();
    opened = await openApp(browser, app);
  });

  after(async () => {
    await opened?.close();
    await browser?.close();
    await Promise.all(workers.map((w) => w.stop('SIGTERM')));
    await redis?.destroy();
  });

  const setLimit = async (limit: number) => {
    const input = opened.page.locator('#limit');
    await input.fill(String(limit));
    await input.press('Enter');
  };

  it('runs a job on a worker and shows its result and final status', async () => {
    const { page, problems } = opened;
    await setLimit(300_000);
    await page.click('#run');
    await waitForText(page, '#result', '25,997 primes up to 300,000', 20_000);
    assert.match((await page.textContent('#status')) ?? '', /^Done on worker pid \d+\.$/);
    // The renderer puts progressDefault back once the job is done.
    assert.equal(await page.getAttribute('#progress', 'value'), '0');
    await waitForIdle(page);
    assert.equal(await page.isDisabled('#run'), false);
    assert.deepEqual(problems, []);
  });

  it('cancels a long job on its worker: the CPU is freed, the page is usable again', async () => {
    const { page, problems } = opened;
    await setLimit(500_000_000);
    await page.click('#run');
    await page.waitForFunction(
      () => /^Checked .* on worker pid \d+/.test(document.querySelector('#status')?.textContent ?? ''),
      undefined,
      { timeout: 20_000 },
    );
    await page.waitForFunction(() => Number(document.querySelector('#progress')?.getAttribute('value')) > 0);
    const pid = Number(/pid (\d+)/.exec((await page.textContent('#status')) ?? '')?.[1]);
    assert.ok(!workers.some((w) => w.pid === pid), 'the job runs in a job process, not in the worker itself');
    await page.click('#cancel');
    if (hasProc) await cpuFreed(pid);
    await waitForIdle(page, 10_000);
    assert.equal(await page.isDisabled('#run'), false);
    assert.equal(await page.textContent('#result'), '25,997 primes up to 300,000');
    assert.deepEqual(problems, []);
  });

  it('answers a question asked before from the cache, at once', async () => {
    const { page, problems } = opened;
    await setLimit(300_000);
    const started = Date.now();
    await page.click('#run');
    await waitForIdle(page, 10_000);
    assert.equal(await page.textContent('#result'), '25,997 primes up to 300,000');
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.deepEqual(problems, []);
  });
});
