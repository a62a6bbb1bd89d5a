/**
 * The app the benchmark drives: a trivial job, a job that sleeps 0.5 s in 5 progress steps,
 * and a busy job that ignores its cancel signal. Runs on the embedded SqliteManager unless
 * BENCH_STORE names a file (always a fresh one from bench/run.ts).
 */
import { type CallbackContext, Dash, html, Input, Output, SqliteManager } from '../src/index.ts';

// Default pool size (one worker per CPU); the sleeping job is async, so each worker runs many
// at once, as the `concurrency` option is meant for (Dash's DiskcacheManager starts a process per job).
export const app = new Dash({
  title: 'dash-ts benchmark',
  backgroundManager: new SqliteManager({
    path: process.env.BENCH_STORE,
    concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16),
  }),
});

app.layout = html.Div({ id: 'root' });

const interval = Number(process.env.BENCH_INTERVAL ?? 100);

app.callback(
  {
    background: true,
    output: Output('trivial', 'children'),
    inputs: [Input('trivial-in', 'value')],
    interval,
  },
  (value: unknown) => ({ value, startedAt: performance.timeOrigin + performance.now() }),
);

app.callback(
  {
    background: true,
    output: Output('sleepy', 'children'),
    inputs: [Input('sleepy-in', 'value')],
    progress: Output('sleepy-progress', 'children'),
    interval,
  },
  async (value: unknown, ctx: CallbackContext) => {
    const startedAt = performance.timeOrigin + performance.now();
    for (let step = 1; step <= 5; step++) {
      await new Promise((r) => setTimeout(r, 100));
      ctx.setProgress(`${step}/5`);
    }
    return { value, startedAt };
  },
);

app.callback(
  {
    background: true,
    output: Output('busy', 'children'),
    inputs: [Input('busy-in', 'value')],
    progress: Output('busy-progress', 'children'),
    cancel: Input('busy-cancel', 'n_clicks'),
    interval,
  },
  async (_value: unknown, ctx: CallbackContext) => {
    ctx.setProgress(process.pid);
    // Let the progress message leave before the event loop is blocked for good.
    await new Promise((r) => setTimeout(r, 50));
    const until = Date.now() + 60_000;
    // Ignores ctx.signal on purpose: only a hard stop ends this.
    while (Date.now() < until) {}
    return 'never';
  },
);
