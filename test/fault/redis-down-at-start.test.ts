/**
 * Redis down when the app starts: a real `dash-ts run` server and a real `dash-ts worker` are
 * started while nothing listens on their Redis port. The server serves its page and `/health`
 * (DEGRADED, naming the cause, no password) and stays up past the 22-44 s after which it used to
 * exit on an unhandled ioredis error; a background start is refused at once (503 with a message,
 * or the callback's onError); the worker waits, logging each try. Then a real redis-server starts
 * on that port: with no restart, /health says OK, a job runs to its result on the worker and the
 * jobs monitor records it.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { pageToken, postUpdate, type ServerProcess, startServerProcess } from '../support/server-process.ts';

const MODULE = 'test/apps/redis-late.ts';
const PASSWORD = 'pw-not-for-logs';

const body = (name: string, value: unknown) => ({
  output: `${name}.children`,
  outputs: { id: name, property: 'children' },
  inputs: [{ id: `${name}-in`, property: 'value', value }],
  changedPropIds: [`${name}-in.value`],
});

interface Health {
  status: string;
  background: { kind: string; answers: boolean; error?: string }[];
}

async function health(url: string): Promise<Health> {
  const res = await fetch(`${url}/health`);
  assert.equal(res.status, 200);
  return (await res.json()) as Health;
}

let redis: TestRedis | undefined;
let server: ServerProcess | undefined;
let worker: Promise<DashWorker> | undefined;

after(async () => {
  await server?.stop();
  await (await worker?.catch(() => undefined))?.stop();
  await redis?.destroy();
});

describe('a server and a worker started while Redis is down', () => {
  it('serve degraded, refuse starts at once, and work once Redis starts, without a restart', async () => {
    // A port of our own, free again: nothing answers on it until redis.start().
    redis = await startRedis();
    await redis.stop();
    const env = {
      DASH_TS_TEST_REDIS: `redis://:${PASSWORD}@127.0.0.1:${redis.port}/0?password=${PASSWORD}`,
    };
    server = await startServerProcess(MODULE, env);
    worker = startDashWorker(MODULE, env, [], { startTimeoutMs: 120_000 });
    worker.catch(() => {});

    // The page is served; its token is unsigned (the store holds the secret), so no job can start.
    const page = await fetch(server.url);
    assert.equal(page.status, 200);
    await page.arrayBuffer();
    const down = await health(server.url);
    assert.equal(down.status, 'DEGRADED');
    assert.equal(down.background[0]!.answers, false);
    assert.match(
      down.background[0]!.error!,
      /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0\?password=\*\*\* is not answering \(connect ECONNREFUSED/,
    );

    const endId = await pageToken(server.url);
    let started = performance.now();
    const refused = await fetch(`${server.url}/_dash-update-component?endId=${endId}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body('double', 21)),
    });
    assert.equal(refused.status, 503);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.match(
      ((await refused.json()) as { message: string }).message,
      /background jobs cannot start until it is back/,
    );
    assert.ok(performance.now() - started < 2000, 'refused at once');

    started = performance.now();
    const guarded = await postUpdate(server.url, body('guarded', 1), `?endId=${endId}`);
    assert.equal(guarded.status, 200);
    assert.match(
      String(guarded.json!.response!.guarded!.children),
      /^refused: .*Redis at .* is not answering/,
    );
    assert.ok(performance.now() - started < 2000, 'refused at once');

    // Past the 22-44 s after which the server used to exit on an unhandled ioredis 'error'.
    await new Promise((resolve) => setTimeout(resolve, 46_000));
    assert.equal(server.child.exitCode, null, `the server exited:\n${server.output()}`);
    assert.equal((await health(server.url)).status, 'DEGRADED');

    await redis.start();
    const deadline = Date.now() + 30_000;
    while ((await health(server.url)).status !== 'OK') {
      assert.ok(Date.now() < deadline, 'health still DEGRADED 30 s after Redis started');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const running = await worker; // it logs "running jobs of queue" once Redis answered
    const waited = running.output();
    assert.match(
      waited,
      /worker: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0\?password=\*\*\* is not answering .*try 1, next in 1 s/,
    );
    assert.match(waited, /try 2, next in 2 s/);

    // A page loaded now gets a signed token; its job runs on the worker that waited.
    const freshEnd = await pageToken(server.url);
    const start = await postUpdate(server.url, body('double', 21), `?endId=${freshEnd}`);
    assert.equal(start.status, 200);
    let answer = start.json!;
    const until = Date.now() + 20_000;
    while (!answer.response) {
      assert.ok(Date.now() < until, 'no result 20 s after the start');
      const poll = await postUpdate(
        server.url,
        body('double', 21),
        `?endId=${freshEnd}&cacheKey=${answer.cacheKey ?? start.json!.cacheKey}&job=${answer.job ?? start.json!.job}`,
      );
      assert.ok(poll.status === 200 || poll.status === 204, String(poll.status));
      answer = poll.json ?? {};
    }
    assert.deepEqual(answer.response, { double: { children: 42 } });

    // The jobs monitor, whose recording could not be turned on at start, recorded it.
    const monitor = await fetch(`${server.url}/_dash-ts/jobs/api/jobs`, {
      headers: { Authorization: 'Bearer redis-late-monitor-token' },
    });
    assert.equal(monitor.status, 200);
    const { jobs } = (await monitor.json()) as { jobs: { callbackId: string; outcome?: string }[] };
    assert.ok(
      jobs.some((job) => job.callbackId === 'double.children' && job.outcome === 'succeeded'),
      JSON.stringify(jobs),
    );

    // The page loaded while Redis was down is told to reload, not left spinning.
    const stale = await fetch(`${server.url}/_dash-update-component?endId=${endId}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body('double', 1)),
    });
    assert.equal(stale.status, 400);
    assert.match(((await stale.json()) as { message: string }).message, /reload the page/);

    for (const log of [server.output(), running.output()]) assert.ok(!log.includes(PASSWORD), log);
  });
});
