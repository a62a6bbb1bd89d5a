/**
 * The jobs monitor page in real Chromium, for both managers: a user starts a long job on the app's
 * page; the monitor page (our renderer, a dcc.Interval refresh) shows it running, and its Cancel
 * button cancels it; the user's page then shows the cancellation (the running state ends, no
 * result arrives). Neither page logs a console error or gets an HTTP error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { MONITOR_TOKEN } from '../apps/monitor-app.ts';
import { type ManagerName, type MonitorFixture, monitorFixture } from '../monitor/fixtures.ts';
import { launchBrowser, waitForText, waitForTextMatching } from '../support/browser.ts';
import { monitorUntil } from '../support/monitor-client.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';

async function open(browser: Browser, url: string, problems: string[], label: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${label} console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${label} pageerror: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${label} http ${response.status()}: ${response.url()}`);
  });
  await page.goto(url);
  await page.waitForSelector('#react-entry-point ._dash-loading', { state: 'detached' });
  return page;
}

for (const manager of ['sqlite', 'bullmq'] as ManagerName[]) {
  describe(`jobs monitor page in Chromium (${manager})`, { timeout: 120_000 }, () => {
    let fixture: MonitorFixture;
    let server: ServerProcess;
    let browser: Browser;

    before(async () => {
      fixture = await monitorFixture(manager);
      server = await startServerProcess('test/apps/monitor-app.ts', fixture.env);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
      await fixture?.cleanup();
    });

    it('shows a running job and cancels it from its button; the user page shows the cancellation', async () => {
      const problems: string[] = [];
      const user = await open(browser, server.url, problems, 'user page');
      await user.click('#run-slow');
      await waitForText(user, '#slow-status', 'Running…');

      const monitor = await open(
        browser,
        `${server.url}/_dash-ts/jobs?token=${MONITOR_TOKEN}`,
        problems,
        'monitor',
      );
      await waitForTextMatching(monitor, '#summary', /1 running/);
      const running = await monitorUntil(
        server.url,
        MONITOR_TOKEN,
        (api) => api.active.some((job) => job.state === 'running'),
        'the job running',
      );
      const job = running.active.find((j) => j.state === 'running')!;
      assert.equal(job.callbackId, 'slow-result.children');
      // Its user: the browser's anonymous session (the id before the cookie's MAC).
      const session = (await user.context().cookies()).find((c) => c.name === 'dash_ts_session');
      assert.ok(session?.httpOnly && session.sameSite === 'Lax', JSON.stringify(session));
      const userId = session.value.split('.')[0]!;
      assert.equal(job.user, userId);
      await waitForTextMatching(
        monitor,
        '#active',
        new RegExp(`${job.id}.*slow-result\\.children.*running.*${userId}`),
      );
      await waitForTextMatching(monitor, '#workers', /alive/);
      await waitForTextMatching(monitor, '#callbacks', /slow-result\.children/);

      await monitor.locator('#active button', { hasText: 'Cancel' }).click();
      await waitForText(monitor, '#cancel-status', `Cancelled job ${job.id}.`);

      // The user's page: the running state ends, and no result ever arrives.
      await waitForText(user, '#slow-status', 'Not running');
      await sleep(1000);
      assert.equal(await user.locator('#slow-result').textContent(), 'No result yet');

      await waitForTextMatching(monitor, '#active', /Nothing is running or waiting/);
      const ended = await monitorUntil(
        server.url,
        MONITOR_TOKEN,
        (api) => api.jobs.some((j) => j.id === job.id && j.outcome === 'cancelled'),
        'the job cancelled',
      );
      assert.equal(
        ended.callbacks.find((c) => c.callbackId === 'slow-result.children')?.finished.cancelled,
        1,
      );
      assert.deepEqual(problems, []);
    });
  });
}
