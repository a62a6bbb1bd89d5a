/**
 * A cancel or a newer call that reaches the server before the browser knows the job's id (the
 * start answer is held up to backgroundWindows.startMs, or is still on its way) stops that page's
 * unfinished job of the callback, and nothing of it reaches the page (issue 16; Dash's
 * test_lcbc016_multi_page_cancel clicks cancel as soon as the running state shows). Run against
 * SqliteManager (cancel-before-handle.test.ts) and BullMQManager (cancel-before-handle-bullmq.test.ts)
 * with the fixture test/apps/bg-quick-cancel.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dash } from '../../src/index.ts';
import { postUpdate } from '../support/http.ts';

interface StartAnswer {
  cacheKey?: string;
  job?: string;
  response?: Record<string, Record<string, unknown>>;
}

export function cancelBeforeHandleSuite(app: Dash, runsFile: string): void {
  async function pageToken(): Promise<string> {
    const html = await (await app.fetch(new Request('http://localhost/'))).text();
    return JSON.parse(/<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!)
      .end_id as string;
  }

  const work = (label: string | null) => ({
    output: 'work-out.children',
    outputs: { id: 'work-out', property: 'children' },
    inputs: [{ id: 'work-in', property: 'value', value: label }],
    changedPropIds: ['work-in.value'],
  });
  const cancelBody = (id: string) => ({
    output: `${id}.id`,
    outputs: { id, property: 'id' },
    inputs: [{ id, property: 'n_clicks', value: 1 }],
    changedPropIds: [`${id}.n_clicks`],
  });

  /** Polls as the renderer would until the answer is final: 204, or one carrying `response`. */
  async function outcome(endId: string, answer: StartAnswer): Promise<number | string> {
    if (answer.response) return JSON.stringify(answer.response);
    for (let i = 0; i < 100; i++) {
      const res = await postUpdate(
        app,
        work(null),
        `?endId=${endId}&cacheKey=${answer.cacheKey}&job=${answer.job}`,
      );
      if (res.status !== 200) return res.status;
      const body = (await res.json()) as StartAnswer;
      if (body.response) return JSON.stringify(body.response);
      await sleep(100);
    }
    throw new Error('the job never ended');
  }

  function runs(): string[] {
    try {
      return readFileSync(runsFile, 'utf8').trim().split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  /**
   * Longer than a run takes (1.5 s), then no run of `label` completed: it was aborted, or
   * cancelled while still queued (then it never ran).
   */
  async function stopped(label: string): Promise<void> {
    await sleep(2500);
    const line = runs().find((entry) => entry.startsWith(`${label} `));
    assert.ok(line === undefined || line === `${label} aborted`, `${label}: ${line}`);
  }

  /** Waits until `label`'s run has ended (its worker wrote how). */
  async function ended(label: string): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const line = runs().find((entry) => entry.startsWith(`${label} `));
      if (line) return line;
      await sleep(100);
    }
    throw new Error(`${label} never ended: ${runs().join(', ')}`);
  }

  describe('cancel and supersede before the browser knows the job', { timeout: 60_000 }, () => {
    it('a cancel that names no job, sent while the start answer is held, stops the job', async () => {
      const endId = await pageToken();
      const starting = postUpdate(app, work('quick-cancel'), `?endId=${endId}`);
      // The renderer sends the cancel as soon as the running state shows: it knows no job id yet.
      await sleep(5);
      const cancel = await postUpdate(app, cancelBody('work-cancel'), `?endId=${endId}`);
      assert.deepEqual(await cancel.json(), { multi: true, response: {} });
      const answer = await starting;
      assert.equal(answer.status, 200);
      assert.equal(await outcome(endId, (await answer.json()) as StartAnswer), 204);
      await stopped('quick-cancel');
    });

    it('a cancel that arrives after the answer left but before the browser read it stops the job too', async () => {
      const endId = await pageToken();
      const answer = (await (
        await postUpdate(app, work('late-cancel'), `?endId=${endId}`)
      ).json()) as StartAnswer;
      assert.ok(answer.job && !answer.response);
      await postUpdate(app, cancelBody('work-cancel'), `?endId=${endId}`);
      assert.equal(await outcome(endId, answer), 204);
      await stopped('late-cancel');
    });

    it("another page's cancel and another callback's cancel leave the job alone", async () => {
      const endId = await pageToken();
      const starting = postUpdate(app, work('left-alone'), `?endId=${endId}`);
      await sleep(5);
      await postUpdate(app, cancelBody('work-cancel'), `?endId=${await pageToken()}`);
      await postUpdate(app, cancelBody('other-cancel'), `?endId=${endId}`);
      const answer = (await (await starting).json()) as StartAnswer;
      assert.equal(
        await outcome(endId, answer),
        JSON.stringify({ 'work-out': { children: 'left-alone completed' } }),
      );
      assert.equal(await ended('left-alone'), 'left-alone completed');
    });

    it('a newer call sent before the older call was answered supersedes it: only the newer result shows', async () => {
      const endId = await pageToken();
      const older = postUpdate(app, work('older'), `?endId=${endId}`);
      await sleep(5);
      // No oldJob: the browser has no id to name yet.
      const newer = postUpdate(app, work('newer'), `?endId=${endId}`);
      const [olderAnswer, newerAnswer] = (await Promise.all(
        [older, newer].map(async (res) => (await res).json()),
      )) as StartAnswer[];
      assert.equal(await outcome(endId, olderAnswer!), 204);
      assert.equal(
        await outcome(endId, newerAnswer!),
        JSON.stringify({ 'work-out': { children: 'newer completed' } }),
      );
      assert.equal(await ended('newer'), 'newer completed');
      await stopped('older');
    });

    it('calls of the same callback from two page loads do not supersede each other', async () => {
      const [one, two] = [await pageToken(), await pageToken()];
      const answers = (await Promise.all(
        [
          postUpdate(app, work('page-one'), `?endId=${one}`),
          postUpdate(app, work('page-two'), `?endId=${two}`),
        ].map(async (res) => (await res).json()),
      )) as StartAnswer[];
      assert.equal(
        await outcome(one, answers[0]!),
        JSON.stringify({ 'work-out': { children: 'page-one completed' } }),
      );
      assert.equal(
        await outcome(two, answers[1]!),
        JSON.stringify({ 'work-out': { children: 'page-two completed' } }),
      );
    });
  });
}
