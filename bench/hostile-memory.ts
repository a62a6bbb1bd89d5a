/**
 * Memory after hostile traffic (issue 8, item 8): a real server (ordinary callback, HTTP over
 * loopback) takes ~5,000 fuzzed requests: large bodies up to the 16 MiB limit, bodies nested
 * thousands deep, wrong content types, junk JSON, and closed sockets. Prints RSS, V8 heap and
 * external memory before, right after, after 30 s idle, and after a forced GC, so what is
 * *retained* (reachable) is told apart from what the allocator has not yet given back.
 *
 *   node --expose-gc --import tsx bench/hostile-memory.ts
 */
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Dash, html, Input, Output } from '../src/index.ts';

const app = new Dash({ logger: { info: () => {}, warn: () => {}, error: () => {} } });
app.layout = html.Div({ id: 'root' });
app.callback({ output: Output('out', 'children'), inputs: [Input('in', 'value')] }, (v: unknown) => v);
const server = await app.run({ port: 0 });
const url = new URL(server.url);

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
function sample(label: string): void {
  const m = process.memoryUsage();
  console.log(
    `${label.padEnd(28)} rss ${mib(m.rss).padStart(6)} MiB  heapUsed ${mib(m.heapUsed).padStart(6)} MiB  ` +
      `external ${mib(m.external).padStart(6)} MiB  arrayBuffers ${mib(m.arrayBuffers).padStart(6)} MiB`,
  );
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

global.gc?.();
sample('baseline');
const statuses = new Map<number, number>();
const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
let sent = 0;
/** A second pass shows whether memory keeps growing with traffic (retained) or levels off (reused). */
for (const pass of [1, 2]) {
  for (let round = 0; round < 50; round++) {
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
  sample(`after traffic pass ${pass}`);
}
await sleep(30_000);
sample('after 30 s idle');
global.gc?.();
sample('after a forced GC');
await server.close();
