/**
 * A two-page station monitor: assets (CSS and a clientside library), clientside callbacks, pages
 * with a path variable and query values, and Patch updates that send only what changed.
 *
 *   npx dash-ts run examples/pages-demo.ts --port 8050
 */
import {
  ClientsideFunction,
  Dash,
  dcc,
  html,
  Input,
  Output,
  type PageParams,
  Patch,
  pageContainer,
  State,
} from 'dash-ts';

const STATIONS = ['north', 'harbour', 'airport'];

/** Deterministic readings, so the demo needs no data files or network. */
export function reading(station: string, hour: number): number {
  const base = 10 + STATIONS.indexOf(station) * 3;
  return Math.round((base + 6 * Math.sin((hour / 24) * 2 * Math.PI) + ((hour * 7919) % 10) / 10) * 10) / 10;
}

export const app = new Dash({ title: 'Station monitor', assetsFolder: 'pages-demo-assets' });

app.registerPage({
  path: '/',
  name: 'Overview',
  layout: html.Div({
    className: 'page',
    children: [
      html.H1({ children: 'All stations' }),
      html.Div({
        className: 'card',
        children: [
          html.Button({ id: 'add-hour', children: 'Add the next hour', n_clicks: 0 }),
          dcc.Graph({
            id: 'overview-chart',
            figure: {
              data: STATIONS.map((name) => ({ type: 'scatter', name, x: [0], y: [reading(name, 0)] })),
              layout: { title: { text: 'Hour 0' }, margin: { t: 48, r: 16, b: 40, l: 48 } },
            },
          }),
        ],
      }),
      html.Div({
        className: 'card',
        children: [
          html.H3({ children: 'Log' }),
          html.Ul({ id: 'log', children: [html.Li({ children: 'hour 0 recorded' })] }),
        ],
      }),
    ],
  }),
});

app.registerPage({
  path: '/stations',
  pathTemplate: '/stations/<station>',
  title: (params: PageParams) => `Station ${params.station}`,
  layout: (params: PageParams) => {
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
  },
});

app.layout = html.Div({
  children: [
    html.Nav({
      className: 'topnav',
      children: [
        dcc.Link({ href: app.getRelativePath('/'), children: 'Overview' }),
        ...STATIONS.map((name) =>
          dcc.Link({ href: app.getRelativePath(`/stations/${name}?hours=48`), children: name }),
        ),
      ],
    }),
    pageContainer,
  ],
});

// Patch: each click sends the next hour's points and one log line, never the whole figure or list.
app.callback(
  {
    output: [Output('overview-chart', 'figure'), Output('log', 'children')],
    inputs: [Input('add-hour', 'n_clicks')],
    preventInitialCall: true,
  },
  (hour: number) => {
    const figure = new Patch();
    STATIONS.forEach((name, i) => {
      figure.at('data', i, 'x').append(hour);
      figure.at('data', i, 'y').append(reading(name, hour));
    });
    figure.at('layout', 'title', 'text').assign(`Hour ${hour}`);
    return [figure, new Patch().append(html.Li({ children: `hour ${hour} recorded` }))];
  },
);

// Clientside, from the assets library: counts characters as you type, with no request.
app.clientsideCallback(new ClientsideFunction('ui', 'countChars'), {
  output: Output('station-note-count', 'children'),
  inputs: [Input('station-note', 'value')],
});

// Clientside, given as a function: sent to the browser as its source.
app.clientsideCallback(
  (note: string | null, station: string) =>
    note ? `${station.replace('Station ', '')}: ${note.trim()}` : '',
  {
    output: Output('station-note-preview', 'children'),
    inputs: [Input('station-note', 'value')],
    state: [State('station-name', 'children')],
  },
);

if (import.meta.url === `file://${process.argv[1]}`) {
  await app.run();
}
