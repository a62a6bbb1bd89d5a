/**
 * A background callback defined in a page module (test/apps/multi-page/pages/job.ts) on a
 * BullMQManager: this process serves, a separate `dash-ts worker test/apps/multi-page/app.ts`
 * (sharing nothing with it but a private Redis) imports the app module and, through its pages
 * folder, the page module, and runs the job in its job process; the page shows the result.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openApp } from '../support/browser.ts';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { runPageModuleJob } from './page-module-job.ts';

describe('a page module background callback on BullMQ, run by `dash-ts worker`', () => {
  let redis: TestRedis;
  let worker: DashWorker;
  let browser: Browser;

  before(async () => {
    redis = await startRedis();
    // The fixture picks BullMQ (queue bg-multi-page) when this is set as its module loads.
    process.env.DASH_TS_TEST_REDIS = redis.url;
    worker = await startDashWorker('test/apps/multi-page/app.ts', { DASH_TS_TEST_REDIS: redis.url });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await worker?.stop('SIGTERM');
    await redis?.destroy();
  });

  it('runs in the worker: the job process is a child of the dash-ts worker', async (t) => {
    const { multiPageApp } = await import('../apps/multi-page/app.ts');
    const app = multiPageApp();
    assert.equal(app.options.backgroundManager?.kind, 'bullmq');
    const opened = await openApp(browser, app, '/');
    t.after(() => opened.close());
    const { pid, parent } = await runPageModuleJob(opened.page, opened.server.url);
    assert.equal(parent, worker.pid, `the job ran in process ${pid}, not a job process of the worker`);
    assert.deepEqual(opened.problems, []);
  });
});
