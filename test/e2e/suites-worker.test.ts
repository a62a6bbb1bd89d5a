/**
 * Suite components returned by a background job that runs on a separate `dash-ts worker` process
 * (BullMQ on a private redis-server): the browser renders the dbc.Badge and the DataTable the worker
 * built, so the worker registered the suites and serialised their namespaces like the server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, type OpenedApp, openApp } from '../support/browser.ts';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

const APP = 'test/apps/suites-bullmq.ts';

describe('suite components from a dash-ts worker', { timeout: 120_000 }, () => {
  let redis: TestRedis;
  let worker: DashWorker;
  let browser: Browser;
  let opened: OpenedApp;

  before(async () => {
    redis = await startRedis();
    process.env.REDIS_URL = redis.url;
    const { app } = await import('../apps/suites-bullmq.ts');
    worker = await startDashWorker(APP, { REDIS_URL: redis.url });
    browser = await launchBrowser();
    opened = await openApp(browser, app);
  });

  after(async () => {
    await opened?.close();
    await browser?.close();
    await worker?.stop('SIGTERM');
    await redis?.destroy();
  });

  it('renders the dbc.Badge and DataTable a worker returned', async () => {
    const { page, problems } = opened;
    await page.click('#build');
    const badge = page.locator('#worker-badge');
    await badge.waitFor({ timeout: 20_000 });
    const pid = Number(/^pid (\d+) #1$/.exec((await badge.textContent()) ?? '')?.[1]);
    assert.ok(pid > 0 && pid !== process.pid, 'built outside the server process');
    assert.match((await badge.getAttribute('class')) ?? '', /\bbadge\b/);
    await page.locator('#worker-table td[data-dash-column="n"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('#worker-table td[data-dash-column="n"]').textContent(), '1');
    assert.deepEqual(problems, []);
  });
});
