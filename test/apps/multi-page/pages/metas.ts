import { html, registerPage } from '../../../../src/index.ts';

registerPage({
  title: 'Supplied Title',
  description: 'This is the supplied description',
  name: 'Supplied name',
  path: '/supplied-path',
  image: 'birds.jpeg',
  id: 'metas',
});

export function layout() {
  return html.Div({ id: 'text_metas', children: 'text for metas' });
}
