/**
 * Clientside callbacks in the real renderer: source strings, functions, a ClientsideFunction from an
 * asset script; no_update, PreventUpdate, set_props and callback_context; pattern-matching ids;
 * chains into server and background callbacks. Its background workers import this module too.
 */
import { ClientsideFunction, Dash, dcc, html, Input, MATCH, Output, State } from '../../src/index.ts';
import { fixtureManager } from './bg-support.ts';

export const app = new Dash({
  title: 'clientside',
  assetsFolder: 'clientside-assets',
  backgroundManager: fixtureManager('clientside', { workers: 1 }),
});

app.layout = html.Div({
  children: [
    dcc.Input({ id: 'text', value: '' }),
    html.Div({ id: 'echo' }),
    html.Div({ id: 'shout' }),
    dcc.Input({ id: 'chain-in', value: 'abc' }),
    html.Div({ id: 'upper' }),
    html.Div({ id: 'server-out' }),
    html.Button({ id: 'btn', n_clicks: 0, children: 'click' }),
    html.Div({ id: 'clicks', children: 'none yet' }),
    html.Div({ id: 'side', children: 'no side' }),
    ...[1, 2].flatMap((index) => [
      dcc.Input({ id: { type: 'field', index }, value: `f${index}` }),
      html.Div({ id: { type: 'mirror', index } }),
    ]),
    html.Button({ id: 'bg-go', n_clicks: 0, children: 'job' }),
    html.Div({ id: 'bg-in' }),
    html.Div({ id: 'bg-out', children: 'no job yet' }),
  ],
});

// A source string, as in Dash.
app.clientsideCallback('function (value) { return "echo: " + value; }', {
  output: Output('echo', 'children'),
  inputs: [Input('text', 'value')],
});

// A function defined by an asset script.
app.clientsideCallback(new ClientsideFunction('tools', 'shout'), {
  output: Output('shout', 'children'),
  inputs: [Input('text', 'value')],
});

// A function, sent as its source; its output feeds a server callback.
app.clientsideCallback(
  (value: string | null) => {
    const upper = (text: string) => text.toUpperCase();
    return upper(value ?? '');
  },
  { output: Output('upper', 'children'), inputs: [Input('chain-in', 'value')] },
);
app.callback(
  { output: Output('server-out', 'children'), inputs: [Input('upper', 'children')] },
  (upper: string) => `server saw ${upper}`,
);

// no_update, PreventUpdate and set_props from the browser.
app.clientsideCallback(
  `function (n) {
    var dc = window.dash_clientside;
    if (!n) return dc.no_update;
    if (n % 3 === 0) throw dc.PreventUpdate;
    dc.set_props('side', { children: 'side ' + n });
    if (n % 2 === 0) return dc.no_update;
    return 'clicked ' + n;
  }`,
  { output: Output('clicks', 'children'), inputs: [Input('btn', 'n_clicks')] },
);

// Pattern-matching ids and callback_context.
app.clientsideCallback(
  `function (value) {
    var id = window.dash_clientside.callback_context.triggered_id;
    return value + ' from ' + (id ? id.type + ' ' + id.index : 'initial call');
  }`,
  {
    output: Output({ type: 'mirror', index: MATCH }, 'children'),
    inputs: [Input({ type: 'field', index: MATCH }, 'value')],
  },
);

// A clientside callback feeding a background one.
app.clientsideCallback('function (n) { return "job " + n; }', {
  output: Output('bg-in', 'children'),
  inputs: [Input('bg-go', 'n_clicks')],
  preventInitialCall: true,
});
app.callback(
  {
    background: true,
    output: Output('bg-out', 'children'),
    inputs: [Input('bg-in', 'children')],
    state: [State('chain-in', 'value')],
    preventInitialCall: true,
    interval: 100,
  },
  async (job: string, chain: string) => `background ran ${job} with ${chain}`,
);
