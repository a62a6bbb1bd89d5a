/**
 * Background callbacks on many machines: jobs go on a BullMQ queue in Redis and run in
 * `dash-ts worker` processes, wherever they are. Counts primes (CPU-bound work) with a progress
 * bar, a live status line and a cancel button.
 *
 *   redis-server                                              (any Redis ≥ 6.2; keep AOF on in production)
 *   REDIS_URL=redis://127.0.0.1:6379 npx dash-ts run examples/distributed.ts
 *   REDIS_URL=redis://127.0.0.1:6379 npx dash-ts worker examples/distributed.ts     (one or many, any machine)
 *
 * Start as many workers as you like (each runs one job at a time here, see `concurrency`), and as
 * many servers behind a load balancer: any server answers any poll or cancel.
 */
import {
  BullMQManager,
  type CallbackContext,
  Dash,
  dcc,
  html,
  Input,
  noUpdate,
  Output,
  State,
} from 'dash-ts';

const manager = new BullMQManager({
  connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  queueName: 'dash-ts-example',
  // Results are cached per limit for a minute: the same question twice is answered at once.
  cacheBy: [() => 'v1'],
  expire: 60,
});

export const app = new Dash({ title: 'Distributed primes', backgroundManager: manager });

app.layout = html.Div({
  style: { fontFamily: 'system-ui, sans-serif', maxWidth: '640px', margin: '2em auto' },
  children: [
    html.H2({ children: 'Count primes on a worker' }),
    html.Label({ children: 'Up to ', htmlFor: 'limit' }),
    dcc.Input({ id: 'limit', type: 'number', value: 5_000_000, min: 1000, step: 1000, debounce: true }),
    html.Button({ id: 'run', children: 'Count', n_clicks: 0, style: { marginLeft: '8px' } }),
    html.Button({ id: 'cancel', children: 'Cancel', disabled: true, style: { marginLeft: '8px' } }),
    html.Div({
      style: { marginTop: '12px' },
      children: [
        html.Progress({ id: 'progress', value: '0', max: '100', style: { width: '100%' } }),
        html.Div({ id: 'status', children: 'Idle.' }),
      ],
    }),
    html.H3({ id: 'result', children: '' }),
  ],
});

app.callback(
  {
    background: true,
    output: Output('result', 'children'),
    inputs: [Input('run', 'n_clicks')],
    state: [State('limit', 'value')],
    preventInitialCall: true,
    progress: Output('progress', 'value'),
    progressDefault: '0',
    running: [
      [Output('run', 'disabled'), true, false],
      [Output('cancel', 'disabled'), false, true],
    ],
    cancel: Input('cancel', 'n_clicks'),
    interval: 250,
  },
  async (_clicks: number, limit: number | null, ctx: CallbackContext) => {
    const n = Math.max(2, Math.floor(Number(limit) || 0));
    const chunks = 100;
    let primes = 0;
    // Deliberately plain trial division: CPU work, in chunks. Between chunks the job yields, so a
    // cancel aborts ctx.signal and it stops by itself; a job that never yields is hard-stopped.
    for (let chunk = 0; chunk < chunks; chunk++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (ctx.signal.aborted) return noUpdate;
      const from = Math.floor((n * chunk) / chunks) + 1;
      const to = Math.floor((n * (chunk + 1)) / chunks);
      for (let k = Math.max(2, from); k <= to; k++) if (isPrime(k)) primes++;
      ctx.setProgress(String(chunk + 1));
      ctx.setProps('status', {
        children: `Checked ${to.toLocaleString('en')} numbers on worker pid ${process.pid}…`,
      });
    }
    ctx.setProps('status', { children: `Done on worker pid ${process.pid}.` });
    return `${primes.toLocaleString('en')} primes up to ${n.toLocaleString('en')}`;
  },
);

function isPrime(k: number): boolean {
  if (k < 4) return k > 1;
  if (k % 2 === 0) return false;
  for (let d = 3; d * d <= k; d += 2) if (k % d === 0) return false;
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await app.run();
}
