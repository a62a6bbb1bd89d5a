/**
 * The app bench/streaming.ts drives: a stream of `n` Patch appends `periodMs` apart, each
 * carrying when it was yielded, run in the server (an ordinary streaming callback), on the app's
 * manager (BENCH_MANAGER: sqlite, default, or in-process), and the same length of job without
 * yields (to compare the server's CPU with).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Dash, html, InProcessManager, Input, Output, Patch, SqliteManager } from '../src/index.ts';

const inProcess = process.env.BENCH_MANAGER === 'in-process';

export const app = new Dash({
  title: 'dash-ts streaming benchmark',
  backgroundManager: inProcess
    ? new InProcessManager({ concurrency: 1000 })
    : new SqliteManager({ path: process.env.BENCH_STORE }),
  backgroundLimits: { perPage: 10_000, queued: 100_000 },
});

app.layout = html.Div({ id: 'root' });

const now = () => performance.timeOrigin + performance.now();

async function* ticks(n: number, periodMs: number) {
  yield [];
  for (let i = 1; i <= n; i++) {
    await sleep(periodMs);
    yield new Patch().append({ i, at: now() });
  }
}

app.callback(
  { output: Output('in-server', 'children'), inputs: [Input('in-server-in', 'value')] },
  async function* ([n, periodMs]: [number, number]) {
    yield* ticks(n, periodMs);
  },
);

app.callback(
  { background: true, output: Output('in-worker', 'children'), inputs: [Input('in-worker-in', 'value')] },
  async function* ([n, periodMs]: [number, number]) {
    yield* ticks(n, periodMs);
  },
);

/** The same length as a stream of n yields periodMs apart, with no yields. */
app.callback(
  {
    background: true,
    output: Output('plain', 'children'),
    inputs: [Input('plain-in', 'value')],
    interval: 50,
  },
  async ([n, periodMs]: [number, number]) => {
    await sleep(n * periodMs);
    return n;
  },
);
