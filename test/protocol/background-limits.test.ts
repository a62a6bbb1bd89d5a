/**
 * backgroundLimits (issue 8, item 4): past `perPage` unfinished jobs of one page load, or past
 * `queued` jobs waiting in the store, a start is refused through onError with a message naming
 * the limit and nothing is queued; other pages' jobs keep finishing. Where no onError handles
 * it, the refusal is HTTP 429 with Retry-After and a JSON message (issue 16). Real SqliteManager
 * and workers (the counting itself is in the Manager contract, for both managers).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Dash } from '../../src/index.ts';
import { postUpdate } from '../support/http.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-limits-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
process.env.DASH_TS_TEST_DB_429 = join(dir, 'bg-429.db');
const app: Dash = (await import('../apps/bg-limits.ts')).app;
const unhandledApp: Dash = (await import('../apps/bg-limits-429.ts')).app;

async function pageToken(on: Dash = app): Promise<string> {
  const html = await (await on.fetch(new Request('http://localhost/'))).text();
  return JSON.parse(/<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!)
    .end_id as string;
}

let items = 0;
/** A start of the `hold` callback for `item` (a fresh item each time unless given). */
const holdBody = (ms: number | null, item = ++items) => ({
  output: '{"index":["MATCH"],"type":"hold"}.children',
  outputs: { id: { type: 'hold', index: item }, property: 'children' },
  inputs: [{ id: { type: 'hold-in', index: item }, property: 'value', value: ms }],
  changedPropIds: [`{"index":${item},"type":"hold-in"}.value`],
});
const childrenOf = (answer: Answer) => Object.values(answer.response ?? {})[0]?.children;

interface Answer {
  cacheKey?: string;
  job?: string;
  response?: Record<string, { children: string }>;
}

/** Starts `hold` for a fresh item; the answer carries the item, for its polls. */
async function start(endId: string, ms: number): Promise<Answer & { item: number }> {
  const item = ++items;
  const res = await postUpdate(app, holdBody(ms, item), `?endId=${endId}`);
  assert.equal(res.status, 200);
  return { ...((await res.json()) as Answer), item };
}

async function finish(endId: string, ms: number): Promise<string | undefined> {
  let answer = await start(endId, ms);
  for (let i = 0; answer.response === undefined; i++) {
    assert.ok(i < 300, 'the job never finished');
    const res = await postUpdate(
      app,
      holdBody(null, answer.item),
      `?endId=${endId}&cacheKey=${answer.cacheKey}&job=${answer.job}`,
    );
    if (res.status === 200) answer = { ...answer, ...((await res.json()) as Answer) };
  }
  return childrenOf(answer);
}

describe('backgroundLimits', () => {
  after(async () => {
    for (const each of [app, unhandledApp]) {
      const server = await each.run({ port: 0 });
      await server.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a page past perPage through onError, naming the limit, while another page keeps working', async () => {
    const flooder = await pageToken();
    for (let i = 0; i < 3; i++) assert.equal((await start(flooder, 1500)).response, undefined);
    const refused = await start(flooder, 1500);
    assert.match(childrenOf(refused) ?? '', /^refused: .*backgroundLimits\.perPage = 3/);
    // Nothing was queued for it: its handle names no job.
    const poll = await postUpdate(
      app,
      holdBody(null, refused.item),
      `?endId=${flooder}&cacheKey=${refused.cacheKey}&job=${refused.job}`,
    );
    assert.equal(poll.status, 204);
    assert.equal(await finish(await pageToken(), 10), 'held 10');
    // Once its jobs are done, the flooding page may start again.
    let again = await start(flooder, 10);
    for (let i = 0; childrenOf(again)?.startsWith('refused'); i++) {
      assert.ok(i < 100, 'the held jobs never finished');
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await start(flooder, 10);
    }
  });

  it('refuses any page once `queued` jobs wait in the store', async () => {
    let refusal: string | undefined;
    for (let i = 0; i < 12 && refusal === undefined; i++) {
      const answer = await start(await pageToken(), 20_000);
      refusal = childrenOf(answer);
    }
    assert.match(refusal ?? 'never refused', /^refused: .*backgroundLimits\.queued = 4/);
  });

  it('answers 429 with Retry-After and the limit named where no onError handles the refusal', async () => {
    const endId = await pageToken(unhandledApp);
    for (let i = 0; i < 2; i++) {
      const res = await postUpdate(unhandledApp, holdBody(1500), `?endId=${endId}`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as Answer).response, undefined);
    }
    const refused = await postUpdate(unhandledApp, holdBody(1500), `?endId=${endId}`);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('Retry-After'), '1');
    assert.match(refused.headers.get('Content-Type') ?? '', /^application\/json/);
    const body = (await refused.json()) as { message: string; limit: string };
    assert.equal(body.limit, 'perPage');
    assert.match(body.message, /backgroundLimits\.perPage = 2/);

    // A callback with its own onError still gets the refusal, as a normal answer.
    const handled = await postUpdate(
      unhandledApp,
      {
        output: 'handled.children',
        outputs: { id: 'handled', property: 'children' },
        inputs: [{ id: 'handled-in', property: 'value', value: 10 }],
        changedPropIds: ['handled-in.value'],
      },
      `?endId=${endId}`,
    );
    assert.equal(handled.status, 200);
    const answer = (await handled.json()) as { response?: { handled: { children: string } } };
    assert.match(answer.response?.handled.children ?? '', /^handled: .*backgroundLimits\.perPage = 2/);
  });
});
