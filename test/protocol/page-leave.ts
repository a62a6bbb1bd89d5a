/**
 * whenPageLeaves and supersede over the wire, as the unmodified renderer drives them: a page that
 * stops polling a whenPageLeaves 'cancel' job gets it cancelled within 10 s; a page that polls
 * keeps it to its end; a 'finish' job runs on unwatched; a supersede: false callback's older job
 * runs to its end (its side effect happens) while only the newer call's result is shown. Run
 * against SqliteManager (page-leave.test.ts) and BullMQManager (page-leave-bullmq.test.ts) with
 * the fixture test/apps/bg-leave.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dash } from '../../src/index.ts';
import { postUpdate } from '../support/http.ts';

interface Answer {
  cacheKey?: string;
  job?: string;
  response?: Record<string, Record<string, unknown>>;
}

/** api.md: a job of a page that left is cancelled within 10 s. */
const CANCELLED_WITHIN_MS = 10_000;

export function pageLeaveSuite(app: Dash, runsFile: string): void {
  async function pageToken(): Promise<string> {
    const html = await (await app.fetch(new Request('http://localhost/'))).text();
    return JSON.parse(/<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!)
      .end_id as string;
  }

  const call = (name: string, property: string, label: string | null) => ({
    output: `${name}-out.children`,
    outputs: { id: `${name}-out`, property: 'children' },
    inputs: [{ id: `${name}-in`, property, value: label }],
    changedPropIds: [`${name}-in.${property}`],
  });
  const leave = (label: string | null) => call('leave', 'n_clicks', label);
  const stay = (label: string | null) => call('stay', 'value', label);
  const keep = (label: string | null) => call('keep', 'value', label);

  async function start(endId: string, body: unknown, extra = ''): Promise<Answer> {
    const res = await postUpdate(app, body, `?endId=${endId}${extra}`);
    assert.equal(res.status, 200);
    const answer = (await res.json()) as Answer;
    assert.ok(answer.job && !answer.response, `no job started: ${JSON.stringify(answer)}`);
    return answer;
  }

  async function poll(endId: string, body: unknown, answer: Answer): Promise<Answer | number> {
    const res = await postUpdate(app, body, `?endId=${endId}&cacheKey=${answer.cacheKey}&job=${answer.job}`);
    if (res.status !== 200) return res.status;
    return (await res.json()) as Answer;
  }

  function runs(): string[] {
    try {
      return readFileSync(runsFile, 'utf8').trim().split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  /** How `label`'s job ended (completed or aborted), once it has; fails after `withinMs`. */
  async function ended(label: string, withinMs: number): Promise<string> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const line = runs().find((entry) => entry === `${label} completed` || entry === `${label} aborted`);
      if (line) return line;
      assert.ok(Date.now() < deadline, `${label} had not ended after ${withinMs} ms: ${runs().join(', ')}`);
      await sleep(50);
    }
  }

  describe('whenPageLeaves and supersede on the wire', { timeout: 90_000 }, () => {
    it("'cancel': a page that stops polling has its job cancelled within 10 s; a 'finish' job runs on", async (t) => {
      const endId = await pageToken();
      const gone = await start(endId, leave('gone'));
      const unwatched = await start(endId, stay('unwatched'));
      // Two polls, as an open page makes, then the tab closes.
      for (let i = 0; i < 2; i++) {
        assert.ok(typeof (await poll(endId, leave(null), gone)) === 'object');
        await sleep(100);
      }
      const lastSeen = Date.now();
      assert.equal(await ended('gone', CANCELLED_WITHIN_MS + 1000), 'gone aborted');
      const after = Date.now() - lastSeen;
      t.diagnostic(`job aborted ${after} ms after its page's last poll`);
      assert.ok(after <= CANCELLED_WITHIN_MS, `cancelled ${after} ms after the last poll`);
      assert.ok(after >= 5000, `cancelled only ${after} ms after the last poll: too soon`);
      // The same page's job of a 'finish' callback, never polled, ran to its end (9 s).
      assert.equal(await ended('unwatched', 15_000), 'unwatched completed');
      assert.ok(unwatched.job);
    });

    it('a page that keeps polling keeps its job to its end, and gets its result', async () => {
      const endId = await pageToken();
      const kept = await start(endId, leave('kept'));
      const deadline = Date.now() + 30_000;
      for (;;) {
        const answer = await poll(endId, leave(null), kept);
        assert.equal(typeof answer, 'object', `poll answered ${answer}`);
        const response = (answer as Answer).response;
        if (response) {
          assert.deepEqual(response, { 'leave-out': { children: 'kept completed' } });
          break;
        }
        assert.ok(Date.now() < deadline, 'the job never ended');
        // The renderer's interval for this callback.
        await sleep(100);
      }
      assert.equal(await ended('kept', 1000), 'kept completed');
    });

    it('supersede: false: the older job runs to its end, only the newer result is shown', async () => {
      const endId = await pageToken();
      const older = await start(endId, keep('older'));
      // The newer call names the older job, as the renderer does; it must not cancel it.
      const newer = await start(endId, keep('newer'), `&oldJob=${older.job}`);
      const deadline = Date.now() + 20_000;
      for (;;) {
        const answer = await poll(endId, keep(null), newer);
        assert.equal(typeof answer, 'object', `poll answered ${answer}`);
        const response = (answer as Answer).response;
        if (response) {
          assert.deepEqual(response, { 'keep-out': { children: 'newer completed' } });
          break;
        }
        assert.ok(Date.now() < deadline, 'the newer job never ended');
        await sleep(100);
      }
      assert.equal(await ended('older', 10_000), 'older completed');
      assert.ok(runs().includes('older started'));
      // Its outcome is never read, but once it ended it no longer counts against the page's
      // limits (the store's expiry deletes the outcome later).
      const manager = app.options.backgroundManager!;
      for (let i = 0; (await manager.load(endId)).pageUnfinished > 0; i++) {
        assert.ok(i < 50, 'the ended older job still counts as unfinished');
        await sleep(100);
      }
    });

    it('supersede: false: a newer call before the older answer was read does not cancel it either', async () => {
      const endId = await pageToken();
      const older = postUpdate(app, keep('early-older'), `?endId=${endId}`);
      await sleep(5);
      const newer = await start(endId, keep('early-newer'));
      assert.equal((await older).status, 200);
      assert.equal(await ended('early-newer', 10_000), 'early-newer completed');
      assert.equal(await ended('early-older', 10_000), 'early-older completed');
      assert.ok(newer.job);
    });
  });
}
