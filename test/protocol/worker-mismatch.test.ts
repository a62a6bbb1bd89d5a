/**
 * A server whose pool workers do not define a background callback's job function (here: it is
 * registered in the server only) ends that callback's job as an error within seconds, saying why,
 * instead of leaving it queued with the page spinning.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pageToken, postUpdate, type ServerProcess, startServerProcess } from '../support/server-process.ts';

let server: ServerProcess | undefined;
after(() => server?.stop());

describe('server and workers disagree on the job functions', () => {
  it('the job ends as an error naming the cause within seconds', async () => {
    server = await startServerProcess('test/apps/server-only-callback.ts', {});
    const endId = await pageToken(server.url);
    const body = {
      output: 'out.children',
      outputs: { id: 'out', property: 'children' },
      inputs: [{ id: 'go', property: 'n_clicks', value: 1 }],
      changedPropIds: ['go.n_clicks'],
    };
    const started = performance.now();
    // The start request may already carry the outcome (it waits a moment for a quick job).
    const first = await postUpdate(server.url, body, `?endId=${endId}`);
    let status = first.status;
    while (status === 200 && performance.now() - started < 10_000) {
      await sleep(100);
      const { cacheKey, job } = first.json!;
      status = (await postUpdate(server.url, body, `?endId=${endId}&cacheKey=${cacheKey}&job=${job}`)).status;
    }
    assert.equal(status, 500, `the job did not end within 10 s:\n${server.output()}`);
    assert.match(
      server.output(),
      /no background worker can run this job: .* did not register the job function of out\.children/,
    );
  });
});
