import { html, registerPage } from '../../../../src/index.ts';

registerPage({ redirectFrom: ['/old-home-page', '/v2'], id: 'redirect' });

export const layout = html.Div({ id: 'text_redirect', children: 'text for redirect' });
