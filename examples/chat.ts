// examples/chat.ts: a chat box whose answer streams token by token (npx dash-ts run examples/chat.ts).
// A generator callback streams: every `yield` reaches the page while the function still runs.
// The same stand-in "model" answers twice: once in the server process (an ordinary callback)
// and once from a background worker (background: true), both stopped by one button.
import { setTimeout as sleep } from 'node:timers/promises';
import { type CallbackContext, Dash, dcc, html, Input, Output, Patch, State } from 'dash-ts';

export const app = new Dash({ title: 'Streaming chat' });

app.layout = html.Div({
  children: [
    dcc.Input({ id: 'question', value: 'What is a streaming callback?', style: { width: '30em' } }),
    html.Button({ id: 'ask-server', children: 'Ask (in the server)', n_clicks: 0 }),
    html.Button({ id: 'ask-worker', children: 'Ask (in a worker)', n_clicks: 0 }),
    html.Button({ id: 'stop', children: 'Stop', n_clicks: 0 }),
    html.H4({ children: 'Answer from the server process' }),
    html.Div({ id: 'answer-server', children: [] }),
    html.H4({ children: 'Answer from a background worker' }),
    html.Div({ id: 'answer-worker', children: [] }),
  ],
});

/** A stand-in for a language model: the answer, a word at a time (no network). */
async function* standInModel(question: string, signal: AbortSignal): AsyncGenerator<string> {
  const answer =
    `You asked: "${question}". A streaming callback is a generator function: each value it ` +
    'yields replaces its outputs, and a yielded Patch changes them a little, so this answer ' +
    'grows a word at a time while the function is still running.';
  for (const word of answer.split(' ')) {
    await sleep(80, undefined, { signal });
    yield `${word} `;
  }
}

/** The answer, streamed: first an empty list, then one appended token per yield. */
async function* answer(question: string, ctx: CallbackContext) {
  yield [];
  for await (const token of standInModel(question ?? '', ctx.signal)) {
    yield new Patch().append(token);
  }
}

const common = {
  state: [State('question', 'value')],
  preventInitialCall: true,
  cancel: Input('stop', 'n_clicks'),
};

// Ordinary: runs in the server process (it streams through the background protocol all the same).
app.callback(
  {
    ...common,
    output: Output('answer-server', 'children'),
    inputs: [Input('ask-server', 'n_clicks')],
    running: [[Output('ask-server', 'disabled'), true, false]],
  },
  async function* (_clicks: number, question: string, ctx: CallbackContext) {
    yield* answer(question, ctx);
  },
);

// Background: runs in a worker process of the app's manager (here the embedded SqliteManager).
app.callback(
  {
    ...common,
    background: true,
    output: Output('answer-worker', 'children'),
    inputs: [Input('ask-worker', 'n_clicks')],
    running: [[Output('ask-worker', 'disabled'), true, false]],
  },
  async function* (_clicks: number, question: string, ctx: CallbackContext) {
    yield* answer(question, ctx);
  },
);
