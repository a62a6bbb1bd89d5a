import { html, registerPage } from '../../../../src/index.ts';

registerPage({ path: '/404', id: 'not_found_404' });

export const layout = html.Div({ id: 'text_not_found_404', children: 'text for not_found_404' });
