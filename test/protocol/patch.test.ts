/** Patch over HTTP from ordinary callbacks: as a return value, in setProps and from onError. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CallbackContext, Dash, html, Input, Output, Patch } from '../../src/index.ts';
import { callBody, postUpdate, recordingLogger } from '../support/http.ts';

function newApp(): Dash {
  const app = new Dash({ logger: recordingLogger() });
  app.layout = html.Div({ id: 'root' });
  return app;
}

const MARK = '__dash_patch_update';
const body = (output: string, value: unknown) =>
  callBody(output, { id: output.split('.')[0], property: output.split('.')[1] }, [
    { id: 'in', property: 'value', value },
  ]);

describe('Patch in ordinary callbacks', () => {
  it('goes out as the output value, in Dash wire format', async () => {
    const app = newApp();
    app.callback({ output: Output('fig', 'figure'), inputs: [Input('in', 'value')] }, (v: number) => {
      const p = new Patch();
      p.at('data', 0, 'y').append(v);
      p.at('layout', 'title', 'text').assign('Updated');
      return p;
    });
    const res = await postUpdate(app, body('fig.figure', 7));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      multi: true,
      response: {
        fig: {
          figure: {
            [MARK]: MARK,
            operations: [
              { operation: 'Append', location: ['data', 0, 'y'], params: { value: 7 } },
              { operation: 'Assign', location: ['layout', 'title', 'text'], params: { value: 'Updated' } },
            ],
          },
        },
      },
    });
  });

  it('goes out in sideUpdate from setProps; two patches of one prop keep both', async () => {
    const app = newApp();
    app.callback(
      { output: Output('out', 'children'), inputs: [Input('in', 'value')] },
      (_v: unknown, ctx: CallbackContext) => {
        ctx.setProps('list', { children: new Patch().append('a') });
        ctx.setProps('list', { children: new Patch().prepend('z'), title: 't' });
        return 'ok';
      },
    );
    const res = await postUpdate(app, body('out.children', 1));
    assert.deepEqual(await res.json(), {
      multi: true,
      response: { out: { children: 'ok' } },
      sideUpdate: {
        list: {
          children: {
            [MARK]: MARK,
            operations: [
              { operation: 'Append', location: [], params: { value: 'a' } },
              { operation: 'Prepend', location: [], params: { value: 'z' } },
            ],
          },
          title: 't',
        },
      },
    });
  });

  it('is what onError may return (and set)', async () => {
    const app = newApp();
    app.callback(
      {
        output: Output('log', 'children'),
        inputs: [Input('in', 'value')],
        onError: (error, ctx) => {
          ctx.setProps('status', { className: new Patch().at().assign('failed') });
          return new Patch().append(html.Li({ children: error.message }));
        },
      },
      () => {
        throw new Error('boom');
      },
    );
    const res = await postUpdate(app, body('log.children', 1));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      multi: true,
      response: {
        log: {
          children: {
            [MARK]: MARK,
            operations: [
              {
                operation: 'Append',
                location: [],
                params: {
                  value: { props: { children: 'boom' }, type: 'Li', namespace: 'dash_html_components' },
                },
              },
            ],
          },
        },
      },
      sideUpdate: {
        status: {
          className: {
            [MARK]: MARK,
            operations: [{ operation: 'Assign', location: [], params: { value: 'failed' } }],
          },
        },
      },
    });
  });
});
