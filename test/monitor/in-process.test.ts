/**
 * The jobs monitor over HTTP for an InProcessManager: one real server process of
 * test/apps/monitor-app.ts whose jobs run in the server itself (DASH_TS_TEST_IN_PROCESS=1). Its
 * records live in that process's memory, so one server shows them (there is no store to share,
 * and no worker process to kill: the crash job of the SQLite and BullMQ scenario is left out).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MONITOR_TOKEN } from '../apps/monitor-app.ts';
import { monitorUntil, PageLoad, sampleValue, scrape } from '../support/monitor-client.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';

const APP = 'test/apps/monitor-app.ts';
const QUICK = { output: 'quick-result.children', input: { id: 'quick-in', property: 'value' } };
const FAIL = { output: 'fail-result.children', input: { id: 'fail-in', property: 'value' } };
const TIMEOUT = { output: 'timeout-result.children', input: { id: 'timeout-in', property: 'value' } };
const SLOW = { output: 'slow-result.children', input: { id: 'run-slow', property: 'n_clicks' } };

describe('jobs monitor over HTTP: InProcessManager', { timeout: 120_000 }, () => {
  let server: ServerProcess;

  before(async () => {
    server = await startServerProcess(APP, { DASH_TS_TEST_IN_PROCESS: '1' });
  });
  after(async () => {
    await server?.stop();
  });

  it('shows the jobs the server process ran, their outcomes and the process as their worker', async () => {
    const page = await PageLoad.open(server.url);
    for (const value of [1, 2]) assert.equal((await page.run(QUICK.output, QUICK.input, value)).status, 200);
    assert.equal((await page.run(FAIL.output, FAIL.input, 1)).status, 500);
    assert.equal((await page.run(TIMEOUT.output, TIMEOUT.input, 1)).status, 500);
    const slow = await page.start(SLOW.output, SLOW.input, 1);
    await monitorUntil(
      server.url,
      MONITOR_TOKEN,
      (api) => api.active.some((job) => job.id === slow.job && job.state === 'running'),
      'the slow job running',
    );
    await page.cancel('cancel-slow', slow);

    const api = await monitorUntil(
      server.url,
      MONITOR_TOKEN,
      (api) => api.jobs.some((job) => job.id === slow.job && job.outcome === 'cancelled'),
      'the slow job cancelled',
    );
    const outcomes = (callback: string) =>
      api.jobs
        .filter((job) => job.callbackId === callback)
        .map((job) => job.outcome)
        .sort();
    assert.deepEqual(outcomes(QUICK.output), ['succeeded', 'succeeded']);
    assert.deepEqual(outcomes(FAIL.output), ['failed']);
    assert.deepEqual(outcomes(TIMEOUT.output), ['timed-out']);
    assert.deepEqual(outcomes(SLOW.output), ['cancelled']);
    const failure = api.failures.find((job) => job.callbackId === FAIL.output);
    assert.equal(failure?.message, 'monitored job failed on purpose');
    // Each job's user: the page's anonymous session.
    assert.match(page.user ?? 'no session cookie', /^[A-Za-z0-9_-]{22}$/);
    for (const job of api.jobs) assert.equal(job.user, page.user, `user of job ${job.id}`);

    // Its one worker is the server process, alive, and every job that ran names it.
    assert.equal(api.workers.length, 1, JSON.stringify(api.workers));
    const [worker] = api.workers;
    assert.equal(worker!.pid, server.child.pid);
    assert.equal(worker!.status, 'alive');
    for (const job of api.jobs) assert.equal(job.worker, worker!.id);

    // The Prometheus counters say the same.
    const { samples } = await scrape(server.url, MONITOR_TOKEN);
    const count = (callback: string, outcome: string) =>
      sampleValue(samples, 'dash_ts_jobs_finished_total', { callback, outcome });
    assert.equal(count(QUICK.output, 'succeeded'), 2);
    assert.equal(count(FAIL.output, 'failed'), 1);
    assert.equal(count(TIMEOUT.output, 'timed-out'), 1);
    assert.equal(count(SLOW.output, 'cancelled'), 1);
    // A user is no metrics label: one series per user would have no bound.
    assert.ok(samples.length > 0);
    for (const sample of samples) assert.ok(!('user' in sample.labels), JSON.stringify(sample));
  });
});
