/** A multi-page app: a home page, a report page with a path variable and query values, an about page. */
import {
  Dash,
  type DashOptions,
  dcc,
  html,
  Input,
  Output,
  type PageParams,
  pageContainer,
} from '../../src/index.ts';

export function pagesApp(options: DashOptions = {}, extra: { notFoundPage?: boolean } = {}): Dash {
  const app = new Dash({ title: 'Pages demo', ...options });
  const heading = (text: string) => html.H2({ id: 'page-heading', children: text });
  app.registerPage({
    path: '/',
    name: 'Home',
    title: 'Home page',
    layout: html.Div({ children: heading('Home') }),
  });
  app.registerPage({
    path: '/reports',
    pathTemplate: '/reports/<reportId>',
    title: (params: PageParams) => `Report ${params.reportId}`,
    layout: (params: PageParams) =>
      html.Div({
        children: [
          heading(`Report ${params.reportId}`),
          html.Div({ id: 'report-tab', children: params.tab ?? 'summary' }),
          dcc.Input({ id: 'report-note', value: '' }),
          html.Div({ id: 'report-echo' }),
        ],
      }),
  });
  app.registerPage({ path: '/about', layout: html.Div({ children: heading('About') }) });
  if (extra.notFoundPage) {
    app.registerPage({
      path: '/404',
      title: 'Lost',
      layout: html.Div({ children: heading('Nothing here') }),
    });
  }
  const link = (id: string, path: string) => dcc.Link({ id, href: app.getRelativePath(path), children: id });
  app.layout = html.Div({
    children: [
      html.Nav({
        children: [
          link('link-home', '/'),
          link('link-report', '/reports/42?tab=costs'),
          link('link-about', '/about'),
          link('link-missing', '/missing'),
        ],
      }),
      pageContainer,
    ],
  });
  // A callback on a component that only one page has.
  app.callback(
    { output: Output('report-echo', 'children'), inputs: [Input('report-note', 'value')] },
    (note: string) => `note: ${note}`,
  );
  return app;
}

export const app = pagesApp();
