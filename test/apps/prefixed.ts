/**
 * One app, built twice: under `/sales/` (urlBasePathname) and for a proxy that strips
 * `/proxy/sales/` (requestsPathnamePrefix). Assets, an ordinary and a background callback with
 * progress, a graph (dcc's lazy chunk and plotly.js), and a link made with getRelativePath.
 * Background workers import this module too, so the store path comes from the environment.
 */
import { fileURLToPath } from 'node:url';
import { Dash, type DashOptions, dcc, html, Input, Output, SqliteManager } from '../../src/index.ts';

const assetsFolder = fileURLToPath(new URL('./prefixed-assets', import.meta.url));

function build(options: DashOptions): Dash {
  const app = new Dash({
    title: 'prefixed',
    assetsFolder,
    backgroundManager: new SqliteManager({ path: process.env.DASH_TS_TEST_DB, workers: 1 }),
    ...options,
  });
  app.layout = () =>
    html.Div({
      children: [
        dcc.Location({ id: 'url' }),
        html.H1({ id: 'title', children: 'Sales' }),
        dcc.Input({ id: 'name', value: 'ada' }),
        html.Div({ id: 'greet' }),
        html.Button({ id: 'run', children: 'run' }),
        html.Div({ id: 'progress' }),
        html.Div({ id: 'result' }),
        dcc.Link({ id: 'link', href: app.getRelativePath('/page-2'), children: 'page 2' }),
        html.Div({ id: 'where' }),
        dcc.Graph({ id: 'graph', figure: { data: [{ x: [1, 2, 3], y: [2, 1, 3], type: 'scatter' }] } }),
      ],
    });
  app.callback(
    { output: Output('greet', 'children'), inputs: [Input('name', 'value')] },
    (name: string) => `hello ${name}`,
  );
  app.callback(
    { output: Output('where', 'children'), inputs: [Input('url', 'pathname')] },
    (pathname: string) => `page: ${app.stripRelativePath(pathname) || 'home'}`,
  );
  app.callback(
    {
      output: Output('result', 'children'),
      inputs: [Input('run', 'n_clicks')],
      background: true,
      progress: Output('progress', 'children'),
      preventInitialCall: true,
      interval: 200,
    },
    async (clicks: number, ctx) => {
      for (let step = 1; step <= 3; step++) {
        ctx.setProgress(`step ${step}/3`);
        await new Promise((r) => setTimeout(r, 300));
      }
      return `done ${clicks}`;
    },
  );
  return app;
}

export const salesApp = build({ urlBasePathname: '/sales/' });
export const proxiedApp = build({ requestsPathnamePrefix: '/proxy/sales/' });
