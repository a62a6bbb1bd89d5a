import { html, registerPage } from '../../../../src/index.ts';

registerPage({ id: 'page2' });

export const layout = html.Div({ id: 'text_page2', children: 'text for page2' });
