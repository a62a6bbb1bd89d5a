/**
 * Background jobs for the Manager conformance suite and the SqliteManager tests: one callback
 * per behaviour a manager must handle. Worker processes import this module to find the job
 * functions; tests import it for their keys (`jobs`).
 */
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  type CallbackContext,
  Dash,
  html,
  Input,
  NonRetryableError,
  noUpdate,
  Output,
  Patch,
  PreventUpdate,
} from '../../src/index.ts';

export const app = new Dash({ title: 'jobs' });
app.layout = html.Div({ children: 'background jobs for tests' });

/** A background callback with output `<name>.children` and `inputs` inputs named `<name>-in-<i>`. */
function job(
  name: string,
  inputs: number,
  fn: (...args: never[]) => unknown,
  options: { progress?: boolean } = {},
): void {
  app.callback(
    {
      background: true,
      output: Output(name, 'children'),
      inputs: Array.from({ length: inputs }, (_, i) => Input(`${name}-in-${i}`, 'value')),
      progress: options.progress ? Output(`${name}-progress`, 'value') : undefined,
    },
    fn as (...args: unknown[]) => unknown,
  );
}

/** Tells the test which process runs the job, then waits a moment so that message is sent. */
async function reportPid(ctx: CallbackContext): Promise<void> {
  ctx.setProps('pid', { children: process.pid });
  await sleep(20);
}

job('echo', 1, (value: unknown) => value);

job('async-echo', 1, async (value: unknown) => {
  await sleep(1);
  return value;
});

/** When the job started, in ms since the epoch with sub-ms precision (for latency measurements). */
job('stamp', 0, () => performance.timeOrigin + performance.now());

job(
  'progress',
  1,
  async (n: number, ctx: CallbackContext) => {
    for (let i = 1; i <= n; i++) {
      ctx.setProgress(i);
      await sleep(1);
    }
    return n;
  },
  { progress: true },
);

/** Reports progress in a tight loop that never yields: a manager must not store every value. */
job(
  'progress-flood',
  1,
  (n: number, ctx: CallbackContext) => {
    for (let i = 1; i <= n; i++) ctx.setProgress(i);
    return n;
  },
  { progress: true },
);

job('set-props', 0, async (ctx: CallbackContext) => {
  ctx.setProps('a', { children: 'a1' });
  ctx.setProps('b', { value: 1 });
  await sleep(1);
  ctx.setProps('a', { title: 'ta' });
  ctx.setProps({ type: 'item', index: 2 }, { value: 'x' });
  return 'done';
});

/** Patches in setProps calls and in the result: they must arrive as Dash's patch JSON, in order. */
job('patch', 0, async (ctx: CallbackContext) => {
  ctx.setProps('list', { children: new Patch().append(html.Li({ children: 'one' })) });
  await sleep(1);
  ctx.setProps('list', { children: new Patch().append(html.Li({ children: 'two' })) });
  return new Patch().at('rows', 0).assign('first').at().delete();
});

job('sleep', 1, async (ms: number, ctx: CallbackContext) => {
  await reportPid(ctx);
  await sleep(ms, undefined, { signal: ctx.signal });
  return 'slept';
});

/** Burns CPU for `ms`, deaf to its signal: only a hard stop ends it early. */
job('busy', 1, async (ms: number, ctx: CallbackContext) => {
  await reportPid(ctx);
  const end = Date.now() + ms;
  let spins = 0;
  while (Date.now() < end) spins++;
  return `busy done after ${spins} spins`;
});

/** A sync job that blocks its process after reporting, as Dash jobs do with time.sleep. */
job(
  'blocking',
  1,
  (ms: number, ctx: CallbackContext) => {
    ctx.setProgress('working');
    ctx.setProps('blocking-status', { children: 'first' });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return 'unblocked';
  },
  { progress: true },
);

/** Notes its start in `file`, then blocks its process for `ms`, as a CPU-bound or time.sleep job does. */
job('record-blocking', 3, (file: string, token: string, ms: number) => {
  appendFileSync(file, `start ${token}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return token;
});

job('throws', 0, () => {
  throw new Error('job exploded');
});

job('prevent', 0, () => {
  throw new PreventUpdate();
});

job('bigint', 0, () => 10n);

job('circular', 0, () => {
  const value: Record<string, unknown> = { name: 'loop' };
  value.self = value;
  return value;
});

job('suicide', 0, () => {
  process.kill(process.pid, 'SIGKILL');
});

/** Appends `token` to `file`, to count how often a job ran. */
job('record', 2, (file: string, token: string) => {
  appendFileSync(file, `${token}\n`);
  return token;
});

/** Appends `<attempt> <ms since epoch>` to `file` per try and fails until try `succeedOn`. */
job('flaky', 2, (file: string, succeedOn: number, ctx: CallbackContext) => {
  appendFileSync(file, `${ctx.attempt} ${Date.now()}\n`);
  ctx.setProps('try', { children: ctx.attempt });
  if (ctx.attempt < succeedOn) throw new Error(`try ${ctx.attempt} failed`);
  return ctx.attempt;
});

job('non-retryable', 1, (file: string, ctx: CallbackContext) => {
  appendFileSync(file, `${ctx.attempt}\n`);
  throw new NonRetryableError('this input can never work');
});

/** Its first try's process dies (SIGKILL); a later try returns its number. */
job('suicide-once', 1, (file: string, ctx: CallbackContext) => {
  appendFileSync(file, `${ctx.attempt}\n`);
  if (ctx.attempt === 1) process.kill(process.pid, 'SIGKILL');
  return ctx.attempt;
});

/** Appends `start <token>` to `file`, reports its pid, works for `ms`, appends `end <token>`. */
job('record-slow', 3, async (file: string, token: string, ms: number, ctx: CallbackContext) => {
  appendFileSync(file, `start ${token}\n`);
  await reportPid(ctx);
  await sleep(ms);
  appendFileSync(file, `end ${token}\n`);
  return token;
});

/**
 * Appends `start <token>` to `file`, reports its pid, works (yielding) until `release` exists,
 * appends `end <token>`: a job that runs exactly as long as a test needs it to.
 */
job('record-until', 3, async (file: string, token: string, release: string, ctx: CallbackContext) => {
  appendFileSync(file, `start ${token}\n`);
  await reportPid(ctx);
  while (!existsSync(release)) await sleep(20);
  appendFileSync(file, `end ${token}\n`);
  return token;
});

/** Try 1 reports progress and a setProps call, then fails; try 2 notes its start in `file`, then works a while. */
job(
  'progress-then-fail',
  1,
  async (file: string, ctx: CallbackContext) => {
    if (ctx.attempt === 1) {
      ctx.setProgress('try 1');
      ctx.setProps('try', { children: 1 });
      await sleep(50);
      throw new Error('try 1 failed');
    }
    appendFileSync(file, `${ctx.attempt}\n`);
    await sleep(3000);
    return ctx.attempt;
  },
  { progress: true },
);

// Streams (generator callbacks): each yield updates the output `<name>.children`.

/** `n` whole values `token 1`..`token n`, `delayMs` apart. */
job('stream', 2, async function* (n: number, delayMs: number) {
  for (let i = 1; i <= n; i++) {
    if (delayMs > 0) await sleep(delayMs);
    yield `token ${i}`;
  }
});

/** `n` Patch appends in a tight loop: none may be lost. */
job('stream-patch', 1, async function* (n: number) {
  for (let i = 1; i <= n; i++) yield new Patch().append(i);
});

/** A sync generator: two yields, and its return value is final. */
job('stream-sync', 0, function* () {
  yield 'a';
  yield noUpdate;
  yield 'b';
  return 'c';
});

/** Writes `<attempt> <i>` per yield to `file`, then fails after `yields` yields. */
job('stream-fail', 2, async function* (file: string, yields: number, ctx: CallbackContext) {
  for (let i = 1; i <= yields; i++) {
    appendFileSync(file, `${ctx.attempt} ${i}\n`);
    yield `try ${ctx.attempt} yield ${i}`;
    await sleep(20);
  }
  throw new Error('stream broke');
});

/** Yields every 50 ms until stopped; its finally writes `finally` to `file`. */
job('stream-endless', 1, async function* (file: string, ctx: CallbackContext) {
  ctx.setProps('pid', { children: process.pid });
  try {
    for (let i = 1; ; i++) {
      yield `tick ${i}`;
      await sleep(50, undefined, { signal: ctx.signal });
    }
  } finally {
    appendFileSync(file, 'finally\n');
  }
});

/** One yield, then its process dies. */
job('stream-suicide', 0, async function* () {
  yield 'before';
  await sleep(100);
  process.kill(process.pid, 'SIGKILL');
  await sleep(10_000);
});

/** Two outputs (`stream-two-a`, `stream-two-b`): noUpdate skips one, a yield of only noUpdate sends nothing. */
app.callback(
  {
    background: true,
    output: [Output('stream-two-a', 'children'), Output('stream-two-b', 'children')],
    inputs: [Input('stream-two-in', 'value')],
  },
  async function* () {
    yield [noUpdate, 'b1'];
    yield [noUpdate, noUpdate];
    yield noUpdate;
    yield ['a1', noUpdate];
    yield ['a2', 'b2'];
  },
);

/** Resolves once `path` exists (the test creates it to let the job go on), or when `signal` aborts. */
async function untilExists(path: string, signal: AbortSignal): Promise<void> {
  while (!existsSync(path)) await sleep(10, undefined, { signal });
}

/**
 * One piece of news at a time, each when the test says so (job-news-contract.ts): progress,
 * then (once `<dir>/side` exists) a setProps call carrying its process id, then (once
 * `<dir>/finish` exists) its result.
 */
job(
  'news-steps',
  1,
  async (dir: string, ctx: CallbackContext) => {
    ctx.setProgress('first');
    await untilExists(join(dir, 'side'), ctx.signal);
    ctx.setProps('step', { children: process.pid });
    await untilExists(join(dir, 'finish'), ctx.signal);
    return 'done';
  },
  { progress: true },
);

/** Who started the job (ctx.user, from its context snapshot), as the worker process sees it. */
job('whoami', 0, (ctx: CallbackContext) => ctx.user ?? null);

function keyOf(name: string): string {
  const key = app.registry.get(`${name}.children`)?.background?.functionKey;
  if (!key) throw new Error(`jobs-app: no background callback ${name}`);
  return key;
}

/** The registrar keys of the job functions above. */
export const jobs = {
  echo: keyOf('echo'),
  asyncEcho: keyOf('async-echo'),
  stamp: keyOf('stamp'),
  progress: keyOf('progress'),
  progressFlood: keyOf('progress-flood'),
  setProps: keyOf('set-props'),
  patch: keyOf('patch'),
  sleep: keyOf('sleep'),
  busy: keyOf('busy'),
  blocking: keyOf('blocking'),
  throws: keyOf('throws'),
  prevent: keyOf('prevent'),
  bigint: keyOf('bigint'),
  circular: keyOf('circular'),
  suicide: keyOf('suicide'),
  record: keyOf('record'),
  recordSlow: keyOf('record-slow'),
  recordUntil: keyOf('record-until'),
  recordBlocking: keyOf('record-blocking'),
  flaky: keyOf('flaky'),
  nonRetryable: keyOf('non-retryable'),
  suicideOnce: keyOf('suicide-once'),
  progressThenFail: keyOf('progress-then-fail'),
  stream: keyOf('stream'),
  streamPatch: keyOf('stream-patch'),
  streamSync: keyOf('stream-sync'),
  streamFail: keyOf('stream-fail'),
  streamEndless: keyOf('stream-endless'),
  streamSuicide: keyOf('stream-suicide'),
  streamTwo: app.registry.get('..stream-two-a.children...stream-two-b.children..')!.background!.functionKey,
  newsSteps: keyOf('news-steps'),
  whoami: keyOf('whoami'),
};

/** This module's path, for `ManagerEnvironment.appModule`. */
export const jobsAppModule = fileURLToPath(import.meta.url);
