import { html, registerPage } from '../../../../src/index.ts';

// No image given: Dash infers assets/home.jpeg, the page module's own image.
registerPage({ id: 'home' });

export const layout = html.Div({ id: 'text_home', children: 'text for home' });
