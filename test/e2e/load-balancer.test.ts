/**
 * Behind a real load balancer: nginx running deploy/nginx.conf, round robin over two `dash-ts run`
 * servers of test/apps/load-balanced.ts, (a) BullMQManager with two `dash-ts worker`s on one
 * private redis-server, (b) SqliteManager with both servers on one store file. Chromium drives
 * progress, setProps, the running state, cancel, a retried job and a result through nginx, and
 * nginx's access log shows that the polls were answered by both servers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { pause, textOf, waitForDisabled } from '../apps/bg-browser.ts';
import { launchBrowser, waitForIdle, waitForText, waitForTextMatching } from '../support/browser.ts';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { type Nginx, nginxPath, startNginx } from '../support/nginx.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { freePort, type ServerProcess, startServerProcess } from '../support/server-process.ts';

const MODULE = 'test/apps/load-balanced.ts';

for (const backend of ['bullmq', 'sqlite'] as const) {
  describe(`two servers behind nginx, ${backend === 'bullmq' ? 'BullMQManager with two dash-ts workers' : 'SqliteManager on one store file'}`, {
    timeout: 180_000,
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), `dash-ts-lb-${backend}-`));
    const servers: ServerProcess[] = [];
    const workers: DashWorker[] = [];
    let redis: TestRedis | undefined;
    let nginx: Nginx | undefined;
    let browser: Browser | undefined;
    let page: Page;
    const problems: string[] = [];
    let ports: number[] = [];

    before(async () => {
      nginxPath();
      const env: Record<string, string> = {};
      if (backend === 'bullmq') {
        redis = await startRedis();
        env.DASH_TS_TEST_REDIS = redis.url;
        workers.push(...(await Promise.all([1, 2].map(() => startDashWorker(MODULE, env)))));
      } else {
        env.DASH_TS_TEST_DB = join(dir, 'shared.db');
      }
      ports = [await freePort(), await freePort()];
      // One after the other: the first creates the store file and its secret.
      for (const port of ports) servers.push(await startServerProcess(MODULE, env, port));
      nginx = await startNginx(join(dir, 'nginx'), ports);
      browser = await launchBrowser();
      page = await (await browser.newContext()).newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`http ${response.status()}: ${response.url()}`);
      });
      await page.goto(nginx.url);
      await page.waitForSelector('#react-entry-point ._dash-loading', { state: 'detached' });
    });

    after(async () => {
      await browser?.close();
      await nginx?.stop();
      await Promise.all(servers.map((server) => server.stop()));
      await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
      await redis?.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    it('progress, setProps, the running state and the result reach the page while polls alternate servers', async () => {
      await page.click('#run');
      await waitForTextMatching(page, '#progress', /^step \d+\/12$/);
      assert.equal(await page.locator('#run').isDisabled(), true, 'running state on');
      await waitForText(page, '#side', 'side update from run 1');
      await waitForText(page, '#result', 'done 1', 20_000);
      await waitForText(page, '#progress', 'idle');
      await waitForDisabled(page, '#run', false, 2000);
      await waitForIdle(page);

      // Every poll carries the job's cacheKey; nginx logged which server answered each.
      const polls = nginx!
        .accessLog()
        .split('\n')
        .filter((line) => line.includes('/_dash-update-component?') && line.includes('cacheKey='));
      const answeredBy = new Set(polls.map((line) => /up=127\.0\.0\.1:(\d+)/.exec(line)?.[1]));
      assert.ok(polls.length >= 6, `${polls.length} polls`);
      assert.deepEqual([...answeredBy].sort(), ports.map(String).sort(), polls.join('\n'));
      assert.deepEqual(problems, []);
    });

    it('a cancel through nginx stops the job: the old result stays, the running state goes off', async () => {
      await page.click('#run');
      await waitForTextMatching(page, '#progress', /^step [2-9]\/12$/);
      await page.click('#cancel');
      await waitForText(page, '#progress', 'idle');
      await waitForDisabled(page, '#run', false, 2000);
      // Longer than the rest of the job would have taken: its result never arrives.
      await pause(2200);
      assert.equal(await textOf(page, '#result'), 'done 1');
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it('a job whose first try fails is retried and its result shown', async () => {
      await page.click('#flaky');
      await waitForText(page, '#flaky-result', 'ok on try 2', 20_000);
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it('a run after the cancel completes as before', async () => {
      await page.click('#run');
      await waitForText(page, '#result', 'done 3', 20_000);
      await waitForText(page, '#progress', 'idle');
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });
  });
}
