import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { ALL, CallbackDefinitionError, Dash, html, Input, MATCH, Output, State } from '../../src/index.ts';
import { getJson } from '../support/http.ts';

function newApp(): Dash {
  const app = new Dash({ title: 't' });
  app.layout = html.Div({ id: 'root' });
  return app;
}

describe('/_dash-dependencies', () => {
  it('emits Dash 4.3 entries with the exact key set', async () => {
    const app = newApp();
    app.callback(
      { output: Output('out', 'children'), inputs: [Input('in', 'value'), State('s', 'value')] },
      (v) => v,
    );
    const [entry] = (await getJson(app, '/_dash-dependencies')) as Record<string, unknown>[];
    assert.deepEqual(entry, {
      output: 'out.children',
      inputs: [{ id: 'in', property: 'value' }],
      state: [{ id: 's', property: 'value' }],
      clientside_function: null,
      prevent_initial_call: false,
      background: null,
      dynamic_creator: null,
      no_output: false,
      optional: false,
      hidden: false,
      websocket: false,
      persistent: false,
    });
  });

  it('names multi-output callbacks ..a...b.. (a one-element list too)', async () => {
    const app = newApp();
    app.callback(
      { output: [Output('a', 'children'), Output('b', 'title')], inputs: [Input('x', 'value')] },
      () => [1, 2],
    );
    app.callback({ output: [Output('c', 'children')], inputs: [Input('x', 'value')] }, () => [1]);
    const entries = (await getJson(app, '/_dash-dependencies')) as { output: string }[];
    assert.deepEqual(
      entries.map((e) => e.output),
      ['..a.children...b.title..', '..c.children..'],
    );
  });

  it('stringifies pattern ids and keeps wildcards', async () => {
    const app = newApp();
    app.callback(
      {
        output: Output({ type: 'out', index: MATCH }, 'children'),
        inputs: [Input({ type: 'in', index: MATCH }, 'value'), State({ type: 'all', index: ALL }, 'value')],
      },
      () => 1,
    );
    const [entry] = (await getJson(app, '/_dash-dependencies')) as Record<string, unknown>[];
    assert.equal(entry!.output, '{"index":["MATCH"],"type":"out"}.children');
    assert.deepEqual(entry!.inputs, [{ id: '{"index":["MATCH"],"type":"in"}', property: 'value' }]);
    assert.deepEqual(entry!.state, [{ id: '{"index":["ALL"],"type":"all"}', property: 'value' }]);
  });

  it('adds @<sha256 of inputs> to allowDuplicate outputs and keeps them apart', async () => {
    const app = newApp();
    app.callback({ output: Output('out', 'children'), inputs: [Input('a', 'n_clicks')] }, () => 'a');
    app.callback(
      { output: Output('out', 'children', { allowDuplicate: true }), inputs: [Input('b', 'n_clicks')] },
      () => 'b',
    );
    const entries = (await getJson(app, '/_dash-dependencies')) as { output: string }[];
    const hash = createHash('sha256').update('b.n_clicks').digest('hex');
    assert.equal(entries[1]!.output, `out.children@${hash}`);
  });

  it('rejects a duplicate output without allowDuplicate', () => {
    const app = newApp();
    app.callback({ output: Output('out', 'children'), inputs: [Input('a', 'n_clicks')] }, () => 'a');
    assert.throws(
      () => app.callback({ output: Output('out', 'children'), inputs: [Input('b', 'n_clicks')] }, () => 'b'),
      CallbackDefinitionError,
    );
  });

  it('describes no-output callbacks with a 64-hex id and no_output: true', async () => {
    const app = newApp();
    app.callback({ inputs: [Input('a', 'n_clicks')] }, () => undefined);
    app.callback({ inputs: [Input('a', 'n_clicks')] }, () => undefined);
    const entries = (await getJson(app, '/_dash-dependencies')) as { output: string; no_output: boolean }[];
    assert.equal(entries.length, 2);
    for (const e of entries) {
      assert.match(e.output, /^[0-9a-f]{64}$/);
      assert.equal(e.no_output, true);
    }
    assert.notEqual(entries[0]!.output, entries[1]!.output);
  });

  it('carries running as {running, runningOff} keyed <id>.<prop>', async () => {
    const app = newApp();
    app.callback(
      {
        output: Output('out', 'children'),
        inputs: [Input('go', 'n_clicks')],
        running: [[Output('go', 'disabled'), true, false]],
        preventInitialCall: true,
      },
      () => 'x',
    );
    const [entry] = (await getJson(app, '/_dash-dependencies')) as Record<string, unknown>[];
    assert.deepEqual(entry!.running, {
      running: { 'go.disabled': true },
      runningOff: { 'go.disabled': false },
    });
    assert.equal(entry!.prevent_initial_call, true);
  });

  it('rejects malformed specs at registration with a message', () => {
    const app = newApp();
    assert.throws(() => app.callback({ output: 'x' as never, inputs: [] }, () => 1), /Output/);
    assert.throws(() => app.callback({ output: Output('o', 'c'), inputs: ['x' as never] }, () => 1), /Input/);
    assert.throws(
      () => app.callback({ output: Output('o2', 'c'), inputs: [Input('a', 'v'), Input('a', 'v')] }, () => 1),
      /twice/,
    );
    assert.throws(
      () => app.callback({ output: Output('o3', 'c'), inputs: [Input({ i: MATCH }, 'v')] }, () => 1),
      /MATCH/,
    );
    assert.throws(
      () => app.callback({ output: Output('o4', 'c'), inputs: [Input('a', 'v')], interval: 5 }, () => 1),
      /background/,
    );
  });

  it("refuses a background callback whose progress feeds its own input (Dash's BackgroundCallbackError)", async () => {
    const app = newApp();
    app.callback(
      {
        background: true,
        output: Output('result', 'children'),
        inputs: [Input('trigger', 'children')],
        progress: Output('status', 'children'),
      },
      () => 'x',
    );
    app.callback({ output: Output('trigger', 'children'), inputs: [Input('status', 'children')] }, (s) => s);
    assert.throws(() => app.run(), /progress output status\.children feeds callback trigger\.children/);
    const res = await app.fetch(new Request('http://localhost/_dash-dependencies'));
    assert.equal(res.status, 500);
  });
});
