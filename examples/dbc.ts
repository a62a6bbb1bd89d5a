/**
 * dash-bootstrap-components in dash-ts: a navbar, cards, a form driving an ordinary callback, and a
 * background job whose progress fills a dbc.Progress bar. Bootstrap's CSS comes from the npm
 * `bootstrap` package, served by the app itself (no CDN).
 *
 *   npx dash-ts components add dash-bootstrap-components   (wrote ./components/dash-bootstrap-components.ts)
 *   npm install bootstrap
 *   npx dash-ts run examples/dbc.ts
 */
import { type CallbackContext, Dash, html, Input, noUpdate, Output, packageFileUrl, State } from 'dash-ts';
import * as dbc from './components/dash-bootstrap-components.ts';

export const app = new Dash({
  title: 'Orders',
  externalStylesheets: [packageFileUrl('bootstrap/dist/css/bootstrap.min.css')],
});

const STEPS = 10;

app.layout = html.Div({
  children: [
    dbc.NavbarSimple({
      brand: 'Orders',
      color: 'primary',
      dark: true,
      children: [
        dbc.NavItem({ children: dbc.NavLink({ children: 'Docs', href: 'https://dash.plotly.com' }) }),
      ],
    }),
    dbc.Container({
      class_name: 'my-4',
      children: dbc.Row({
        children: [
          dbc.Col({
            md: 6,
            children: dbc.Card({
              children: [
                dbc.CardHeader({ children: 'New order' }),
                dbc.CardBody({
                  children: dbc.Form({
                    id: 'order-form',
                    children: [
                      dbc.Label({ children: 'Customer', html_for: 'customer' }),
                      dbc.Input({ id: 'customer', type: 'text', value: 'Ada', class_name: 'mb-2' }),
                      dbc.Label({ children: 'Quantity', html_for: 'quantity' }),
                      dbc.Input({ id: 'quantity', type: 'number', value: 3, min: 1, class_name: 'mb-3' }),
                      dbc.Button({ id: 'submit', children: 'Place order', color: 'primary', n_clicks: 0 }),
                    ],
                  }),
                }),
                dbc.CardFooter({ id: 'confirmation', children: 'No order yet.' }),
              ],
            }),
          }),
          dbc.Col({
            md: 6,
            children: dbc.Card({
              children: [
                dbc.CardHeader({ children: 'Monthly report' }),
                dbc.CardBody({
                  children: [
                    dbc.Progress({
                      id: 'report-progress',
                      value: 0,
                      max: STEPS,
                      striped: true,
                      class_name: 'mb-3',
                    }),
                    dbc.Button({ id: 'report', children: 'Build report', color: 'success', n_clicks: 0 }),
                    dbc.Button({ id: 'cancel', children: 'Cancel', color: 'secondary', class_name: 'ms-2' }),
                    dbc.Alert({
                      id: 'report-result',
                      children: 'Not built yet.',
                      color: 'light',
                      class_name: 'mt-3',
                    }),
                  ],
                }),
              ],
            }),
          }),
        ],
      }),
    }),
  ],
});

// An ordinary callback: runs in the server process.
app.callback(
  {
    output: Output('confirmation', 'children'),
    inputs: [Input('submit', 'n_clicks')],
    state: [State('customer', 'value'), State('quantity', 'value')],
    preventInitialCall: true,
  },
  (clicks: number, customer: string, quantity: number) => `Order #${clicks}: ${quantity} for ${customer}.`,
);

// A background callback: runs in a worker process and returns dbc components, which the worker
// serialises with their namespace just as the server would.
app.callback(
  {
    background: true,
    output: Output('report-result', 'children'),
    inputs: [Input('report', 'n_clicks')],
    preventInitialCall: true,
    progress: Output('report-progress', 'value'),
    progressDefault: 0,
    running: [[Output('report', 'disabled'), true, false]],
    cancel: Input('cancel', 'n_clicks'),
    interval: 200,
  },
  async (clicks: number, ctx: CallbackContext) => {
    for (let step = 1; step <= STEPS; step++) {
      if (ctx.signal.aborted) return noUpdate;
      await new Promise((resolve) => setTimeout(resolve, 150));
      ctx.setProgress(step);
    }
    return [dbc.Badge({ id: 'report-badge', children: `Report #${clicks}`, color: 'success' }), ' is ready.'];
  },
);

if (import.meta.url === `file://${process.argv[1]}`) {
  await app.run();
}
