/**
 * Cancel and supersede before the handle across servers (issue 16, item 2): two `dash-ts run`
 * processes of test/apps/bg-quick-cancel.ts on one store, as behind a load balancer. Server 1 gets
 * a start and, while it is still queueing the job (the store is held: a write lock on the SQLite
 * file, or Redis's CLIENT PAUSE WRITE), server 2 gets the page's cancel, or a newer call. The job
 * must not run on unseen (src/background/start-stops.ts). Run for SqliteManager
 * (cross-server-cancel.test.ts) and BullMQManager (cross-server-cancel-bullmq.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pageToken, postUpdate, type ServerProcess, type UpdateAnswer } from '../support/server-process.ts';

export interface CrossServerFixture {
  servers(): [ServerProcess, ServerProcess];
  runsFile: string;
  /** Holds the store's writes until the returned function is called (well within 5 s). */
  holdStore(): Promise<() => Promise<void>>;
  /** Whether the page load has an unfinished job in the store (read there, as any server would). */
  pageHasJob(endId: string): Promise<boolean>;
}

const work = (label: string | null) => ({
  output: 'work-out.children',
  outputs: { id: 'work-out', property: 'children' },
  inputs: [{ id: 'work-in', property: 'value', value: label }],
  changedPropIds: ['work-in.value'],
});
const cancelBody = {
  output: 'work-cancel.id',
  outputs: { id: 'work-cancel', property: 'id' },
  inputs: [{ id: 'work-cancel', property: 'n_clicks', value: 1 }],
  changedPropIds: ['work-cancel.n_clicks'],
};

/** How long the test waits for a request to reach a server held by the store (a loaded machine). */
const REACH_MS = 1000;

export function crossServerCancelSuite(fixture: CrossServerFixture): void {
  function runs(): string[] {
    try {
      return readFileSync(fixture.runsFile, 'utf8').trim().split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  /** Polls on alternating servers, as a load balancer sends them, until the answer is final. */
  async function outcome(endId: string, answer: UpdateAnswer | undefined): Promise<number | string> {
    assert.ok(answer?.job, `no job handle: ${JSON.stringify(answer)}`);
    if (answer.response) return JSON.stringify(answer.response);
    for (let i = 0; i < 200; i++) {
      const server = fixture.servers()[i % 2]!;
      const res = await postUpdate(
        server.url,
        work(null),
        `?endId=${endId}&cacheKey=${answer.cacheKey}&job=${answer.job}`,
      );
      if (res.status !== 200) return res.status;
      if (res.json?.response) return JSON.stringify(res.json.response);
      await sleep(100);
    }
    throw new Error('the job never ended');
  }

  /** Longer than a run takes (1.5 s), then `label` never completed: it was aborted or never ran. */
  async function stopped(label: string): Promise<void> {
    await sleep(2500);
    const line = runs().find((entry) => entry.startsWith(`${label} `));
    assert.ok(line === undefined || line === `${label} aborted`, `${label}: ${line}`);
  }

  describe('cancel and supersede before the handle, across two servers on one store', {
    timeout: 120_000,
  }, () => {
    it("a cancel on server 2 while server 1 is still queueing the page's start stops the job", async () => {
      const [one, two] = fixture.servers();
      const endId = await pageToken(one.url);
      const release = await fixture.holdStore();
      let starting: ReturnType<typeof postUpdate>;
      try {
        starting = postUpdate(one.url, work('held-cancel'), `?endId=${endId}`);
        await sleep(REACH_MS);
        // The browser knows no job id yet: the cancel names none.
        const cancel = postUpdate(two.url, cancelBody, `?endId=${endId}`);
        await sleep(REACH_MS);
        await release();
        assert.deepEqual((await cancel).json, { multi: true, response: {} });
      } finally {
        await release();
      }
      const answer = await starting;
      assert.equal(answer.status, 200);
      assert.equal(await outcome(endId, answer.json), 204);
      await stopped('held-cancel');
    });

    it('a cancel on server 2 while server 1 holds the start answer stops the job', async () => {
      const [one, two] = fixture.servers();
      const endId = await pageToken(one.url);
      const starting = postUpdate(one.url, work('answer-held'), `?endId=${endId}`);
      // Server 1 has queued the job (its answer is held or on its way; the test has not read it).
      for (let i = 0; !(await fixture.pageHasJob(endId)); i++) {
        assert.ok(i < 500, 'server 1 never queued the job');
        await sleep(10);
      }
      await postUpdate(two.url, cancelBody, `?endId=${endId}`);
      const answer = await starting;
      assert.equal(answer.status, 200);
      assert.equal(await outcome(endId, answer.json), 204);
      await stopped('answer-held');
    });

    it('a newer call on server 2 while server 1 is still queueing the older one supersedes it', async () => {
      const [one, two] = fixture.servers();
      const endId = await pageToken(one.url);
      const release = await fixture.holdStore();
      let older: ReturnType<typeof postUpdate>;
      let newer: ReturnType<typeof postUpdate>;
      try {
        older = postUpdate(one.url, work('held-older'), `?endId=${endId}`);
        await sleep(REACH_MS);
        newer = postUpdate(two.url, work('held-newer'), `?endId=${endId}`);
        await sleep(REACH_MS);
      } finally {
        await release();
      }
      const [olderAnswer, newerAnswer] = await Promise.all([older, newer]);
      assert.equal(await outcome(endId, olderAnswer.json), 204);
      assert.equal(
        await outcome(endId, newerAnswer.json),
        JSON.stringify({ 'work-out': { children: 'held-newer completed' } }),
      );
      await stopped('held-older');
    });

    it('a cancel of one page load leaves the start of another page load on the other server alone', async () => {
      const [one, two] = fixture.servers();
      const [endId, otherPage] = [await pageToken(one.url), await pageToken(two.url)];
      const release = await fixture.holdStore();
      let starting: ReturnType<typeof postUpdate>;
      try {
        starting = postUpdate(one.url, work('other-page'), `?endId=${endId}`);
        await sleep(REACH_MS);
        void postUpdate(two.url, cancelBody, `?endId=${otherPage}`);
        await sleep(REACH_MS);
      } finally {
        await release();
      }
      assert.equal(
        await outcome(endId, (await starting).json),
        JSON.stringify({ 'work-out': { children: 'other-page completed' } }),
      );
    });
  });
}
