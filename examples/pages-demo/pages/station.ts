/** One station: a path variable picks it, the `hours` query value the span; notes stay in the browser. */
import {
  ClientsideFunction,
  clientsideCallback,
  dcc,
  html,
  Input,
  Output,
  type PageParams,
  registerPage,
  State,
} from 'dash-ts';
import { reading } from '../stations.ts';

registerPage({
  pathTemplate: '/stations/<station>',
  title: (params: PageParams) => `Station ${params.station}`,
  description: 'Readings of one station',
});

export function layout(params: PageParams) {
  const hours = Math.min(Number(params.hours) || 24, 168);
  const values = Array.from({ length: hours }, (_, h) => reading(params.station ?? '', h));
  return html.Div({
    className: 'page',
    children: [
      html.H1({ id: 'station-name', children: `Station ${params.station}` }),
      html.P({ id: 'station-summary', children: `${hours} hours, max ${Math.max(...values)} °C` }),
      html.Div({
        className: 'card',
        children: [
          dcc.Textarea({ id: 'station-note', placeholder: 'a note about this station', value: '' }),
          html.Div({ id: 'station-note-count' }),
          html.Div({ id: 'station-note-preview' }),
        ],
      }),
    ],
  });
}

// Clientside, from the assets library: counts characters as you type, with no request.
clientsideCallback(new ClientsideFunction('ui', 'countChars'), {
  output: Output('station-note-count', 'children'),
  inputs: [Input('station-note', 'value')],
});

// Clientside, given as a function: sent to the browser as its source.
clientsideCallback(
  (note: string | null, station: string) =>
    note ? `${station.replace('Station ', '')}: ${note.trim()}` : '',
  {
    output: Output('station-note-preview', 'children'),
    inputs: [Input('station-note', 'value')],
    state: [State('station-name', 'children')],
  },
);
