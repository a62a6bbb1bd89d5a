/** dash-table's DataTable: native sort and filter in the page, edits round-tripped through a callback. */
import { Dash, html, Input, Output } from '../../src/index.ts';
import * as dashTable from './components/dash-table.ts';

export const app = new Dash({ title: 'DataTable' });

export const ROWS = [
  { city: 'Lisbon', population: 545 },
  { city: 'Oslo', population: 709 },
  { city: 'Accra', population: 2514 },
  { city: 'Quito', population: 2011 },
];

app.layout = html.Div({
  children: [
    dashTable.DataTable({
      id: 'table',
      columns: [
        { id: 'city', name: 'City' },
        { id: 'population', name: 'Population (k)', type: 'numeric', editable: true },
      ],
      data: ROWS,
      editable: true,
      sort_action: 'native',
      filter_action: 'native',
    }),
    html.Div({ id: 'total' }),
  ],
});

app.callback(
  { output: Output('total', 'children'), inputs: [Input('table', 'data')] },
  (rows: { city: string; population: number | string }[]) =>
    `total ${rows.reduce((sum, row) => sum + Number(row.population), 0)}`,
);
