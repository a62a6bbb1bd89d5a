import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALL,
  ALLSMALLER,
  type CallbackContext,
  Dash,
  html,
  Input,
  MATCH,
  noUpdate,
  Output,
  PreventUpdate,
  State,
} from '../../src/index.ts';
import { callBody, getJson, postUpdate, recordingLogger } from '../support/http.ts';

function newApp(options: ConstructorParameters<typeof Dash>[0] = {}): Dash {
  const app = new Dash({ logger: recordingLogger(), ...options });
  app.layout = html.Div({ id: 'root' });
  return app;
}

const out = (id: string, property = 'children') => ({ id, property });
const val = (id: unknown, property: string, value?: unknown) =>
  value === undefined ? { id, property } : { id, property, value };

describe('ordinary callbacks', () => {
  it('answers one output with {multi, response}', async () => {
    const app = newApp();
    app.callback(
      { output: Output('out', 'children'), inputs: [Input('in', 'value')] },
      (v: string) => `got ${v}`,
    );
    const res = await postUpdate(app, callBody('out.children', out('out'), [val('in', 'value', 'x')]));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(await res.json(), { multi: true, response: { out: { children: 'got x' } } });
  });

  it('serialises components returned as values', async () => {
    const app = newApp();
    app.callback({ output: Output('out', 'children'), inputs: [Input('in', 'value')] }, () =>
      html.B({ children: 'bold' }),
    );
    const res = await postUpdate(app, callBody('out.children', out('out'), [val('in', 'value', 1)]));
    assert.deepEqual(await res.json(), {
      multi: true,
      response: {
        out: { children: { props: { children: 'bold' }, type: 'B', namespace: 'dash_html_components' } },
      },
    });
  });

  it('leaves noUpdate outputs out, including inside arrays', async () => {
    const app = newApp();
    app.callback(
      {
        output: [Output('a', 'children'), Output('b', 'children'), Output('c', 'title')],
        inputs: [Input('in', 'value')],
      },
      () => ['A', noUpdate, 'C'],
    );
    const res = await postUpdate(
      app,
      callBody(
        '..a.children...b.children...c.title..',
        [out('a'), out('b'), out('c', 'title')],
        [val('in', 'value', 1)],
      ),
    );
    assert.deepEqual(await res.json(), {
      multi: true,
      response: { a: { children: 'A' }, c: { title: 'C' } },
    });
  });

  it('answers 200 with an empty response when every output is noUpdate', async () => {
    const app = newApp();
    app.callback({ output: Output('a', 'children'), inputs: [Input('in', 'value')] }, () => noUpdate);
    const res = await postUpdate(app, callBody('a.children', out('a'), [val('in', 'value', 1)]));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { multi: true, response: {} });
  });

  it('answers 204 for PreventUpdate, from sync and async functions', async () => {
    const app = newApp();
    app.callback({ output: Output('a', 'children'), inputs: [Input('in', 'value')] }, () => {
      throw new PreventUpdate();
    });
    app.callback({ output: Output('b', 'children'), inputs: [Input('in', 'value')] }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      throw new PreventUpdate();
    });
    for (const id of ['a', 'b']) {
      const res = await postUpdate(app, callBody(`${id}.children`, out(id), [val('in', 'value', 1)]));
      assert.equal(res.status, 204);
      assert.equal(await res.text(), '');
    }
  });

  it('passes values in declared order with State mixed in, then state, then the context', async () => {
    const app = newApp();
    let received: unknown[] = [];
    app.callback(
      {
        output: Output('out', 'children'),
        inputs: [State('s1', 'value'), Input('i1', 'value'), Input('i2', 'value')],
        state: [State('s2', 'value')],
      },
      (...args: unknown[]) => {
        received = args;
        return 'ok';
      },
    );
    await postUpdate(
      app,
      callBody('out.children', out('out'), [val('i1', 'value', 'I1'), val('i2', 'value')], {
        state: [val('s1', 'value', 'S1'), val('s2', 'value', 'S2')],
        changed: ['i1.value'],
      }),
    );
    assert.deepEqual(received.slice(0, 4), ['S1', 'I1', null, 'S2']);
    const ctx = received[4] as CallbackContext;
    assert.equal(ctx.triggeredId, 'i1');
    assert.deepEqual(ctx.triggered, [{ prop_id: 'i1.value', value: 'I1' }]);
    assert.deepEqual(ctx.inputs, { 'i1.value': 'I1', 'i2.value': null });
    assert.deepEqual(ctx.states, { 's1.value': 'S1', 's2.value': 'S2' });
    assert.deepEqual(ctx.inputsList, [val('i1', 'value', 'I1'), val('i2', 'value')]);
    assert.deepEqual(ctx.outputsList, out('out'));
  });

  it('passes record-style inputs as one object', async () => {
    const app = newApp();
    app.callback(
      {
        output: Output('out', 'children'),
        inputs: { clicks: Input('btn', 'n_clicks'), text: State('t', 'value') },
      },
      ({ clicks, text }: { clicks: number; text: string }, ctx: CallbackContext) =>
        `${clicks}:${text}:${ctx.triggered.length}`,
    );
    const res = await postUpdate(
      app,
      callBody('out.children', out('out'), [val('btn', 'n_clicks', 3)], { state: [val('t', 'value', 'hi')] }),
    );
    assert.deepEqual(await res.json(), { multi: true, response: { out: { children: '3:hi:0' } } });
  });

  it('gives an empty triggered list and null triggeredId on the initial call', async () => {
    const app = newApp();
    let ctx: CallbackContext | undefined;
    app.callback(
      { output: Output('out', 'children'), inputs: [Input('in', 'value')] },
      (_v, c: CallbackContext) => {
        ctx = c;
        return 1;
      },
    );
    await postUpdate(app, callBody('out.children', out('out'), [val('in', 'value', 1)]));
    assert.deepEqual(ctx!.triggered, []);
    assert.equal(ctx!.triggeredId, null);
  });

  it('sends setProps calls as sideUpdate, merged per component', async () => {
    const app = newApp();
    app.callback(
      { output: Output('out', 'children'), inputs: [Input('in', 'value')] },
      (_v, ctx: CallbackContext) => {
        ctx.setProps('side', { children: 'first' });
        ctx.setProps({ type: 'x', index: 1 }, { value: 5 });
        ctx.setProps('side', { style: { color: 'red' } });
        return 'done';
      },
    );
    const res = await postUpdate(app, callBody('out.children', out('out'), [val('in', 'value', 1)]));
    assert.deepEqual(await res.json(), {
      multi: true,
      response: { out: { children: 'done' } },
      sideUpdate: {
        side: { children: 'first', style: { color: 'red' } },
        '{"index":1,"type":"x"}': { value: 5 },
      },
    });
  });

  it('no-output callbacks: 204 without setProps, sideUpdate with, 500 when they return a value', async () => {
    const app = newApp();
    const seen: unknown[] = [];
    app.callback({ inputs: [Input('a', 'n_clicks')] }, (n) => {
      seen.push(n);
    });
    app.callback({ inputs: [Input('b', 'n_clicks')] }, (_n, ctx: CallbackContext) => {
      ctx.setProps('target', { children: 'set' });
    });
    app.callback({ inputs: [Input('c', 'n_clicks')] }, () => 'oops');
    const ids = ((await getJson(app, '/_dash-dependencies')) as { output: string }[]).map((e) => e.output);
    const body = (id: string, input: string) => ({
      output: id,
      inputs: [val(input, 'n_clicks', 1)],
      changedPropIds: [],
    });
    assert.equal((await postUpdate(app, body(ids[0]!, 'a'))).status, 204);
    assert.deepEqual(seen, [1]);
    const withSide = await postUpdate(app, body(ids[1]!, 'b'));
    assert.deepEqual(await withSide.json(), {
      multi: true,
      response: {},
      sideUpdate: { target: { children: 'set' } },
    });
    assert.equal((await postUpdate(app, body(ids[2]!, 'c'))).status, 500);
  });

  it('strips the @hash of allowDuplicate outputs from the response', async () => {
    const app = newApp();
    app.callback({ output: Output('out', 'children'), inputs: [Input('a', 'n_clicks')] }, () => 'a');
    app.callback(
      { output: Output('out', 'children', { allowDuplicate: true }), inputs: [Input('b', 'n_clicks')] },
      () => 'b',
    );
    const entries = (await getJson(app, '/_dash-dependencies')) as { output: string }[];
    const dupId = entries[1]!.output;
    const res = await postUpdate(
      app,
      callBody(dupId, { id: 'out', property: dupId.slice('out.'.length) }, [val('b', 'n_clicks', 1)]),
    );
    assert.deepEqual(await res.json(), { multi: true, response: { out: { children: 'b' } } });
  });

  it('calls a layout function for every page load', async () => {
    const app = new Dash({ logger: recordingLogger() });
    let loads = 0;
    app.layout = () => html.Div({ id: 'n', children: String(++loads) });
    const first = (await getJson(app, '/_dash-layout')) as { props: { children: string } };
    const second = (await getJson(app, '/_dash-layout')) as { props: { children: string } };
    assert.equal(first.props.children, '1');
    assert.equal(second.props.children, '2');
  });

  it('serves a list layout as a JSON array', async () => {
    const app = new Dash({ logger: recordingLogger() });
    app.layout = [html.Div({ id: 'a' }), html.Div({ id: 'b' })];
    const layout = (await getJson(app, '/_dash-layout')) as unknown[];
    assert.equal(layout.length, 2);
  });
});

describe('errors and onError', () => {
  it('answers 500 with an HTML page and logs the error when a callback throws', async () => {
    const logger = recordingLogger();
    const app = newApp({ logger });
    app.callback({ output: Output('out', 'children'), inputs: [Input('in', 'value')] }, () => {
      throw new Error('kaboom');
    });
    const res = await postUpdate(app, callBody('out.children', out('out'), [val('in', 'value', 1)]));
    assert.equal(res.status, 500);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const text = await res.text();
    assert.match(text, /<\/head>/);
    assert.doesNotMatch(text, /kaboom/, 'no error details without debug');
    assert.ok(logger.lines.some((l) => l.startsWith('error:') && l.includes('out.children')));
    // The server keeps serving.
    const again = await getJson(app, '/_dash-dependencies');
    assert.ok(Array.isArray(again));
  });

  it('shows the error in an errormsg element with debug: true', async () => {
    const app = newApp({ debug: true });
    app.callback({ output: Output('out', 'children'), inputs: [Input('in', 'value')] }, () => {
      throw new TypeError('bad <thing>');
    });
    const res = await postUpdate(app, callBody('out.children', out('out'), [val('in', 'value', 1)]));
    assert.match(await res.text(), /<p class="errormsg">TypeError: bad &lt;thing&gt;<\/p>/);
  });

  it('uses the callback onError: its return value becomes the output, setProps goes to sideUpdate', async () => {
    const app = newApp({ onError: () => 'app handler' });
    app.callback(
      {
        output: Output('out', 'children'),
        inputs: [Input('in', 'value')],
        onError: (error, ctx) => {
          ctx.setProps('err', { children: error.message });
          return `handled: ${error.message}`;
        },
      },
      () => {
        throw new Error('boom');
      },
    );
    const res = await postUpdate(app, callBody('out.children', out('out'), [val('in', 'value', 1)]));
    assert.deepEqual(await res.json(), {
      multi: true,
      response: { out: { children: 'handled: boom' } },
      sideUpdate: { err: { children: 'boom' } },
    });
  });

  it('falls back to the app onError; undefined from it means no update', async () => {
    const errors: string[] = [];
    const app = newApp({
      onError: (error) => {
        errors.push(error.message);
      },
    });
    app.callback(
      { output: [Output('a', 'children'), Output('b', 'children')], inputs: [Input('in', 'value')] },
      () => {
        throw new Error('global');
      },
    );
    const res = await postUpdate(
      app,
      callBody('..a.children...b.children..', [out('a'), out('b')], [val('in', 'value', 1)]),
    );
    assert.deepEqual(await res.json(), { multi: true, response: {} });
    assert.deepEqual(errors, ['global']);
  });

  it('answers 500 when a multi-output callback returns the wrong number of values', async () => {
    const app = newApp();
    app.callback(
      { output: [Output('a', 'children'), Output('b', 'children')], inputs: [Input('in', 'value')] },
      () => [1],
    );
    const res = await postUpdate(
      app,
      callBody('..a.children...b.children..', [out('a'), out('b')], [val('in', 'value', 1)]),
    );
    assert.equal(res.status, 500);
  });
});

describe('pattern matching', () => {
  it('ALL inputs arrive as arrays of values', async () => {
    const app = newApp();
    app.callback(
      { output: Output('total', 'children'), inputs: [Input({ type: 'item', index: ALL }, 'value')] },
      (values: number[]) => values.reduce((a, b) => a + (b ?? 0), 0),
    );
    const items = [1, 2, 3].map((i) => val({ type: 'item', index: i }, 'value', i * 10));
    const res = await postUpdate(app, callBody('total.children', out('total'), [items]));
    assert.deepEqual(await res.json(), { multi: true, response: { total: { children: 60 } } });
  });

  it('ALL with no matching components gives an empty array', async () => {
    const app = newApp();
    app.callback(
      { output: Output('total', 'children'), inputs: [Input({ type: 'item', index: ALL }, 'value')] },
      (values: number[]) => values.length,
    );
    const res = await postUpdate(app, callBody('total.children', out('total'), [[]]));
    assert.deepEqual(await res.json(), { multi: true, response: { total: { children: 0 } } });
  });

  it('MATCH maps one input to its own output, with triggeredId as the pattern object', async () => {
    const app = newApp();
    app.callback(
      {
        output: Output({ type: 'out', index: MATCH }, 'children'),
        inputs: [
          Input({ type: 'in', index: MATCH }, 'value'),
          State({ type: 'in', index: ALLSMALLER }, 'value'),
        ],
      },
      (value: string, smaller: string[], ctx: CallbackContext) =>
        `${value}|${smaller.join(',')}|${JSON.stringify(ctx.triggeredId)}`,
    );
    const res = await postUpdate(
      app,
      callBody(
        '{"index":["MATCH"],"type":"out"}.children',
        out({ type: 'out', index: 2 } as never),
        [val({ type: 'in', index: 2 }, 'value', 'two')],
        {
          state: [
            [val({ type: 'in', index: 0 }, 'value', 'zero'), val({ type: 'in', index: 1 }, 'value', 'one')],
          ],
          changed: ['{"index":2,"type":"in"}.value'],
        },
      ),
    );
    assert.deepEqual(await res.json(), {
      multi: true,
      response: { '{"index":2,"type":"out"}': { children: 'two|zero,one|{"index":2,"type":"in"}' } },
    });
  });

  it('ALL outputs take one value per matching component; noUpdate per item', async () => {
    const app = newApp();
    app.callback(
      { output: Output({ type: 'cell', index: ALL }, 'children'), inputs: [Input('go', 'n_clicks')] },
      () => ['x', noUpdate, 'z'],
    );
    const cells = [0, 1, 2].map((i) => ({ id: { type: 'cell', index: i }, property: 'children' }));
    const res = await postUpdate(
      app,
      callBody('{"index":["ALL"],"type":"cell"}.children', cells, [val('go', 'n_clicks', 1)]),
    );
    assert.deepEqual(await res.json(), {
      multi: true,
      response: {
        '{"index":0,"type":"cell"}': { children: 'x' },
        '{"index":2,"type":"cell"}': { children: 'z' },
      },
    });
  });
});
