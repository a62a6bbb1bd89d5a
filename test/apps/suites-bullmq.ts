/**
 * A background job on a `dash-ts worker` (BullMQManager) that returns components of two npm suites:
 * the worker imports this module, so the suites register there too and serialise with their namespaces.
 */

import * as dbc from '../../examples/components/dash-bootstrap-components.ts';
import { BullMQManager, Dash, html, Input, Output } from '../../src/index.ts';
import * as dashTable from './components/dash-table.ts';

const manager = new BullMQManager({
  connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:1',
  queueName: `suites-${process.env.SUITES_QUEUE ?? 'test'}`,
});

export const app = new Dash({ title: 'suites on workers', backgroundManager: manager });

app.layout = html.Div({
  children: [dbc.Button({ id: 'build', children: 'Build', n_clicks: 0 }), html.Div({ id: 'built' })],
});

app.callback(
  {
    background: true,
    output: Output('built', 'children'),
    inputs: [Input('build', 'n_clicks')],
    preventInitialCall: true,
    interval: 200,
  },
  (clicks: number) => [
    dbc.Badge({ id: 'worker-badge', children: `pid ${process.pid} #${clicks}`, color: 'info' }),
    dashTable.DataTable({ id: 'worker-table', columns: [{ id: 'n', name: 'N' }], data: [{ n: clicks }] }),
  ],
);
