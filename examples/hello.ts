// examples/hello.ts: the README's first app (npx dash-ts run examples/hello.ts)
import { type CallbackContext, Dash, dcc, html, Input, noUpdate, Output, State } from 'dash-ts';

export const app = new Dash({ title: 'Hello' });

app.layout = html.Div({
  children: [
    dcc.Input({ id: 'name', value: 'world' }),
    html.Button({ id: 'go', children: 'Run', n_clicks: 0 }),
    html.Progress({ id: 'bar', value: '0', max: '5' }),
    html.Button({ id: 'stop', children: 'Cancel' }),
    html.Div({ id: 'greeting' }),
    html.Div({ id: 'result' }),
  ],
});

// An ordinary callback: runs in the server process.
app.callback(
  { output: Output('greeting', 'children'), inputs: [Input('name', 'value')] },
  (name: string) => `Hello, ${name}!`,
);

// A background callback: runs in a worker process; progress, running state and cancel.
app.callback(
  {
    background: true,
    output: Output('result', 'children'),
    inputs: [Input('go', 'n_clicks')],
    state: [State('name', 'value')],
    preventInitialCall: true,
    progress: Output('bar', 'value'),
    progressDefault: '0',
    running: [[Output('go', 'disabled'), true, false]],
    cancel: Input('stop', 'n_clicks'),
    interval: 250,
  },
  async (clicks: number, name: string, ctx: CallbackContext) => {
    for (let step = 1; step <= 5; step++) {
      if (ctx.signal.aborted) return noUpdate;
      await new Promise((r) => setTimeout(r, 400));
      ctx.setProgress(String(step));
    }
    return `Done #${clicks} for ${name}`;
  },
);
