import { html, registerPage } from '../../../../src/index.ts';

registerPage({ id: 'defaults' });

export const layout = html.Div({ id: 'text_defaults', children: 'text for defaults' });
