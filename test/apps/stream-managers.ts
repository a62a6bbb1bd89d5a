/**
 * A chat answer streamed token by token (Patch appends) from a `dash-ts worker` on BullMQManager
 * (the Redis at $DASH_TS_TEST_REDIS) and from an InProcessManager, with one Stop button, for
 * test/e2e/streaming-managers.test.ts. examples/chat.ts covers the server and a pool process.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BullMQManager,
  type CallbackContext,
  Dash,
  html,
  InProcessManager,
  Input,
  Output,
  Patch,
} from '../../src/index.ts';

const managers = {
  bullmq: new BullMQManager({ connection: process.env.DASH_TS_TEST_REDIS, queueName: 'stream-managers' }),
  memory: new InProcessManager(),
};

export const app = new Dash({ title: 'streams from every manager' });

app.layout = html.Div({
  children: [
    ...Object.keys(managers).flatMap((where) => [
      html.Button({ id: `ask-${where}`, children: `Ask (${where})`, n_clicks: 0 }),
      html.Div({ id: `answer-${where}`, children: [] }),
    ]),
    html.Button({ id: 'stop', children: 'Stop', n_clicks: 0 }),
  ],
});

const ANSWER =
  'A streaming callback is a generator function: each value it yields replaces its outputs, and a ' +
  'yielded Patch changes them a little, so this answer grows a word at a time while the function ' +
  'is still running.';

for (const [where, manager] of Object.entries(managers)) {
  app.callback(
    {
      background: true,
      manager,
      output: Output(`answer-${where}`, 'children'),
      inputs: [Input(`ask-${where}`, 'n_clicks')],
      preventInitialCall: true,
      cancel: Input('stop', 'n_clicks'),
      running: [[Output(`ask-${where}`, 'disabled'), true, false]],
    },
    async function* (_clicks: number, ctx: CallbackContext) {
      yield [];
      for (const word of ANSWER.split(' ')) {
        await sleep(80, undefined, { signal: ctx.signal });
        yield new Patch().append(`${word} `);
      }
    },
  );
}
