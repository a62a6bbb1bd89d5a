/**
 * Memory after hostile traffic (issue 8, item 8; issue 16, item 4): a real server (ordinary
 * callback, HTTP over loopback) takes fuzzed requests, 100 per round: large bodies up to the
 * 16 MiB limit, bodies over it, bodies nested thousands deep, wrong content types, junk JSON.
 * The server runs in a process of its own, as it would; its RSS, V8 heap and external memory are
 * printed at rest, right after each pass, and after 30 s idle, with whether the RSS 30 s after
 * the burst is within 50 MiB of the rest figure (the target). EXPOSE_GC=1 starts the server with
 * --expose-gc and adds a sample after a forced GC, which shows what is retained.
 *
 *   node --import tsx bench/hostile-memory.ts      # ROUNDS=50 (5,000 requests a pass), PASSES=2, IDLE_MS=30000
 */
import { fork } from 'node:child_process';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Dash, html, Input, Output } from '../src/index.ts';

type Memory = NodeJS.MemoryUsage;

if (process.argv[2] === '--serve') {
  // The server, in a process of its own (the client's garbage must not count), answering the
  // parent's requests for a memory sample over IPC.
  const app = new Dash({ logger: { info: () => {}, warn: () => {}, error: () => {} } });
  app.layout = html.Div({ id: 'root' });
  app.callback({ output: Output('out', 'children'), inputs: [Input('in', 'value')] }, (v: unknown) => v);
  const server = await app.run({ port: 0 });
  process.on('message', (message) => {
    if (message === 'sample') process.send!(process.memoryUsage());
    if (message === 'gc') {
      global.gc?.();
      setTimeout(() => process.send!(process.memoryUsage()), 500);
    }
    if (message === 'stop') void server.close().then(() => process.exit(0));
  });
  process.send!(server.url);
  await new Promise(() => {});
}

const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
  execArgv: ['--import', 'tsx', ...(process.env.EXPOSE_GC ? ['--expose-gc'] : [])],
});
const reply = <T>(): Promise<T> => new Promise((resolve) => child.once('message', (m) => resolve(m as T)));
const url = new URL(await reply<string>());
async function ask(what: 'sample' | 'gc'): Promise<Memory> {
  const answer = reply<Memory>();
  child.send(what);
  return answer;
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
async function sample(label: string, what: 'sample' | 'gc' = 'sample'): Promise<number> {
  const m = await ask(what);
  console.log(
    `${label.padEnd(28)} rss ${mib(m.rss).padStart(6)} MiB  heapUsed ${mib(m.heapUsed).padStart(6)} MiB  ` +
      `external ${mib(m.external).padStart(6)} MiB  arrayBuffers ${mib(m.arrayBuffers).padStart(6)} MiB`,
  );
  return m.rss;
}

function post(body: Buffer | string, contentType: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/_dash-update-component',
        agent: false,
        method: 'POST',
        headers: { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    // The server may answer 413 and close before a too-large body is written: EPIPE, expected.
    req.on('error', () => resolve(0));
    req.on('socket', (socket) => socket.on('error', () => {}));
    req.end(body);
  });
}

const echo = (value: string) =>
  `{"output":"out.children","outputs":{"id":"out","property":"children"},"inputs":[{"id":"in","property":"value","value":${value}}],"changedPropIds":[]}`;
const big = (n: number) => echo(JSON.stringify('x'.repeat(n)));
const deep = (n: number) => echo(`${'['.repeat(n)}0${']'.repeat(n)}`);

// At rest: the server has answered one ordinary request.
await post(echo('1'), 'application/json');
await sleep(2000);
const rest = await sample('server at rest');
const statuses = new Map<number, number>();
const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
let sent = 0;
/** A second pass shows whether memory keeps growing with traffic (retained) or levels off (reused). */
const passes = Number(process.env.PASSES ?? 2);
const rounds = Number(process.env.ROUNDS ?? 50);
const idleMs = Number(process.env.IDLE_MS ?? 30_000);
for (let pass = 1; pass <= passes; pass++) {
  for (let round = 0; round < rounds; round++) {
    const batch: Promise<number>[] = [];
    for (let i = 0; i < 100; i++) {
      const kind = (round * 100 + i) % 10;
      if (kind === 0) batch.push(post(big((1 + (i % 15)) * 1024 * 1024), 'application/json'));
      else if (kind === 1) batch.push(post(big(17 * 1024 * 1024), 'application/json'));
      else if (kind === 2) batch.push(post(deep(5000 + i * 100), 'application/json'));
      else if (kind === 3) batch.push(post(big(64 * 1024), 'text/plain'));
      else if (kind === 4) batch.push(post('{"output": [', 'application/json'));
      else batch.push(post(echo(String(round * 100 + i)), 'application/json'));
      sent++;
      if (batch.length >= 10) {
        for (const status of await Promise.all(batch.splice(0))) count(status);
      }
    }
    for (const status of await Promise.all(batch)) count(status);
  }
  console.log(`sent ${sent} requests; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  await sample(`after traffic pass ${pass}`);
}
await sleep(idleMs);
const idle = await sample(`after ${idleMs / 1000} s idle`);
const above = (idle - rest) / 1024 / 1024;
console.log(
  `RSS ${idleMs / 1000} s after the burst: ${above.toFixed(1)} MiB above the rest figure ` +
    `(target within 50 MiB: ${above <= 50 ? 'met' : 'missed'})`,
);
if (process.env.EXPOSE_GC) await sample('after a forced GC', 'gc');
child.send('stop');
