/**
 * whenPageLeaves 'cancel' in headless Chromium with the unmodified renderer: while the tab is
 * open its polls keep the job running; once the tab is closed the job's worker process is idle
 * within 10 s (test/apps/bg-leave.ts, SqliteManager with real pool workers).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import type { Dash } from '../../src/index.ts';
import { cpuFreed, hasProc } from '../conformance/manager-contract.ts';
import { launchBrowser, type OpenedApp, openApp } from '../support/browser.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-page-leave-e2e-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
const runsFile = join(dir, 'runs.txt');
process.env.DASH_TS_TEST_RUNS = runsFile;
const app: Dash = (await import('../apps/bg-leave.ts')).app;

function runs(): string[] {
  try {
    return readFileSync(runsFile, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('whenPageLeaves: closing the tab stops the job', { timeout: 90_000 }, () => {
  let browser: Browser;
  let opened: OpenedApp | undefined;

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await opened?.close();
    await browser?.close();
    await app.options.backgroundManager?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an open tab keeps its job; a closed tab has its process idle within 10 s', async (t) => {
    opened = await openApp(browser, app);
    const { page } = opened;
    await page.click('#leave-in');
    await page.waitForFunction(
      () => /^\d+$/.test(document.getElementById('leave-pid')?.textContent ?? ''),
      null,
      {
        timeout: 30_000,
      },
    );
    const pid = Number(await page.textContent('#leave-pid'));
    // Open for longer than the threshold (6 s for this callback): its polls keep it alive.
    await sleep(8000);
    assert.deepEqual(runs(), [], 'the job of an open tab ended');
    await page.close();
    const closedAt = Date.now();
    // Aborted, not run to its end (12 s), and within 10 s of the tab closing.
    for (;;) {
      if (runs().includes('click-1 aborted')) break;
      assert.deepEqual(runs(), [], 'the job ended otherwise');
      assert.ok(Date.now() - closedAt < 10_000, 'the job of a closed tab still runs after 10 s');
      await sleep(100);
    }
    t.diagnostic(`job aborted ${Date.now() - closedAt} ms after the tab closed`);
    if (hasProc) await cpuFreed(pid, Math.max(1000, closedAt + 10_000 - Date.now()));
    assert.ok(Date.now() - closedAt <= 11_000, `idle only ${Date.now() - closedAt} ms after the tab closed`);
    assert.deepEqual(opened.problems, []);
  });
});
