/**
 * The app the benchmark drives: a trivial job, a job that sleeps 0.5 s in 5 progress steps, a
 * CPU-bound job of 50 ms, and a busy job that ignores its cancel signal. Runs on the embedded SqliteManager (in the file
 * BENCH_STORE names, always a fresh one from bench/run.ts), or with BENCH_MANAGER=bullmq on a
 * BullMQManager on the Redis at BENCH_REDIS, whose jobs run in `dash-ts worker bench/app.ts`
 * processes.
 */
import {
  BullMQManager,
  type CallbackContext,
  Dash,
  html,
  Input,
  Output,
  SqliteManager,
} from '../src/index.ts';

// Job slots per worker. Every slot is a process of its own (issue 20: a hard stop must touch only
// its own job), ~75 MiB each, so the default is the managers' own: one. bench/run.ts's main
// figures set 16 (BENCH_CONCURRENCY) so 32 clients of 0.5 s jobs find a slot each; the installed
// package's and cost-per-job's memory figures run the default, as an app gets it.
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 1);

const bullmq = process.env.BENCH_MANAGER === 'bullmq';
// The machine's own Redis (6379) is never the benchmark's: bench/run.ts starts a private one.
if (bullmq && !process.env.BENCH_REDIS)
  throw new Error('BENCH_MANAGER=bullmq needs BENCH_REDIS (a Redis URL)');

export const app = new Dash({
  title: 'dash-ts benchmark',
  backgroundManager: bullmq
    ? new BullMQManager({ connection: process.env.BENCH_REDIS, concurrency })
    : // Default pool size: one worker per CPU.
      new SqliteManager({ path: process.env.BENCH_STORE, concurrency }),
  // bench/monitor-cost.ts measures jobs/s with the jobs monitor recording and without.
  jobsMonitor: process.env.BENCH_MONITOR ? { token: 'bench-monitor-token' } : undefined,
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

/** CPU-bound: 50 ms of computation (bench/cost-per-job.ts's scale-out figure). */
app.callback(
  {
    background: true,
    output: Output('cpu', 'children'),
    inputs: [Input('cpu-in', 'value')],
    interval,
  },
  (value: unknown) => {
    const startedAt = performance.timeOrigin + performance.now();
    let spins = 0;
    while (performance.timeOrigin + performance.now() - startedAt < 50) spins++;
    return { value, startedAt, spins };
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
