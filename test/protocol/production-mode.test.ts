/**
 * NODE_ENV=production with `debug: true` left on: no stack trace or file path reaches any HTTP
 * answer (an ordinary callback's error, a bad return value, a background job's error polled from
 * a real server with its pool workers), the page gets the production renderer with no dev tools
 * and no hot reload, and one warning line at start says so.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Dash, html, Input, Output } from '../../src/index.ts';
import { recordingLogger } from '../support/http.ts';
import { pageToken, postUpdate, type ServerProcess, startServerProcess } from '../support/server-process.ts';

process.env.NODE_ENV = 'production';
const dir = mkdtempSync(join(tmpdir(), 'dash-ts-production-'));
let server: ServerProcess | undefined;
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What must never be in an answer: stack frames, this file's path, the error's own words. */
function assertNothingLeaks(text: string): void {
  assert.doesNotMatch(text, /\n\s+at |\.ts:\d+|node:internal|\/work\/|file:\/\//, text.slice(0, 300));
  assert.doesNotMatch(text, /kaboom|secret detail/, text.slice(0, 300));
}

const body = (output: string, input: string, value: unknown) => ({
  output: `${output}.children`,
  outputs: { id: output, property: 'children' },
  inputs: [{ id: input, property: 'value', value }],
  changedPropIds: [`${input}.value`],
});

function debugApp() {
  const logger = recordingLogger();
  const app = new Dash({ debug: true, hotReload: true, logger });
  app.layout = html.Div({ id: 'root' });
  app.callback({ output: Output('out', 'children'), inputs: [Input('in', 'value')] }, (value: string) => {
    if (value === 'throw') throw new Error('kaboom: secret detail');
    if (value === 'bad') return 10n; // JSON cannot hold it: a server-side error while answering
    return value;
  });
  return { app, logger };
}

const post = (app: Dash, payload: unknown) =>
  app.fetch(
    new Request('http://localhost/_dash-update-component', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    }),
  );

describe('NODE_ENV=production with debug: true', () => {
  it('warns once per process at start that debug and hot reload stay off', () => {
    const { logger } = debugApp();
    const warnings = logger.lines.filter((line) => line.includes('NODE_ENV=production'));
    assert.equal(warnings.length, 1, logger.lines.join('\n'));
    assert.match(warnings[0]!, /^warn: .*debug: true.*hot reload.*stay off/);
    // Once per process: a second app (the jobs monitor's page is one) says nothing more.
    const second = debugApp();
    assert.equal(second.logger.lines.filter((line) => line.includes('NODE_ENV=production')).length, 0);
  });

  it("a callback's error or bad return value answers a 500 with no stack, path or message", async () => {
    const { app } = debugApp();
    for (const value of ['throw', 'bad']) {
      const res = await post(app, body('out', 'in', value));
      assert.equal(res.status, 500);
      const text = await res.text();
      assertNothingLeaks(text);
      assert.match(text, /internal server error/i);
    }
  });

  it('malformed requests get a message and no stack', async () => {
    const { app } = debugApp();
    for (const payload of [{ output: 'nope.children', outputs: {}, inputs: [] }, 'not json at all']) {
      const res = await post(app, payload);
      assert.ok(res.status >= 400 && res.status < 500, String(res.status));
      assertNothingLeaks(await res.text());
    }
  });

  it('the page has the production renderer, no dev tools and no hot reload', async () => {
    const { app } = debugApp();
    const page = await (await app.fetch(new Request('http://localhost/'))).text();
    assert.match(page, /dash_renderer\.v[\w-]+m\d+\.min\.js/);
    assert.doesNotMatch(page, /dash_renderer[^"]*\.dev\.js/);
    const config = JSON.parse(
      /<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(page)![1]!,
    );
    assert.equal(config.ui, false);
    assert.equal(config.hot_reload, undefined);
    const reload = await (await app.fetch(new Request('http://localhost/_reload-hash'))).json();
    assert.equal((reload as { reloadHash: unknown }).reloadHash, null);
  });

  it("a background job's error polled from a real server answers 500 with no stack; one warning in its log", async () => {
    server = await startServerProcess('test/apps/bg-debug.ts', {
      NODE_ENV: 'production',
      DASH_TS_TEST_DB: join(dir, 'bg.db'),
    });
    const endId = await pageToken(server.url);
    const start = await postUpdate(server.url, clickBody(2), `?endId=${endId}`);
    assert.equal(start.status, 200);
    const { cacheKey, job } = start.json!;
    const deadline = Date.now() + 20_000;
    for (;;) {
      assert.ok(Date.now() < deadline, 'no answer 20 s after the start');
      const res: Response = await fetch(
        `${server.url}/_dash-update-component?endId=${endId}&cacheKey=${cacheKey}&job=${job}`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(clickBody(2)),
        },
      );
      const text = await res.text();
      if (res.status === 500) {
        assert.doesNotMatch(text, /\n\s+at |\.ts:\d+|An error happened|\/work\//, text.slice(0, 300));
        break;
      }
      assert.equal(res.status, 200, text.slice(0, 200));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The server says why it turned debug off, once (its pool workers, which import the app, do not).
    const warnings = server.output().match(/NODE_ENV=production: .* stay off/g) ?? [];
    assert.equal(warnings.length, 1, server.output());
    // The job's error and stack are in the server's log for whoever runs it.
    assert.match(server.output(), /An error happened/);
  });
});

function clickBody(clicks: number) {
  return {
    output: 'output.children',
    outputs: { id: 'output', property: 'children' },
    inputs: [{ id: 'button', property: 'n_clicks', value: clicks }],
    changedPropIds: ['button.n_clicks'],
  };
}
