import { type CallbackContext, callback, html, Input, Output, registerPage } from '../../../../src/index.ts';

registerPage({ id: 'job', title: 'Job page' });

export const layout = html.Div({
  children: [
    html.Div({ id: 'text_job', children: 'text for job' }),
    html.Button({ id: 'job-run', children: 'run the job', n_clicks: 0 }),
    html.Div({ id: 'job-progress' }),
    html.Div({ id: 'job-result', children: 'not run' }),
  ],
});

// A background callback defined in a page module: the server and every worker import this
// module (through the app's pages folder), so all of them know its job function.
callback(
  {
    background: true,
    output: Output('job-result', 'children'),
    inputs: [Input('job-run', 'n_clicks')],
    progress: [Output('job-progress', 'children')],
    preventInitialCall: true,
    interval: 100,
  },
  async (clicks: number, ctx: CallbackContext) => {
    ctx.setProgress('working');
    await new Promise((resolve) => setTimeout(resolve, 200));
    return `job ${clicks} ran in process ${process.pid}`;
  },
);
