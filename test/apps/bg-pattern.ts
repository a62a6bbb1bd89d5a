/**
 * Pattern-matching inputs and the callback context in jobs (Dash's background_callback
 * app_pattern_matching, app_callback_ctx, app_diff_outputs): an ALL input; ctx.triggered in the
 * job; two callbacks made by one factory (the same function source) with different outputs.
 */
import { ALL, type CallbackContext, Dash, html, Input, Output } from '../../src/index.ts';
import { fixtureManager, sleep } from './bg-support.ts';

const manager = fixtureManager('pattern');

export const app = new Dash({ title: 'bg pattern', backgroundManager: manager });

const indices = [1, 2, 3];

app.layout = html.Div({
  children: [
    // 11: ALL input.
    ...indices.map((i) => html.Button({ id: { type: 'run-button', index: i }, children: `Run ${i}` })),
    html.Div({ id: 'result', children: 'No results' }),
    // 12: what the job sees of the request that started it.
    ...[0, 1, 2].map((i) => html.Button({ id: { type: 'ctx-button', index: i }, children: `Ctx ${i}` })),
    html.Div({ id: 'running', children: 'off' }),
    html.Div({ id: 'ctx-result' }),
    // 15: two callbacks from one factory.
    html.Button({ id: 'button-1', children: 'Button 1' }),
    html.Div({ id: 'output-1' }),
    html.Button({ id: 'button-2', children: 'Button 2' }),
    html.Div({ id: 'output-2' }),
  ],
});

app.callback(
  {
    background: true,
    output: Output('result', 'children'),
    inputs: [Input({ type: 'run-button', index: ALL }, 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  async (clicks: (number | null)[]) => {
    await sleep(100);
    return `Clicked '${Math.max(...clicks.map((n) => n ?? 0))}'`;
  },
);

app.callback(
  {
    background: true,
    output: Output('ctx-result', 'children'),
    inputs: [Input({ type: 'ctx-button', index: ALL }, 'n_clicks')],
    running: [[Output('running', 'children'), 'on', 'off']],
    preventInitialCall: true,
    interval: 100,
  },
  async (_clicks: (number | null)[], ctx: CallbackContext) => {
    await sleep(300);
    return JSON.stringify({
      triggeredId: ctx.triggeredId,
      triggered: ctx.triggered,
      inputsList: ctx.inputsList,
    });
  },
);

/** The same function source for every callback it makes; only the closure differs. */
function clickedOn(label: number) {
  return async (clicks: number) => {
    await sleep(200);
    return `Clicked on ${label} (${clicks})`;
  };
}

for (const n of [1, 2]) {
  app.callback(
    {
      background: true,
      output: Output(`output-${n}`, 'children'),
      inputs: [Input(`button-${n}`, 'n_clicks')],
      preventInitialCall: true,
      interval: 100,
    },
    clickedOn(n),
  );
}
