/**
 * Clientside callbacks on the wire: their /_dash-dependencies entries and inline scripts as Dash
 * 4.3 emits them (dash/_callback.py register_clientside_callback, dash/dash.py
 * _generate_scripts_html), mixed with server callbacks, and refused on the server.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  CallbackDefinitionError,
  ClientsideFunction,
  Dash,
  html,
  Input,
  MATCH,
  Output,
  State,
} from '../../src/index.ts';
import { callBody, getJson, postUpdate, recordingLogger } from '../support/http.ts';

function newApp(): Dash {
  const app = new Dash({ logger: recordingLogger() });
  app.layout = html.Div({ id: 'root' });
  return app;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function indexHtml(app: Dash): Promise<string> {
  return (await app.fetch(new Request('http://localhost/'))).text();
}

type Entry = Record<string, unknown> & { output: string };

describe('clientside callbacks', () => {
  it('registers JavaScript source under the private namespace, named by its sha256, as Dash does', async () => {
    const app = newApp();
    const source = 'function(value) { return value * 2; }';
    app.clientsideCallback(source, {
      output: Output('double', 'children'),
      inputs: [Input('n', 'value')],
      state: [State('s', 'value')],
    });
    const entry = ((await getJson(app, '/_dash-dependencies')) as Entry[])[0]!;
    assert.deepEqual(entry, {
      output: 'double.children',
      inputs: [{ id: 'n', property: 'value' }],
      state: [{ id: 's', property: 'value' }],
      clientside_function: { namespace: '_dashprivate_clientside_funcs', function_name: sha256(source) },
      prevent_initial_call: false,
      background: null,
      dynamic_creator: false,
      no_output: false,
      optional: false,
      hidden: false,
      websocket: false,
      persistent: false,
    });
    const page = await indexHtml(app);
    const script =
      '<script>\n(function() {\n' +
      '    var clientside = window.dash_clientside = window.dash_clientside || {};\n' +
      '    var ns = clientside["_dashprivate_clientside_funcs"] = clientside["_dashprivate_clientside_funcs"] || {};\n' +
      `    ns["${sha256(source)}"] = ${source};\n` +
      '})();\n</script>';
    assert.ok(page.includes(script), 'the inline script is not in the page');
    // After the component bundles (they define window.dash_clientside), before the bootstrap.
    assert.ok(page.indexOf(script) > page.indexOf('dash_html_components'));
    assert.ok(page.indexOf(script) < page.indexOf('new DashRenderer()'));
  });

  it('sends a function as its source, which the browser can evaluate', async () => {
    const app = newApp();
    const fn = (a: number, b: number) => {
      const twice = (x: number) => x * 2;
      function add(x: number, y: number) {
        return x + y;
      }
      return add(twice(a), b);
    };
    app.clientsideCallback(fn, {
      output: Output('sum', 'children'),
      inputs: [Input('a', 'value'), Input('b', 'value')],
    });
    const entry = ((await getJson(app, '/_dash-dependencies')) as Entry[])[0]!;
    const { namespace = '', function_name = '' } = entry.clientside_function as Record<string, string>;
    assert.equal(namespace, '_dashprivate_clientside_funcs');
    const page = await indexHtml(app);
    const body = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!).join('\n');
    // Run the inline scripts in a fresh scope with a stand-in window, as a browser would.
    const window: { dash_clientside?: Record<string, Record<string, (...args: number[]) => number>> } = {};
    new Function('window', body)(window);
    assert.equal(window.dash_clientside?.[namespace]?.[function_name]?.(3, 4), 10);
  });

  it('names a ClientsideFunction as given and adds no script', async () => {
    const app = newApp();
    app.clientsideCallback(new ClientsideFunction('ui', 'large'), {
      output: Output('big', 'children'),
      inputs: [Input('n', 'value')],
      preventInitialCall: true,
    });
    const entry = ((await getJson(app, '/_dash-dependencies')) as Entry[])[0]!;
    assert.deepEqual(entry.clientside_function, { namespace: 'ui', function_name: 'large' });
    assert.equal(entry.prevent_initial_call, true);
    assert.ok(!(await indexHtml(app)).includes('_dashprivate_clientside_funcs'));
  });

  it('takes pattern-matching ids and mixes with server callbacks', async () => {
    const app = newApp();
    app.callback({ output: Output('server', 'children'), inputs: [Input('n', 'value')] }, (n) => n);
    app.clientsideCallback('(v) => v', {
      output: Output({ type: 'echo', index: MATCH }, 'children'),
      inputs: [Input({ type: 'field', index: MATCH }, 'value')],
    });
    const entries = (await getJson(app, '/_dash-dependencies')) as Entry[];
    assert.deepEqual(
      entries.map((e) => [e.output, e.clientside_function === null]),
      [
        ['server.children', true],
        ['{"index":["MATCH"],"type":"echo"}.children', false],
      ],
    );
    assert.deepEqual(entries[1]!.inputs, [{ id: '{"index":["MATCH"],"type":"field"}', property: 'value' }]);
  });

  it('claims its outputs like any callback', () => {
    const app = newApp();
    app.callback({ output: Output('x', 'children'), inputs: [Input('n', 'value')] }, (n) => n);
    assert.throws(
      () =>
        app.clientsideCallback('(v) => v', {
          output: Output('x', 'children'),
          inputs: [Input('m', 'value')],
        }),
      CallbackDefinitionError,
    );
  });

  it('refuses a server request for a clientside callback with a 400', async () => {
    const app = newApp();
    app.clientsideCallback('(v) => v', { output: Output('c', 'children'), inputs: [Input('n', 'value')] });
    const res = await postUpdate(
      app,
      callBody('c.children', { id: 'c', property: 'children' }, [{ id: 'n', property: 'value', value: 1 }]),
    );
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /clientside callback/);
  });

  it('refuses what cannot run in a browser, at registration', () => {
    const app = newApp();
    const spec = { output: Output('c', 'children'), inputs: [Input('n', 'value')] };
    assert.throws(() => app.clientsideCallback('function (', spec), /not a JavaScript function expression/);
    const methods = {
      m(x: number) {
        return x;
      },
    };
    assert.throws(() => app.clientsideCallback(methods.m, spec), /not a method/);
    assert.throws(
      () => app.clientsideCallback('(v) => v', { ...spec, background: true } as never),
      /take only/,
    );
    assert.throws(
      () =>
        app.clientsideCallback('(v) => v', {
          output: spec.output,
          inputs: { n: Input('n', 'value') },
        } as never),
      /as a list/,
    );
    assert.throws(() => new ClientsideFunction('_dashprivate_x', 'f'), /cannot start with/);
    assert.throws(() => new ClientsideFunction('no_update', 'f'), /forbidden namespace/);
  });
});
