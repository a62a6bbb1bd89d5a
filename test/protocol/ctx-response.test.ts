/**
 * `ctx.response` over HTTP: cookies and headers from ordinary callbacks (200, 204, onError),
 * none from a failed one, a refused header value, and the clear error a background job gets.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Dash, RunningServer } from '../../src/index.ts';
import { callBody, postUpdate } from '../support/http.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-response-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
const { app } = (await import('../apps/host-extras.ts')) as { app: Dash };

const call = (output: string, input: string, prop: string, value: unknown, query = '') =>
  postUpdate(
    app,
    callBody(
      output,
      { id: output.split('.')[0], property: output.split('.')[1] },
      [{ id: input, property: prop, value }],
      {
        changed: [`${input}.${prop}`],
      },
    ),
    query,
  );

describe('ctx.response in ordinary callbacks', () => {
  it('sets cookies and headers on the 200 answer', async () => {
    const res = await call('login.children', 'user', 'value', 'ada');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { multi: true, response: { login: { children: 'hello ada' } } });
    const cookies = res.headers.getSetCookie();
    assert.equal(cookies.length, 2);
    assert.match(cookies[0]!, /^session=user%3Dada; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.equal(cookies[1], 'theme=dark; Path=/');
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    assert.equal(res.headers.get('x-trace'), 'a, b');
    assert.equal(res.headers.get('content-type'), 'application/json');
  });

  it('the cookie comes back in ctx.cookies on the next call', async () => {
    const first = await call('login.children', 'user', 'value', 'ada');
    const cookie = first.headers.getSetCookie()[0]!.split(';')[0]!;
    await first.arrayBuffer();
    const seen = await app.fetch(
      new Request('http://localhost/_dash-update-component', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie },
        body: JSON.stringify(
          callBody('login.children', { id: 'login', property: 'children' }, [
            { id: 'user', property: 'value', value: 'bob' },
          ]),
        ),
      }),
    );
    assert.deepEqual(await seen.json(), {
      multi: true,
      response: { login: { children: 'hello bob (was user=ada)' } },
    });
  });

  it('deletes a cookie on a 204 (PreventUpdate) answer', async () => {
    const res = await call('logout.children', 'bye', 'n_clicks', 1);
    assert.equal(res.status, 204);
    const [cookie] = res.headers.getSetCookie();
    assert.match(cookie!, /^session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT$/);
  });

  it('a failed callback sends no cookie (as Dash: its 500 answer is made anew)', async () => {
    const res = await call('broken.children', 'b', 'value', 1);
    assert.equal(res.status, 500);
    assert.deepEqual(res.headers.getSetCookie(), []);
    await res.arrayBuffer();
  });

  it('onError may set cookies too', async () => {
    const res = await call('recovered.children', 'r', 'value', 1);
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.getSetCookie(), ['recovered=yes; Path=/']);
    assert.deepEqual(await res.json(), {
      multi: true,
      response: { recovered: { children: 'recovered from boom' } },
    });
  });

  it('a header value with a line break is refused inside the callback (no header injection)', async () => {
    const ok = await call('injected.children', 'i', 'value', 'fine');
    assert.equal(ok.headers.get('x-echo'), 'fine');
    await ok.arrayBuffer();
    const res = await call('injected.children', 'i', 'value', 'x\r\nSet-Cookie: evil=1');
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('x-echo'), null);
    assert.deepEqual(res.headers.getSetCookie(), []);
    await res.arrayBuffer();
  });
});

describe('ctx.response in a background job', () => {
  let server: RunningServer;
  before(async () => {
    server = await app.run({ port: 0 });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("throws a BackgroundResponseError that says what to do instead, and the job's onError sees it", async () => {
    const page = await (await fetch(`${server.url}/`)).text();
    const endId = JSON.parse(
      /<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(page)![1]!,
    ).end_id;
    const body = callBody(
      'bg-out.children',
      { id: 'bg-out', property: 'children' },
      [{ id: 'bg-in', property: 'value', value: 1 }],
      {
        changed: ['bg-in.value'],
      },
    );
    const post = async (query: string) =>
      fetch(`${server.url}/_dash-update-component?endId=${endId}${query}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    let answer = (await (await post('')).json()) as Record<string, unknown>;
    for (let i = 0; i < 100 && answer.response === undefined; i++) {
      const res = await post(`&cacheKey=${answer.cacheKey}&job=${answer.job}`);
      assert.equal(res.status, 200);
      const next = (await res.json()) as Record<string, unknown>;
      answer = { cacheKey: answer.cacheKey, job: answer.job, ...next };
    }
    const text = (answer.response as { 'bg-out': { children: string } })['bg-out'].children;
    assert.match(text, /ctx\.response\.setCookie\(\) is not available in a background callback/);
    assert.match(text, /ordinary callback/);
  });
});
