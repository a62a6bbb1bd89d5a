/**
 * Several server processes on one machine sharing one SQLite store, and a server restarted
 * while its job runs. Real `dash-ts run` processes, real worker pools, plain HTTP.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  pageToken,
  postUpdate,
  type ServerProcess,
  startServerProcess,
  type UpdateAnswer,
} from '../support/server-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-shared-'));
const env = { DASH_TS_TEST_DB: join(dir, 'shared.db') };
const MODULE = 'test/apps/shared-store.ts';
const servers: ServerProcess[] = [];

async function server(port?: number): Promise<ServerProcess> {
  const started = await startServerProcess(MODULE, env, port);
  servers.push(started);
  return started;
}

const slowBody = (ms: number | null) => ({
  output: 'slow.children',
  outputs: { id: 'slow', property: 'children' },
  inputs: [{ id: 'slow-in', property: 'value', value: ms }],
  changedPropIds: ['slow-in.value'],
});

const cancelBody = {
  output: 'slow-cancel.id',
  outputs: { id: 'slow-cancel', property: 'id' },
  inputs: [{ id: 'slow-cancel', property: 'n_clicks', value: 1 }],
  changedPropIds: ['slow-cancel.n_clicks'],
};

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('two server processes sharing one store', () => {
  it('a job started on one is polled to its result on the other, and runs once', async () => {
    const [a, b] = [await server(), await server()];
    const endId = await pageToken(a.url);
    const start = await postUpdate(a.url, slowBody(600), `?endId=${endId}`);
    assert.equal(start.status, 200);
    const { cacheKey, job } = start.json!;
    const progressSeen = new Set<string>();
    let final: UpdateAnswer | undefined;
    for (let i = 0; i < 100 && !final; i++) {
      // Alternate between the servers, as a load balancer might.
      const target = i % 2 === 0 ? b : a;
      const poll = await postUpdate(
        target.url,
        slowBody(null),
        `?endId=${endId}&cacheKey=${cacheKey}&job=${job}`,
      );
      assert.equal(poll.status, 200, `poll ${i} on ${target.url}`);
      const progress = poll.json!.progress?.['slow-progress.children'];
      if (progress) progressSeen.add(progress.replace(/^\d+\/\d+ in /, ''));
      if (poll.json!.response) final = poll.json;
      else await sleep(100);
    }
    assert.deepEqual(final!.response, { slow: { children: 'slept 600 ms' } });
    assert.equal(progressSeen.size, 1, `one worker process ran the job: ${[...progressSeen]}`);
    const again = await postUpdate(a.url, slowBody(null), `?endId=${endId}&cacheKey=${cacheKey}&job=${job}`);
    assert.equal(again.status, 204, 'no poll relaunches a delivered job');
  });

  it('a cancel landing on the other server stops the job', async () => {
    const [a, b] = servers;
    const endId = await pageToken(a!.url);
    const start = await postUpdate(a!.url, slowBody(5000), `?endId=${endId}`);
    const { cacheKey, job } = start.json!;
    await sleep(300);
    const cancel = await postUpdate(b!.url, cancelBody, `?endId=${endId}&cancelJob=${job}`);
    assert.deepEqual(cancel.json, { multi: true, response: {} });
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      status = (await postUpdate(a!.url, slowBody(null), `?endId=${endId}&cacheKey=${cacheKey}&job=${job}`))
        .status;
      if (status === 200) await sleep(100);
    }
    assert.equal(status, 204, 'the cancelled job answers 204 on either server');
  });
});

describe('a server restarted mid-job', () => {
  it('loses nothing: the page that was polling gets the result once the server is back', async () => {
    const first = await server();
    const port = Number(new URL(first.url).port);
    const endId = await pageToken(first.url);
    const start = await postUpdate(first.url, slowBody(1500), `?endId=${endId}`);
    const { cacheKey, job } = start.json!;
    await sleep(300);
    // Stop every process of the shared store, then bring one back on the same port.
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    const restarted = await server(port);
    let final: UpdateAnswer | undefined;
    for (let i = 0; i < 150 && !final; i++) {
      const poll = await postUpdate(
        restarted.url,
        slowBody(null),
        `?endId=${endId}&cacheKey=${cacheKey}&job=${job}`,
      );
      assert.equal(poll.status, 200, `poll ${i} after restart`);
      if (poll.json!.response) final = poll.json;
      else await sleep(100);
    }
    assert.deepEqual(final!.response, { slow: { children: 'slept 1500 ms' } });
  });
});
