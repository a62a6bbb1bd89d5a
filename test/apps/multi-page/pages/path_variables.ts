import { html, type PageParams, registerPage } from '../../../../src/index.ts';

registerPage({ pathTemplate: '/a/<id_a>/b/<id_b>', id: 'register_page' });

export function layout({ id_a, id_b }: PageParams) {
  return html.Div({
    children: [
      html.Div({ id: 'text_register_page', children: 'text for register_page' }),
      html.Div({ id: 'path_vars', children: `variables from pathname:${id_a} ${id_b}` }),
    ],
  });
}
