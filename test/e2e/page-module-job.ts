/**
 * Runs the background callback of test/apps/multi-page/pages/job.ts in the browser and tells
 * which process ran it, and that process's parent (the server's pool, or a `dash-ts worker`).
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { waitForText, waitForTextMatching } from '../support/browser.ts';

export async function runPageModuleJob(
  page: Page,
  baseUrl: string,
): Promise<{ pid: number; parent: number }> {
  await page.goto(`${baseUrl}/job`);
  await waitForText(page, '#text_job', 'text for job');
  await page.click('#job-run');
  const text = await waitForTextMatching(page, '#job-result', /^job 1 ran in process \d+$/, 30_000);
  const pid = Number(/\d+$/.exec(text)![0]);
  return { pid, parent: parentOf(pid) };
}

/** The parent pid from /proc (the job process outlives its job, in its pool). */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) in parentheses: state, ppid, ...
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}
