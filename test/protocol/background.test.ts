/**
 * The background protocol over HTTP, as the renderer speaks it: start, polls, oldJob,
 * cancelJob, caching, and the handle checks (forged, foreign and stale handles touch nothing).
 * Real SqliteManager, real worker processes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Dash } from '../../src/index.ts';
import { getJson, postUpdate } from '../support/http.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-bg-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
process.env.DASH_TS_TEST_RUNS = join(dir, 'runs.txt');
const fixture = await import('../apps/background-protocol.ts');
const app: Dash = fixture.app;

async function pageToken(): Promise<string> {
  const html = await (await app.fetch(new Request('http://localhost/'))).text();
  const config = JSON.parse(
    /<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!,
  );
  return config.end_id as string;
}

function body(output: string, inputId: string, value: unknown, extra: Record<string, unknown> = {}) {
  return {
    output,
    outputs: { id: output.split('.')[0], property: output.split('.')[1] },
    inputs: [{ id: inputId, property: 'value', value }],
    changedPropIds: [`${inputId}.value`],
    ...extra,
  };
}

interface StartAnswer {
  cacheKey: string;
  job: string;
  response?: Record<string, Record<string, unknown>>;
  cancel?: unknown;
  progressDefault?: unknown;
  progress?: Record<string, unknown>;
  sideUpdate?: Record<string, unknown>;
}

async function start(endId: string, requestBody: unknown, extraQuery = ''): Promise<Response> {
  return postUpdate(app, requestBody, `?endId=${endId}${extraQuery}`);
}

/** Polls like the renderer (values nulled) until an answer carries `response` or is not 200. */
async function pollUntilDone(endId: string, requestBody: Record<string, unknown>, handles: StartAnswer) {
  const polled = {
    ...requestBody,
    inputs: (requestBody.inputs as object[]).map((i) => ({ ...i, value: null })),
  };
  const seen: (StartAnswer & Record<string, unknown>)[] = [];
  for (let i = 0; i < 100; i++) {
    const res = await postUpdate(
      app,
      polled,
      `?endId=${endId}&cacheKey=${handles.cacheKey}&job=${handles.job}`,
    );
    if (res.status !== 200) return { status: res.status, seen, last: undefined };
    const json = (await res.json()) as StartAnswer & Record<string, unknown>;
    seen.push(json);
    if (json.response !== undefined) return { status: 200, seen, last: json };
  }
  throw new Error('job never finished');
}

async function poll(endId: string, requestBody: Record<string, unknown>, cacheKey: string, job: string) {
  return postUpdate(app, requestBody, `?endId=${endId}&cacheKey=${cacheKey}&job=${job}`);
}

describe('background callbacks over HTTP (SqliteManager)', () => {
  let endId = '';
  before(async () => {
    endId = await pageToken();
  });
  after(async () => {
    const server = await app.run({ port: 0 });
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists background callbacks with only {interval} and the hidden cancel callback', async () => {
    const deps = (await getJson(app, '/_dash-dependencies')) as Record<string, unknown>[];
    const slow = deps.find((d) => d.output === 'slow.children')!;
    assert.deepEqual(slow.background, { interval: 100 });
    const cancel = deps.find((d) => d.output === 'slow-cancel.id')!;
    assert.deepEqual(cancel.inputs, [{ id: 'slow-cancel', property: 'n_clicks' }]);
    assert.equal(cancel.prevent_initial_call, true);
    assert.equal(cancel.hidden, null);
  });

  it('issues signed, URL-safe page tokens, fresh per page load', async () => {
    const again = await pageToken();
    assert.match(endId, /^[A-Za-z0-9_-]{32,}$/);
    assert.notEqual(again, endId);
  });

  it('answers a trivial job in the start response itself, with both handles', async () => {
    // A warm pool first: a cold one spends the start window starting its processes.
    const warmUp = body('quick.children', 'quick-in', 'warm');
    const warm = (await (await start(endId, warmUp)).json()) as StartAnswer;
    if (!warm.response) await pollUntilDone(endId, warmUp, warm);
    const res = await start(endId, body('quick.children', 'quick-in', 'x'));
    assert.equal(res.status, 200);
    const answer = (await res.json()) as StartAnswer;
    assert.match(answer.job, /^[A-Za-z0-9_-]{16,}$/);
    assert.match(answer.cacheKey, /^[A-Za-z0-9_-]{16,}$/);
    assert.deepEqual(answer.response, { quick: { children: 'quick x' } });
  });

  it('runs a slow job: handles, cancel and progressDefault first, then progress, then the result, then 204', async () => {
    const request = body('slow.children', 'slow-in', 3);
    const first = (await (await start(endId, request)).json()) as StartAnswer;
    assert.equal(first.response, undefined);
    assert.deepEqual(first.cancel, [{ id: 'slow-cancel', property: 'n_clicks' }]);
    // A falsy default (0) is kept, unlike Dash which drops it.
    assert.deepEqual(first.progressDefault, { 'slow-progress.children': 0 });
    const { last, seen } = await pollUntilDone(endId, request, first);
    const progressValues = seen.map(
      (s) => (s.progress as Record<string, unknown> | undefined)?.['slow-progress.children'],
    );
    assert.ok(progressValues.includes('1/3') || progressValues.includes('2/3'), JSON.stringify(seen));
    assert.deepEqual(last!.response, { slow: { children: 'done 3' } });
    for (const answer of seen.slice(0, -1))
      assert.equal(answer.response, undefined, 'no response while running');
    const again = await poll(endId, request, first.cacheKey, first.job);
    assert.equal(again.status, 204, 'a delivered job is gone');
  });

  it('delivers every setProps call merged per component', async () => {
    const request = body('side.children', 'side-in', 1);
    const first = (await (await start(endId, request)).json()) as StartAnswer;
    const final = first.response ? first : (await pollUntilDone(endId, request, first)).last!;
    assert.deepEqual(final.sideUpdate, {
      a: { children: 'first', style: { color: 'red' } },
      b: { children: 'other' },
    });
    assert.deepEqual(final.response, { side: { children: 'side done' } });
  });

  it('answers forged, foreign and stale handles with 204 and leaves the job alone', async () => {
    const request = body('slow.children', 'slow-in', 2);
    const first = (await (await start(endId, request)).json()) as StartAnswer;
    const otherPage = await pageToken();
    assert.equal((await poll(endId, request, 'forged', first.job)).status, 204);
    assert.equal((await poll(endId, request, first.cacheKey, 'another-job')).status, 204);
    assert.equal((await poll(otherPage, request, first.cacheKey, first.job)).status, 204, 'foreign page');
    assert.equal((await poll('not-a-token', request, first.cacheKey, first.job)).status, 204, 'bad endId');
    const otherCallback = body('quick.children', 'quick-in', null);
    assert.equal((await poll(endId, otherCallback, first.cacheKey, first.job)).status, 204, 'other callback');
    // The owner still gets the result.
    const { last } = await pollUntilDone(endId, request, first);
    assert.deepEqual(last!.response, { slow: { children: 'done 2' } });
  });

  it('refuses to start a background job without a valid endId', async () => {
    const res = await postUpdate(app, body('quick.children', 'quick-in', 'x'));
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /endId/);
  });

  it('oldJob supersedes this page’s job of the same outputs, and only that', async () => {
    const request = body('slow.children', 'slow-in', 3);
    const old = (await (await start(endId, request)).json()) as StartAnswer;
    // Another page cannot supersede it.
    const otherPage = await pageToken();
    const foreign = (await (await start(otherPage, request, `&oldJob=${old.job}`)).json()) as StartAnswer;
    const stillRunning = await poll(endId, request, old.cacheKey, old.job);
    assert.equal(stillRunning.status, 200, 'a foreign oldJob touches nothing');
    // The same page can.
    const newer = (await (await start(endId, request, `&oldJob=${old.job}`)).json()) as StartAnswer;
    const superseded = await pollUntilDone(endId, request, old);
    assert.equal(superseded.status, 204, 'the superseded job answers 204 and never a result');
    const { last } = await pollUntilDone(endId, request, newer);
    assert.deepEqual(last!.response, { slow: { children: 'done 3' } });
    const foreignDone = await pollUntilDone(otherPage, request, foreign);
    assert.deepEqual(foreignDone.last!.response, { slow: { children: 'done 3' } });
  });

  it('supersedes per resolved MATCH id: another item’s request cannot cancel this item’s job', async () => {
    const output = '{"index":["MATCH"],"type":"m-out"}.children';
    const item = (index: number, ms: number | null) => ({
      output,
      outputs: { id: { type: 'm-out', index }, property: 'children' },
      inputs: [{ id: { type: 'm-in', index }, property: 'value', value: ms }],
      changedPropIds: [`{"index":${index},"type":"m-in"}.value`],
    });
    const one = (await (await start(endId, item(1, 400))).json()) as StartAnswer;
    const two = (await (await start(endId, item(2, 400), `&oldJob=${one.job}`)).json()) as StartAnswer;
    const oneDone = await pollUntilDone(endId, item(1, null), one);
    assert.deepEqual(oneDone.last!.response, { '{"index":1,"type":"m-out"}': { children: 'slept 400' } });
    // The same item's newer call does supersede.
    const twoAgain = (await (await start(endId, item(2, 300), `&oldJob=${two.job}`)).json()) as StartAnswer;
    assert.equal((await pollUntilDone(endId, item(2, null), two)).status, 204);
    const latest = await pollUntilDone(endId, item(2, null), twoAgain);
    assert.deepEqual(latest.last!.response, { '{"index":2,"type":"m-out"}': { children: 'slept 300' } });
  });

  it('cancelJob through the hidden cancel callback stops this page’s job; a foreign page cannot', async () => {
    const request = body('slow.children', 'slow-in', 5);
    const job = (await (await start(endId, request)).json()) as StartAnswer;
    const cancelBody = {
      output: 'slow-cancel.id',
      outputs: { id: 'slow-cancel', property: 'id' },
      inputs: [{ id: 'slow-cancel', property: 'n_clicks', value: 1 }],
      changedPropIds: ['slow-cancel.n_clicks'],
    };
    const otherPage = await pageToken();
    const foreign = await postUpdate(app, cancelBody, `?endId=${otherPage}&cancelJob=${job.job}`);
    assert.deepEqual(await foreign.json(), { multi: true, response: {} });
    assert.equal((await poll(endId, request, job.cacheKey, job.job)).status, 200, 'still running');
    const own = await postUpdate(app, cancelBody, `?endId=${endId}&cancelJob=${job.job}`);
    assert.deepEqual(await own.json(), { multi: true, response: {} });
    const after = await pollUntilDone(endId, request, job);
    assert.equal(after.status, 204, 'a cancelled job answers 204');
  });

  it('ignores cancelJob on an ordinary (non-cancel) request', async () => {
    const request = body('slow.children', 'slow-in', 2);
    const job = (await (await start(endId, request)).json()) as StartAnswer;
    await start(endId, body('quick.children', 'quick-in', 'y'), `&cancelJob=${job.job}`);
    const { last } = await pollUntilDone(endId, request, job);
    assert.deepEqual(last!.response, { slow: { children: 'done 2' } });
  });

  it('a job error without handler becomes a 500; the app onError and callback onError receive the message', async () => {
    const failing = body('fails.children', 'fails-in', 1);
    const first = (await (await start(endId, failing)).json()) as StartAnswer;
    assert.deepEqual(first.response, {
      fails: { children: 'app onError: An error occurred inside a background callback: the job broke' },
    });
    const handled = body('fails-handled.children', 'fails-handled-in', 1);
    const second = (await (await start(endId, handled)).json()) as StartAnswer;
    assert.deepEqual(second.response, {
      'fails-handled': {
        children: 'callback onError: An error occurred inside a background callback: handled break',
      },
    });
    // The handler's context is the request's, even when the answer comes in the start response.
    assert.deepEqual(second.sideUpdate, { 'error-note': { children: 'handled at /_dash-update-component' } });
  });

  it('a worker killed mid-job becomes an error the user sees', async () => {
    const request = body('crash.children', 'crash-in', 1);
    const first = (await (await start(endId, request)).json()) as StartAnswer;
    const final = first.response ? first : (await pollUntilDone(endId, request, first)).last!;
    const text = String(final.response?.crash?.children);
    assert.match(text, /^app onError: An error occurred inside a background callback: .*SIGKILL/);
  });

  it('noUpdate inside a job leaves that output out; PreventUpdate answers 204', async () => {
    const multi = {
      output: '..multi-a.children...multi-b.children..',
      outputs: [
        { id: 'multi-a', property: 'children' },
        { id: 'multi-b', property: 'children' },
      ],
      inputs: [{ id: 'multi-in', property: 'value', value: 'A' }],
      changedPropIds: [],
    };
    const first = (await (await start(endId, multi)).json()) as StartAnswer;
    const final = first.response ? first : (await pollUntilDone(endId, multi, first)).last!;
    assert.deepEqual(final.response, { 'multi-a': { children: 'A' } });
    const prevented = await start(endId, body('prevented.children', 'prevented-in', 1));
    assert.equal(prevented.status, 204);
  });

  it('caches with cacheBy: a hit answers at once without running the job; cacheBy values and ignored args count as Dash does', async () => {
    const runs = () =>
      readFileSync(process.env.DASH_TS_TEST_RUNS!, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('cached:'));
    const request = (value: string, ignored: string) => ({
      ...body('cached.children', 'cached-in', value),
      state: [{ id: 'cached-ignored', property: 'value', value: ignored }],
    });
    const finish = async (req: Record<string, unknown>) => {
      const first = (await (await start(endId, req)).json()) as StartAnswer;
      return first.response ? first : (await pollUntilDone(endId, req, first)).last!;
    };
    assert.deepEqual((await finish(request('A', 'x'))).response, { cached: { children: 'computed A' } });
    const before = runs().length;
    assert.deepEqual((await finish(request('A', 'different'))).response, {
      cached: { children: 'computed A' },
    });
    assert.equal(runs().length, before, 'a cache hit (ignored arg differs) runs no job');
    await finish(request('B', 'x'));
    assert.equal(runs().length, before + 1, 'another value is a miss');
    fixture.setCacheGeneration('two');
    await finish(request('A', 'x'));
    assert.equal(runs().length, before + 2, 'a changed cacheBy value is a miss');
  });
});
