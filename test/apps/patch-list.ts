/**
 * A long list changed with Patch: append, assign and delete from an ordinary callback, prepend via
 * setProps, and extend plus setProps appends from a background job. Each answer carries the change,
 * never the list. Its background workers import this module too.
 */
import { type CallbackContext, Dash, html, Input, Output, Patch } from '../../src/index.ts';
import { fixtureManager, sleep } from './bg-support.ts';

export const LIST_LENGTH = 1000;

export const app = new Dash({
  title: 'patch',
  backgroundManager: fixtureManager('patch', { workers: 1 }),
});

const item = (text: string) => html.Li({ children: text });

app.layout = html.Div({
  children: [
    html.Button({ id: 'append', children: 'append' }),
    html.Button({ id: 'assign', children: 'assign' }),
    html.Button({ id: 'delete', children: 'delete' }),
    html.Button({ id: 'prepend', children: 'prepend' }),
    html.Button({ id: 'bg', children: 'background' }),
    html.Div({ id: 'status' }),
    html.Div({ id: 'bg-status' }),
    html.Ul({ id: 'list', children: Array.from({ length: LIST_LENGTH }, (_, i) => item(`item ${i}`)) }),
  ],
});

app.callback(
  {
    output: Output('list', 'children'),
    inputs: [Input('append', 'n_clicks'), Input('assign', 'n_clicks'), Input('delete', 'n_clicks')],
    preventInitialCall: true,
  },
  (appended: number | null, _assigned: unknown, _deleted: unknown, ctx: CallbackContext) => {
    const patch = new Patch();
    if (ctx.triggeredId === 'append') patch.append(item(`appended ${appended}`));
    if (ctx.triggeredId === 'assign') patch.at(0).assign(item('first, assigned'));
    if (ctx.triggeredId === 'delete') patch.at(1).delete();
    return patch;
  },
);

app.callback(
  { output: Output('status', 'children'), inputs: [Input('prepend', 'n_clicks')], preventInitialCall: true },
  (n: number, ctx: CallbackContext) => {
    ctx.setProps('list', { children: new Patch().prepend(item(`prepended ${n}`)) });
    return `prepended ${n}`;
  },
);

app.callback(
  {
    background: true,
    output: Output('list', 'children', { allowDuplicate: true }),
    inputs: [Input('bg', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  async (_n: number, ctx: CallbackContext) => {
    // Two setProps patches of one prop, possibly within one poll: both must arrive.
    ctx.setProps('list', { children: new Patch().append(item('job step 1')) });
    ctx.setProps('list', { children: new Patch().append(item('job step 2')) });
    ctx.setProps('bg-status', { children: 'job running' });
    await sleep(300);
    return new Patch().extend([item('job result a'), item('job result b')]);
  },
);
