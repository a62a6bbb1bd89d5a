/**
 * A BullMQ app for test/fault/redis-down-at-start.test.ts: started (server and `dash-ts worker`)
 * while its Redis (DASH_TS_TEST_REDIS) is down. `double` has no onError (a refused start is a
 * 503), `guarded` has one (the refusal reaches it). The jobs monitor records what runs once Redis is up.
 */
import { BullMQManager, Dash, html, Input, Output } from '../../src/index.ts';

const connection = process.env.DASH_TS_TEST_REDIS;
if (!connection) throw new Error('redis-late.ts needs DASH_TS_TEST_REDIS (the test Redis URL)');

export const app = new Dash({
  title: 'redis late',
  backgroundManager: new BullMQManager({ connection, queueName: 'redis-late' }),
  // Recording is turned on when Redis answers, not at start (it was down then).
  jobsMonitor: { token: 'redis-late-monitor-token' },
});
app.layout = html.Div({ id: 'root' });

app.callback(
  {
    background: true,
    output: Output('double', 'children'),
    inputs: [Input('double-in', 'value')],
    interval: 100,
  },
  (n: number) => n * 2,
);

app.callback(
  {
    background: true,
    output: Output('guarded', 'children'),
    inputs: [Input('guarded-in', 'value')],
    interval: 100,
    onError: (error) => `refused: ${error.message}`,
  },
  (n: number) => `guarded ${n}`,
);
