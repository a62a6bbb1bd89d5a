import { callback, html, Input, noUpdate, Output, registerPage } from '../../../../src/index.ts';

registerPage({ id: 'page1' });

export const layout = html.Div({
  children: [
    html.Div({ id: 'text_page1', children: 'text for page1' }),
    html.Button({ id: 'btn1', children: 'goto page2', n_clicks: 0 }),
  ],
});

// A page module's own callback, on a component of the app's layout (the dcc.Location "url").
callback({ output: Output('url', 'pathname'), inputs: [Input('btn1', 'n_clicks')] }, (n: number) =>
  n > 0 ? '/page2' : noUpdate,
);
