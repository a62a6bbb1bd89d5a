/**
 * backgroundLimits.perUser (issue 18, item 5): a user's unfinished jobs are counted across all
 * their page loads (tabs); past the limit a start is refused like perPage: HTTP 429 with
 * Retry-After and the limit named where no onError handles it, else through onError. Another user
 * keeps starting, and once the user's jobs end they may start again. Real SqliteManager and
 * workers; the counting itself is in the Manager contract (test/conformance/users.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Dash } from '../../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-limits-user-'));
process.env.DASH_TS_TEST_DB_USER = join(dir, 'bg.db');
const { app } = (await import('../apps/bg-limits-user.ts')) as { app: Dash };

async function pageToken(): Promise<string> {
  const html = await (await app.fetch(new Request('http://localhost/'))).text();
  return JSON.parse(/<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!)
    .end_id as string;
}

let items = 0;
function start(user: string, endId: string, ms: number, output = 'hold'): Promise<Response> {
  const item = ++items;
  const body =
    output === 'hold'
      ? {
          output: '{"index":["MATCH"],"type":"hold"}.children',
          outputs: { id: { type: 'hold', index: item }, property: 'children' },
          inputs: [{ id: { type: 'hold-in', index: item }, property: 'value', value: ms }],
          changedPropIds: [`{"index":${item},"type":"hold-in"}.value`],
        }
      : {
          output: 'handled.children',
          outputs: { id: 'handled', property: 'children' },
          inputs: [{ id: 'handled-in', property: 'value', value: ms }],
          changedPropIds: ['handled-in.value'],
        };
  return app.fetch(
    new Request(`http://localhost/_dash-update-component?endId=${endId}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-User': user },
      body: JSON.stringify(body),
    }),
  );
}

describe('backgroundLimits.perUser', () => {
  it('must be a positive integer when given', () => {
    for (const perUser of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => new Dash({ backgroundLimits: { perUser } }),
        /backgroundLimits\.perUser must be a positive integer/,
      );
    }
  });

  after(async () => {
    await (await app.run({ port: 0 })).close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a user's start past perUser across their tabs: 429 naming the limit, or onError; others go on", async () => {
    const [tab1, tab2, tab3] = [await pageToken(), await pageToken(), await pageToken()];
    for (const tab of [tab1, tab2]) {
      const res = await start('ada', tab, 3000);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { response?: unknown }).response, undefined);
    }
    // A third tab of the same user: refused, though that page holds no job.
    const refused = await start('ada', tab3, 10);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('Retry-After'), '1');
    const body = (await refused.json()) as { message: string; limit: string };
    assert.equal(body.limit, 'perUser');
    assert.match(body.message, /backgroundLimits\.perUser = 2/);
    // With its own onError, the refusal is the callback's answer.
    const handled = await start('ada', tab3, 10, 'handled');
    assert.equal(handled.status, 200);
    const answer = (await handled.json()) as { response?: { handled: { children: string } } };
    assert.match(answer.response?.handled.children ?? '', /^handled: .*backgroundLimits\.perUser = 2/);
    // Another user, even on a page of the first one's, is not held back.
    const other = await start('bob', tab3, 10);
    assert.equal(other.status, 200);
    await other.arrayBuffer();
    // Once ada's jobs end, she may start again.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const again = await start('ada', tab3, 10);
      if (again.status === 200) break;
      assert.equal(again.status, 429);
      await again.arrayBuffer();
      assert.ok(Date.now() < deadline, "ada's jobs never ended");
      await sleep(200);
    }
  });
});
