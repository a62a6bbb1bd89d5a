import { dcc, html, type PageParams, registerPage } from '../../../../src/index.ts';

registerPage({ id: 'query_string' });

export function layout({ velocity }: PageParams) {
  return html.Div({
    children: [
      html.Div({ id: 'text_query_string', children: 'text for query_string' }),
      dcc.Input({ id: 'velocity', value: velocity ?? null }),
    ],
  });
}
