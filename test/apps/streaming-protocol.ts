/**
 * Streaming callbacks exercised over HTTP by test/protocol/streaming.test.ts: the same streams in
 * the server process (ordinary), in an SqliteManager pool process and in an InProcessManager. Its
 * pool workers import this module too, so the store path comes from the environment they inherit.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Dash,
  html,
  InProcessManager,
  Input,
  type Manager,
  Output,
  Patch,
  SqliteManager,
} from '../../src/index.ts';

const managers: Record<string, Manager | undefined> = {
  server: undefined,
  pool: new SqliteManager({ path: process.env.DASH_TS_TEST_DB, workers: 1, concurrency: 2 }),
  memory: new InProcessManager(),
};

export const WHERE = Object.keys(managers);

export const app = new Dash({
  onError: (error) => `app onError: ${error.message}`,
});

app.layout = html.Div({ id: 'root' });

for (const [where, manager] of Object.entries(managers)) {
  const background = manager ? { background: true as const, manager } : {};

  /** Two tokens, then a throw: the tokens reach the page, then the callback's onError answers. */
  app.callback(
    {
      ...background,
      output: Output(`${where}-broken`, 'children'),
      inputs: [Input(`${where}-broken-in`, 'value')],
      onError: (error) => `callback onError: ${error.message}`,
    },
    async function* () {
      yield [];
      for (const token of ['one ', 'two ']) {
        await sleep(20);
        yield new Patch().append(token);
      }
      await sleep(20);
      throw new Error('the stream broke');
    },
  );

  /** Two tokens, then no callback onError: the app's answers. */
  app.callback(
    {
      ...background,
      output: Output(`${where}-unhandled`, 'children'),
      inputs: [Input(`${where}-unhandled-in`, 'value')],
    },
    async function* () {
      yield 'first';
      await sleep(20);
      throw new Error('unhandled break');
    },
  );
}

/** A pool process killed mid-stream: the stream ends as an error the user sees. */
app.callback(
  {
    background: true,
    manager: managers.pool,
    output: Output('pool-killed', 'children'),
    inputs: [Input('pool-killed-in', 'value')],
  },
  async function* () {
    yield 'before';
    await sleep(200);
    process.kill(process.pid, 'SIGKILL');
    yield 'never';
  },
);
