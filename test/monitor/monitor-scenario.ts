/**
 * The jobs monitor over HTTP, for one manager: two real server processes of test/apps/monitor-app.ts
 * on one store. A scripted mix of jobs (succeed, fail, a job that kills its process, cancel,
 * supersede, time out, a worker process SIGKILLed from outside) run through server A; then both servers'
 * JSON API and Prometheus text show the same numbers, the counters grew by exactly the jobs run,
 * and no monitor route answers without the right token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MONITOR_TOKEN } from '../apps/monitor-app.ts';
import {
  type MonitorApi,
  monitorApi,
  monitorHeaders,
  monitorUntil,
  PageLoad,
  sampleValue,
  scrape,
} from '../support/monitor-client.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';
import type { MonitorFixture } from './fixtures.ts';

const APP = 'test/apps/monitor-app.ts';
const QUICK = { output: 'quick-result.children', input: { id: 'quick-in', property: 'value' } };
const FAIL = { output: 'fail-result.children', input: { id: 'fail-in', property: 'value' } };
const CRASH = { output: 'crash-result.children', input: { id: 'crash-in', property: 'value' } };
const TIMEOUT = { output: 'timeout-result.children', input: { id: 'timeout-in', property: 'value' } };
const SLOW = { output: 'slow-result.children', input: { id: 'run-slow', property: 'n_clicks' } };

const OUTCOMES = ['succeeded', 'failed', 'lost', 'cancelled', 'timed-out', 'superseded'];

/** Every route under the monitor's path, as [method, path]. */
const ROUTES: [string, string][] = [
  ['GET', '/_dash-ts/jobs'],
  ['GET', '/_dash-ts/jobs/'],
  ['GET', '/_dash-ts/jobs/metrics'],
  ['GET', '/_dash-ts/jobs/api/jobs'],
  ['GET', '/_dash-ts/jobs/_dash-layout'],
  ['GET', '/_dash-ts/jobs/_dash-dependencies'],
  ['POST', '/_dash-ts/jobs/_dash-update-component'],
  ['GET', '/_dash-ts/jobs/_dash-component-suites/dash/dcc/dash_core_components.v4_5_0m1.js'],
  ['GET', '/_dash-ts/jobs/_favicon.ico'],
  ['GET', '/_dash-ts/jobs/no/such/page'],
];

function counters(samples: Awaited<ReturnType<typeof scrape>>['samples'], callback: string) {
  return Object.fromEntries(
    OUTCOMES.map((outcome) => [
      outcome,
      sampleValue(samples, 'dash_ts_jobs_finished_total', { callback, outcome }),
    ]),
  );
}

function histogramCount(samples: Awaited<ReturnType<typeof scrape>>['samples'], metric: string): number {
  return samples.filter((s) => s.name === `${metric}_count`).reduce((n, s) => n + s.value, 0);
}

/** What two servers must agree on: counts per callback and in all, and which workers exist. */
function comparable(api: MonitorApi) {
  return {
    totals: api.totals,
    callbacks: api.callbacks,
    workers: api.workers.map((w) => w.id).sort(),
    jobs: api.jobs.map((j) => [j.id, j.outcome]).sort(),
  };
}

export function monitorScenario(name: string, makeFixture: () => Promise<MonitorFixture>): void {
  describe(`jobs monitor over HTTP: ${name}`, { timeout: 180_000 }, () => {
    let fixture: MonitorFixture;
    let a: ServerProcess;
    let b: ServerProcess;

    before(async () => {
      fixture = await makeFixture();
      [a, b] = await Promise.all([
        startServerProcess(APP, fixture.env),
        startServerProcess(APP, fixture.env),
      ]);
    });
    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await fixture?.cleanup();
    });

    it('answers 401 and no data without the right token, on every route of both servers', async () => {
      const wrong: Record<string, string>[] = [
        {},
        { Authorization: 'Bearer wrong-token' },
        { Authorization: `Bearer ${MONITOR_TOKEN.slice(0, -1)}` },
        { Authorization: `Bearer ${MONITOR_TOKEN}x` },
        { Authorization: `Basic ${Buffer.from(`x:${MONITOR_TOKEN}`).toString('base64')}` },
        { Authorization: 'Bearer ' },
        { Cookie: `dash_ts_jobs_monitor=${MONITOR_TOKEN}` },
      ];
      const queries = ['', '?token=', '?token=wrong', `?token=${MONITOR_TOKEN.slice(0, 8)}`];
      for (const server of [a, b]) {
        for (const [method, path] of ROUTES) {
          for (const headers of wrong) {
            for (const query of headers.Authorization || headers.Cookie ? [''] : queries) {
              const response = await fetch(`${server.url}${path}${query}`, {
                method,
                headers,
                body: method === 'POST' ? '{}' : undefined,
              });
              const body = await response.text();
              assert.equal(response.status, 401, `${method} ${path}${query} ${JSON.stringify(headers)}`);
              assert.doesNotMatch(body, /dash_ts_|callbackId|react|_dash-config/);
              assert.equal(response.headers.get('set-cookie'), null);
            }
          }
        }
      }
      // With the token in either form, the same routes answer.
      const page = await fetch(`${a.url}/_dash-ts/jobs?token=${MONITOR_TOKEN}`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /_dash-config/);
      const cookie = page.headers.get('set-cookie') ?? '';
      assert.match(cookie, /HttpOnly; SameSite=Strict/);
      const layout = await fetch(`${a.url}/_dash-ts/jobs/_dash-layout`, {
        headers: { Cookie: cookie.split(';')[0]! },
      });
      assert.equal(layout.status, 200, 'the page session cookie opens the page app routes');
      const api = await fetch(`${b.url}/_dash-ts/jobs/api/jobs`, { headers: monitorHeaders(MONITOR_TOKEN) });
      assert.equal(api.status, 200);
    });

    it('counts a scripted mix the same on both servers, and the counters grow by exactly the jobs run', async () => {
      const before = await scrape(a.url, MONITOR_TOKEN);
      const page = await PageLoad.open(a.url);

      for (const value of [1, 2, 3]) {
        const answer = await page.run(QUICK.output, QUICK.input, value);
        assert.equal(answer.status, 200);
      }
      assert.equal((await page.run(FAIL.output, FAIL.input, 1)).status, 500);
      assert.equal((await page.run(CRASH.output, CRASH.input, 1)).status, 500);
      assert.equal((await page.run(TIMEOUT.output, TIMEOUT.input, 1)).status, 500);

      const isRunning = (job: string) => (api: MonitorApi) =>
        api.active.some((j) => j.id === job && j.state === 'running' && j.worker !== undefined);
      const cancelled = await page.start(SLOW.output, SLOW.input, 1);
      await monitorUntil(a.url, MONITOR_TOKEN, isRunning(cancelled.job), 'the slow job running');
      await page.cancel('cancel-slow', cancelled);
      assert.equal((await page.finish(cancelled)).status, 204);

      const superseded = await page.start(SLOW.output, SLOW.input, 2);
      await monitorUntil(a.url, MONITOR_TOKEN, isRunning(superseded.job), 'the job to supersede running');
      const newer = await page.start(SLOW.output, SLOW.input, 3, `&oldJob=${superseded.job}`);
      assert.equal((await page.finish(superseded)).status, 204);

      // A worker process SIGKILLed from outside while it runs a job: the job ends lost.
      const running = await monitorUntil(a.url, MONITOR_TOKEN, isRunning(newer.job), 'the newer job running');
      const workerId = running.active.find((j) => j.id === newer.job)!.worker!;
      const worker = running.workers.find((w) => w.id === workerId);
      assert.ok(worker, `worker ${workerId} is listed`);
      assert.deepEqual(worker.runningJobs, [newer.job]);
      process.kill(worker.pid, 'SIGKILL');
      const lost = await page.finish(newer);
      assert.equal(lost.status, 500, 'the user sees an error for the job of the killed worker');

      // The job's end may have been recorded by server B's pool, whose records reach the shared
      // store within a flush (RECORDS_FLUSH_MS for SqliteManager): poll for it as for the worker.
      const api = await monitorUntil(
        a.url,
        MONITOR_TOKEN,
        (m) =>
          m.workers.some((w) => w.id === workerId && w.status === 'presumed-dead') &&
          m.failures.some((f) => f.id === newer.job && f.outcome === 'lost'),
        'the killed worker presumed dead and its job lost',
      );
      const byCallback = Object.fromEntries(api.callbacks.map((c) => [c.callbackId, c]));
      assert.deepEqual(byCallback['quick-result.children']?.finished.succeeded, 3);
      assert.deepEqual(byCallback['fail-result.children']?.finished.failed, 1);
      assert.deepEqual(byCallback['crash-result.children']?.finished.lost, 1);
      assert.deepEqual(byCallback['timeout-result.children']?.finished['timed-out'], 1);
      const slow = byCallback['slow-result.children']!;
      assert.deepEqual([slow.finished.cancelled, slow.finished.superseded, slow.finished.lost], [1, 1, 1]);
      assert.deepEqual([slow.queued, slow.running], [0, 0]);
      const failure = api.failures.find((f) => f.callbackId === 'fail-result.children');
      assert.equal(failure?.message, 'monitored job failed on purpose');
      assert.match(failure?.stack ?? '', /monitored job failed on purpose/);
      assert.ok(api.failures.some((f) => f.id === newer.job && f.outcome === 'lost'));
      const body = JSON.stringify(api);
      assert.doesNotMatch(
        body,
        /quick [123]|slow job finished|"value"|"args"|"result"/,
        'no job argument or result is shown',
      );
      assert.doesNotMatch(body, new RegExp(page.endId), 'page loads are shown only as digests');
      // Each job's user (the page's anonymous session) is shown, but is no metrics label.
      assert.ok(page.user, 'the page load set a session cookie');
      assert.equal(api.jobs.length, 9, JSON.stringify(api.jobs));
      for (const job of api.jobs) assert.equal(job.user, page.user, `user of job ${job.id}`);

      // The other server process reads the same store: the same numbers. (Pools replace killed
      // workers meanwhile, so the worker list may change between two reads: read until it settles.)
      const deadline = Date.now() + 20_000;
      let fromA = await monitorApi(a.url, MONITOR_TOKEN);
      let fromB = await monitorApi(b.url, MONITOR_TOKEN);
      while (
        JSON.stringify(comparable(fromA)) !== JSON.stringify(comparable(fromB)) &&
        Date.now() < deadline
      ) {
        await sleep(500);
        fromA = await monitorApi(a.url, MONITOR_TOKEN);
        fromB = await monitorApi(b.url, MONITOR_TOKEN);
      }
      assert.deepEqual(comparable(fromB), comparable(fromA));

      const afterA = await scrape(a.url, MONITOR_TOKEN);
      const afterB = await scrape(b.url, MONITOR_TOKEN);
      const expected: Record<string, Record<string, number>> = {
        'quick-result.children': { succeeded: 3 },
        'fail-result.children': { failed: 1 },
        'crash-result.children': { lost: 1 },
        'timeout-result.children': { 'timed-out': 1 },
        'slow-result.children': { cancelled: 1, superseded: 1, lost: 1 },
      };
      for (const [callback, grown] of Object.entries(expected)) {
        const was = counters(before.samples, callback);
        const now = counters(afterA.samples, callback);
        const delta = Object.fromEntries(OUTCOMES.map((o) => [o, now[o]! - was[o]!]));
        assert.deepEqual(
          delta,
          Object.fromEntries(OUTCOMES.map((o) => [o, grown[o] ?? 0])),
          `counters of ${callback}`,
        );
        assert.deepEqual(counters(afterB.samples, callback), now, `server B's counters of ${callback}`);
      }
      assert.equal(afterA.types.get('dash_ts_jobs_finished_total'), 'counter');
      for (const sample of afterA.samples)
        assert.ok(!('user' in sample.labels), `no user label: ${sample.name}`);
      assert.equal(afterA.types.get('dash_ts_job_run_seconds'), 'histogram');
      // Every job above started once: 3 quick, fail, crash, timeout, and 3 slow ones.
      for (const metric of ['dash_ts_job_wait_seconds', 'dash_ts_job_run_seconds']) {
        assert.equal(
          histogramCount(afterA.samples, metric) - histogramCount(before.samples, metric),
          9,
          metric,
        );
      }
      assert.equal(
        sampleValue(afterA.samples, 'dash_ts_jobs_running', { callback: 'slow-result.children' }),
        0,
      );
      assert.ok(sampleValue(afterA.samples, 'dash_ts_workers_alive', {}) >= 1);
    });
  });
}
