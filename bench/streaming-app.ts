/**
 * The app bench/streaming.ts drives: a stream of `n` Patch appends `periodMs` apart, each
 * carrying when it was yielded, run in the server (an ordinary streaming callback), on the app's
 * manager (BENCH_MANAGER: sqlite, default; in-process; bullmq, on the Redis at BENCH_REDIS, its
 * jobs run by `dash-ts worker bench/streaming-app.ts`), and the same length of job without
 * yields (to compare the CPU with). BENCH_SLOTS: jobs the manager runs at once (SqliteManager:
 * per pool process; BullMQ: per `dash-ts worker`; each a process of its own).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BullMQManager,
  Dash,
  html,
  InProcessManager,
  Input,
  type Manager,
  Output,
  Patch,
  SqliteManager,
} from '../src/index.ts';

const slots = Number(process.env.BENCH_SLOTS ?? 4);

function manager(): Manager {
  switch (process.env.BENCH_MANAGER ?? 'sqlite') {
    case 'in-process':
      return new InProcessManager({ concurrency: 1000 });
    case 'bullmq':
      // The machine's own Redis (6379) is never the benchmark's: bench/streaming.ts starts a private one.
      if (!process.env.BENCH_REDIS) throw new Error('BENCH_MANAGER=bullmq needs BENCH_REDIS (a Redis URL)');
      return new BullMQManager({ connection: process.env.BENCH_REDIS, concurrency: slots });
    default:
      return new SqliteManager({
        path: process.env.BENCH_STORE,
        workers: 2,
        concurrency: Math.max(1, Math.ceil(slots / 2)),
      });
  }
}

export const app = new Dash({
  title: 'dash-ts streaming benchmark',
  backgroundManager: manager(),
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
