/**
 * Hostile request bodies (issue 8, items 5 and 6): a cross-site form post is refused with 415
 * before any callback runs; a body nested thousands deep is a 400 naming the problem, never a
 * 500; real data (a plotly-like figure, or anything a few hundred levels deep) still passes.
 * The guards sit in the route, before any background manager sees the body.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_JSON_DEPTH } from '../../src/app/body-guards.ts';
import { ALL, Dash, html, Input, Output } from '../../src/index.ts';
import { callBody, postUpdate, recordingLogger } from '../support/http.ts';

function newApp() {
  const logger = recordingLogger();
  const app = new Dash({ logger });
  app.layout = html.Div({ id: 'root' });
  const calls = { echo: 0 };
  app.callback({ output: Output('out', 'children'), inputs: [Input('in', 'value')] }, (value: unknown) => {
    calls.echo++;
    return value;
  });
  app.callback(
    { output: Output('count', 'children'), inputs: [Input({ type: 'item', index: ALL }, 'value')] },
    (values: unknown[]) => values.length,
  );
  return { app, logger, calls };
}

const echoBody = (value: unknown) =>
  callBody('out.children', { id: 'out', property: 'children' }, [{ id: 'in', property: 'value', value }]);

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
  return value;
}

function post(app: Dash, contentType: string | undefined, body: string): Promise<Response> {
  const headers: Record<string, string> = contentType === undefined ? {} : { 'Content-Type': contentType };
  return app.fetch(new Request('http://localhost/_dash-update-component', { method: 'POST', headers, body }));
}

describe('hostile request bodies', () => {
  it('refuses non-JSON content types with 415 and runs no callback', async () => {
    const { app, calls } = newApp();
    const body = JSON.stringify(echoBody('from another site'));
    for (const type of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      undefined,
    ]) {
      const res = await post(app, type, body);
      assert.equal(res.status, 415, String(type));
      assert.match(((await res.json()) as { message: string }).message, /application\/json/);
    }
    assert.equal(calls.echo, 0);
    // What the renderer sends, with or without a charset.
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON']) {
      const res = await post(app, type, body);
      assert.equal(res.status, 200, type);
    }
    assert.equal(calls.echo, 3);
  });

  it('answers a value or id nested thousands deep with 400 naming the depth, then keeps serving', async () => {
    const { app, logger } = newApp();
    // Written as text: JSON.stringify itself overflows the stack on such values.
    const deep = `${'[{"a":'.repeat(2500)}0${'}]'.repeat(2500)}`;
    const deepValue = JSON.stringify(echoBody('DEEP')).replace('"DEEP"', deep);
    const deepId = JSON.stringify(
      callBody('count.children', { id: 'count', property: 'children' }, [
        [{ id: { type: 'item', index: 'DEEP' }, property: 'value', value: 1 }],
      ]),
    ).replace('"DEEP"', deep);
    for (const body of [deepValue, deepId]) {
      const res = await postUpdate(app, body);
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { message: string }).message, /nested more than 1000 levels/);
    }
    assert.ok(!logger.lines.some((line) => line.startsWith('error:')), logger.lines.join('\n'));
    const ok = await postUpdate(app, echoBody('still here'));
    assert.equal(ok.status, 200);
  });

  it('brackets inside strings do not count, and real data passes', async () => {
    const { app } = newApp();
    const figure = {
      data: [{ type: 'scatter', x: [1, 2, 3], y: [3, 1, 2], marker: { line: { color: '[[[{{{' } } }],
      layout: {
        title: { text: '['.repeat(5000) },
        xaxis: { rangeslider: { yaxis: { rangemode: 'match' } } },
      },
    };
    for (const value of [figure, nested(MAX_JSON_DEPTH - 10)]) {
      const res = await postUpdate(app, echoBody(value));
      assert.equal(res.status, 200);
      const answer = (await res.json()) as { response: { out: { children: unknown } } };
      assert.deepEqual(answer.response.out.children, value);
    }
  });
});

describe('clients that go away', () => {
  it('a client closing its connection mid-body is one debug line, without a stack, never an error', async () => {
    const { app, logger } = newApp();
    const server = await app.run({ port: 0 });
    try {
      const { port } = new URL(server.url);
      for (let i = 0; i < 20; i++) {
        await new Promise<void>((resolve) => {
          const socket = connect(Number(port), '127.0.0.1', () => {
            socket.write(
              'POST /_dash-update-component HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
                'Content-Length: 1000\r\n\r\n{"output":',
            );
            setTimeout(() => {
              socket.destroy();
              resolve();
            }, 20);
          });
        });
      }
      // The server noticed every one (the abort is asynchronous).
      for (let i = 0; i < 100 && logger.lines.filter((l) => l.startsWith('debug:')).length < 20; i++) {
        await sleep(20);
      }
      const debug = logger.lines.filter((l) => l.startsWith('debug:'));
      assert.equal(debug.length, 20, logger.lines.join('\n'));
      assert.ok(debug.every((l) => /closed the connection/.test(l) && !l.includes('\n')));
      assert.deepEqual(
        logger.lines.filter((l) => l.startsWith('error:') || l.startsWith('warn:')),
        [],
      );
    } finally {
      await server.close();
    }
  });

  it('a quiet server hands the garbage of a burst of large bodies back within seconds (issue 16)', async () => {
    const { app } = newApp();
    const heap = () => process.memoryUsage().heapUsed;
    const before = heap();
    const big = JSON.stringify(echoBody('x'.repeat(4 * 1024 * 1024)));
    for (let i = 0; i < 16; i++) {
      const res = await postUpdate(app, big);
      assert.equal(res.status, 200);
      await res.text();
    }
    // No allocation from here on but the test's own polling: V8 alone would keep it all.
    const deadline = Date.now() + 10_000;
    while (heap() - before > 32 * 1024 * 1024) {
      assert.ok(
        Date.now() < deadline,
        `heap still ${((heap() - before) / 1048576).toFixed(0)} MiB above before`,
      );
      await sleep(250);
    }
  });
});
