/** The home page: every station on one chart; each click adds an hour with Patch. */
import { callback, dcc, html, Input, Output, Patch, registerPage } from 'dash-ts';
import { reading, STATIONS } from '../stations.ts';

registerPage({ path: '/', name: 'Overview' });

export const layout = html.Div({
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
});

// Patch: each click sends the next hour's points and one log line, never the whole figure or list.
callback(
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
