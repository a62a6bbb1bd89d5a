/**
 * The jobs API (issue 19; src/background/jobs-api.ts) through the app's WHATWG handler, against
 * the fixture test/apps/jobs-api.ts: start, poll with progress, result, cancel (the job's process
 * free again), 401 without the token, bad input, backgroundLimits (429), and jobs of the API out
 * of a page's reach. Run on SqliteManager (jobs-api.test.ts) and BullMQManager (jobs-api-bullmq.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dash } from '../../src/index.ts';
import { postUpdate } from '../support/http.ts';
import { startServerProcess } from '../support/server-process.ts';

const BASE = 'http://localhost/_dash-ts/jobs/api';
const AUTH = { Authorization: 'Bearer jobs-api-token' };

interface View {
  status: string;
  progress: unknown;
  result: unknown;
  error: { kind: string; message: string } | null;
}

export function jobsApiSuite(app: Dash, runsFile: string): void {
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = AUTH) =>
    app.fetch(
      new Request(`${BASE}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );

  async function start(name: string, inputs: Record<string, unknown>): Promise<string> {
    const res = await call('POST', `/callbacks/${name}/jobs`, { inputs });
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { jobId: string }).jobId;
  }

  /** Polls until `done(view)`; returns every view seen. */
  async function pollUntil(jobId: string, done: (view: View) => boolean): Promise<View[]> {
    const seen: View[] = [];
    for (let i = 0; i < 300; i++) {
      const res = await call('GET', `/jobs/${jobId}`);
      assert.equal(res.status, 200, await res.clone().text());
      const view = (await res.json()) as View;
      seen.push(view);
      if (done(view)) return seen;
      await sleep(50);
    }
    throw new Error(`job ${jobId} never got there: ${JSON.stringify(seen.at(-1))}`);
  }

  const runs = () => {
    try {
      return readFileSync(runsFile, 'utf8');
    } catch {
      return '';
    }
  };

  describe('jobs API', () => {
    it('answers 401 without the token, on every route', async () => {
      for (const [method, path] of [
        ['POST', '/callbacks/square/jobs'],
        ['GET', '/jobs/x'],
        ['DELETE', '/jobs/x'],
      ] as const) {
        const res = await call(method, path, method === 'POST' ? { inputs: {} } : undefined, {});
        assert.equal(res.status, 401, `${method} ${path}`);
        const wrong = await call(method, path, undefined, { Authorization: 'Bearer wrong' });
        assert.equal(wrong.status, 401, `${method} ${path} with a wrong token`);
      }
    });

    it('starts a job by name, shows its progress, then its result', async () => {
      const jobId = await start('square', { 'n.value': 7, 'offset.value': 1 });
      const views = await pollUntil(jobId, (v) => v.status === 'finished' || v.status === 'failed');
      const last = views.at(-1)!;
      assert.deepEqual(last, { status: 'finished', progress: last.progress, result: 50, error: null });
      assert.ok(
        views.some((v) => typeof v.progress === 'string' && v.progress.startsWith('step ')),
        JSON.stringify(views),
      );
      // A finished job's answer stays readable.
      assert.equal(((await (await call('GET', `/jobs/${jobId}`)).json()) as View).result, 50);
    });

    it('answers a job to every read on every server process: another server shows its progress and result, then the first reads it too', async () => {
      const jobId = await start('square', { 'n.value': 6, 'offset.value': 2 });
      // A second server process on the same store (the environment names it), its own jobs API.
      const second = await startServerProcess('test/apps/jobs-api.ts', {});
      try {
        const readThere = async () => {
          const res = await fetch(new URL(`/_dash-ts/jobs/api/jobs/${jobId}`, second.url), { headers: AUTH });
          assert.equal(res.status, 200, await res.clone().text());
          return (await res.json()) as View;
        };
        const views: View[] = [];
        for (let i = 0; i < 300 && views.at(-1)?.status !== 'finished'; i++) {
          views.push(await readThere());
          await sleep(50);
        }
        assert.equal(views.at(-1)?.result, 38, JSON.stringify(views));
        assert.ok(
          views.some((v) => typeof v.progress === 'string'),
          JSON.stringify(views),
        );
        // Read there already: the first server reads the result too, and the second again.
        const here = (await (await call('GET', `/jobs/${jobId}`)).json()) as View;
        assert.deepEqual([here.status, here.result], ['finished', 38]);
        assert.equal((await readThere()).result, 38);
      } finally {
        await second.stop('SIGTERM');
      }
    });

    it("reports a job's error", async () => {
      const jobId = await start('square', { 'n.value': 'seven' });
      const last = (await pollUntil(jobId, (v) => v.status === 'failed' || v.status === 'finished')).at(-1)!;
      assert.equal(last.status, 'failed');
      assert.equal(last.error?.kind, 'error');
      assert.match(last.error?.message ?? '', /n must be a number, got "seven"/);
    });

    it('refuses bad input with a 4xx and a message', async () => {
      const cases: [string, unknown, number, RegExp][] = [
        ['/callbacks/nothing/jobs', { inputs: {} }, 404, /no callback is named "nothing"/],
        ['/callbacks/plain/jobs', { inputs: {} }, 400, /not a background callback/],
        ['/callbacks/square/jobs', '{not json', 400, /not valid JSON/],
        ['/callbacks/square/jobs', { inputs: [1] }, 400, /"inputs" must be an object/],
        ['/callbacks/square/jobs', { inputs: { n: 1 } }, 400, /no argument "n".*"n\.value", "offset\.value"/],
        [
          '/callbacks/wait/jobs',
          { inputs: { 'ms.value': 1 } },
          400,
          /no argument "ms\.value".*"ms", "label"/,
        ],
      ];
      for (const [path, body, status, message] of cases) {
        const res = await call('POST', path, body);
        assert.equal(res.status, status, path);
        assert.match(((await res.json()) as { message: string }).message, message);
      }
      assert.equal((await call('GET', '/jobs/no-such-job')).status, 404);
      assert.equal((await call('DELETE', '/jobs/no-such-job')).status, 404);
    });

    it('cancels a running job: its signal fires and its process takes the next job', async () => {
      const jobId = await start('wait', { ms: 60_000, label: 'cancelled-1' });
      await pollUntil(jobId, (v) => v.status === 'running');
      const res = await call('DELETE', `/jobs/${jobId}`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as View).status, 'cancelled');
      for (let i = 0; !runs().includes('cancelled-1 aborted'); i++) {
        assert.ok(i < 100, 'the job was not aborted');
        await sleep(50);
      }
      assert.equal(((await (await call('GET', `/jobs/${jobId}`)).json()) as View).status, 'cancelled');
      // One job slot: the next job runs at once, so the cancelled one no longer holds it.
      const begun = Date.now();
      const next = await start('square', { 'n.value': 3 });
      const last = (await pollUntil(next, (v) => v.status === 'finished')).at(-1)!;
      assert.equal(last.result, 9);
      assert.ok(Date.now() - begun < 10_000, `the next job took ${Date.now() - begun} ms`);
    });

    it('applies backgroundLimits: past perPage a start is 429, naming the limit', async () => {
      const held = [
        await start('wait', { ms: 60_000, label: 'held-1' }),
        await start('wait', { ms: 60_000, label: 'held-2' }),
      ];
      const refused = await call('POST', '/callbacks/wait/jobs', { inputs: { ms: 1, label: 'over' } });
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('Retry-After'), '1');
      const body = (await refused.json()) as { message: string; limit: string };
      assert.equal(body.limit, 'perPage');
      assert.match(body.message, /backgroundLimits\.perPage = 2/);
      for (const jobId of held) assert.equal((await call('DELETE', `/jobs/${jobId}`)).status, 200);
    });

    it("keeps the API's jobs and a page's apart", async () => {
      const jobId = await start('wait', { ms: 60_000, label: 'apart' });
      // A page polling or cancelling the job by its id reaches nothing.
      const html = await (await app.fetch(new Request('http://localhost/'))).text();
      const endId = JSON.parse(
        /<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!,
      ).end_id as string;
      const body = {
        output: 'wait-out.children',
        outputs: { id: 'wait-out', property: 'children' },
        inputs: [
          { id: 'ms', property: 'value', value: null },
          { id: 'label', property: 'value', value: null },
        ],
        changedPropIds: [],
      };
      const poll = await postUpdate(app, body, `?endId=${endId}&cacheKey=guess&job=${jobId}`);
      assert.equal(poll.status, 204);
      // The job shows in the monitor's view, and is still the API's to cancel.
      const view = JSON.stringify(await (await call('GET', '/jobs')).json());
      assert.ok(view.includes(jobId), view);
      assert.equal(((await (await call('DELETE', `/jobs/${jobId}`)).json()) as View).status, 'cancelled');
    });
  });
}
