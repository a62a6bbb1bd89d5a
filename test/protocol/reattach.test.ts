/**
 * `reattach` over HTTP (issue 18, item 2), as the unmodified renderer talks, on SqliteManager with
 * real pool workers (test/apps/reattach.ts): a page load's initial call of a reattach callback is
 * answered with handles to its user's running job, signed for that page, and the job's latest
 * progress; the page that started it is answered 204 from then on; another user, a forged cookie
 * and a page without a session find nothing (204, as preventInitialCall asks); the result is shown
 * to a page load after the end; a click starts a new job; a stream's yields so far are shown.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Dash } from '../../src/index.ts';
import { callBody } from '../support/http.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-reattach-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
process.env.DASH_TS_TEST_REATTACH_DIR = dir;
const { app } = (await import('../apps/reattach.ts')) as { app: Dash };

interface Answer {
  cacheKey?: string;
  job?: string;
  progress?: Record<string, unknown>;
  sideUpdate?: Record<string, Record<string, unknown>>;
  response?: Record<string, Record<string, unknown>>;
}

/** A page load: its end_id and (with no cookie given) the session cookie it was given. */
async function loadPage(cookie?: string): Promise<{ endId: string; cookie: string }> {
  const res = await app.fetch(
    new Request('http://localhost/', { headers: cookie ? { Cookie: cookie } : {} }),
  );
  const html = await res.text();
  const config = JSON.parse(
    /<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!,
  );
  const set = res.headers.getSetCookie().find((c) => c.startsWith('dash_ts_session='));
  return { endId: config.end_id as string, cookie: cookie ?? set!.split(';')[0]! };
}

const reportBody = (clicks: number, changed: boolean) =>
  callBody(
    'result.children',
    { id: 'result', property: 'children' },
    [{ id: 'run', property: 'n_clicks', value: clicks }],
    {
      changed: changed ? ['run.n_clicks'] : [],
    },
  );

async function post(
  body: unknown,
  query: string,
  cookie: string,
): Promise<{ status: number; answer: Answer }> {
  const res = await app.fetch(
    new Request(`http://localhost/_dash-update-component${query}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
      body: JSON.stringify(body),
    }),
  );
  const text = await res.text();
  return { status: res.status, answer: text ? (JSON.parse(text) as Answer) : {} };
}

/** Polls a job as the renderer does until `until` holds of an answer (or a 204). */
async function pollUntil(
  body: unknown,
  page: { endId: string; cookie: string },
  handles: Answer,
  until: (answer: Answer) => boolean,
): Promise<{ status: number; answer: Answer }> {
  const query = `?endId=${page.endId}&cacheKey=${handles.cacheKey}&job=${handles.job}`;
  for (let i = 0; i < 600; i++) {
    const polled = await post(body, query, page.cookie);
    if (polled.status === 204 || until(polled.answer)) return polled;
  }
  throw new Error('the job never got there');
}

describe('reattach over the wire', () => {
  after(async () => {
    writeFileSync(join(dir, 'chat-release'), '');
    for (let i = 1; i <= 3; i++) writeFileSync(join(dir, `release-${i}`), '');
    await app.options.backgroundManager?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a later page load of the user is answered with its running job's handles and progress; the older page's polls get 204", async () => {
    const first = await loadPage();
    // Nothing to reattach yet, and the callback asked for no initial call: 204.
    assert.equal((await post(reportBody(0, false), `?endId=${first.endId}`, first.cookie)).status, 204);
    const started = await post(reportBody(1, true), `?endId=${first.endId}`, first.cookie);
    assert.equal(started.status, 200);
    const handles = started.answer;
    assert.ok(handles.cacheKey && handles.job);
    await pollUntil(reportBody(0, false), first, handles, (a) => a.progress !== undefined);

    // A reload: the same session, a new page load, whose initial call finds the job.
    const second = await loadPage(first.cookie);
    const rejoined = await post(reportBody(0, false), `?endId=${second.endId}`, second.cookie);
    assert.equal(rejoined.status, 200);
    assert.equal(rejoined.answer.job, handles.job, 'the same job');
    assert.notEqual(rejoined.answer.cacheKey, handles.cacheKey, 'handles signed for the new page load');
    assert.match(String(rejoined.answer.progress?.['status.children']), /^step \d+$/);
    assert.equal(rejoined.answer.response, undefined, 'still running: the renderer keeps polling');

    // The first page's handles no longer read it; the new page's do not work for the first.
    const stale = await post(
      reportBody(0, false),
      `?endId=${first.endId}&cacheKey=${handles.cacheKey}&job=${handles.job}`,
      first.cookie,
    );
    assert.equal(stale.status, 204);
    const crossed = await post(
      reportBody(0, false),
      `?endId=${first.endId}&cacheKey=${rejoined.answer.cacheKey}&job=${handles.job}`,
      first.cookie,
    );
    assert.equal(crossed.status, 204);

    // Another user, a forged session, and a stranger's page without a cookie find nothing.
    const other = await loadPage();
    assert.equal((await post(reportBody(0, false), `?endId=${other.endId}`, other.cookie)).status, 204);
    const forged = `${first.cookie.slice(0, -3)}abc`;
    assert.equal((await post(reportBody(0, false), `?endId=${other.endId}`, forged)).status, 204);

    writeFileSync(join(dir, 'release-1'), '');
    const done = await pollUntil(
      reportBody(0, false),
      second,
      rejoined.answer,
      (a) => a.response !== undefined,
    );
    assert.equal(done.status, 200);
    assert.match(String(done.answer.response?.result?.children), /^report 1 done after \d+ steps$/);

    // A page load after the end is shown the result at once.
    const third = await loadPage(first.cookie);
    const shown = await post(reportBody(0, false), `?endId=${third.endId}`, third.cookie);
    assert.equal(shown.status, 200);
    assert.equal(shown.answer.response?.result?.children, done.answer.response?.result?.children);
    assert.equal(shown.answer.job, handles.job);
  });

  it('a click starts a new job, and the newest is the one a later page load shows', async () => {
    const page = await loadPage();
    const first = await post(reportBody(1, true), `?endId=${page.endId}`, page.cookie);
    // A newer click supersedes it (oldJob, as the renderer sends it).
    const second = await post(
      reportBody(2, true),
      `?endId=${page.endId}&oldJob=${first.answer.job}`,
      page.cookie,
    );
    assert.notEqual(second.answer.job, first.answer.job);
    const reload = await loadPage(page.cookie);
    const rejoined = await post(reportBody(0, false), `?endId=${reload.endId}`, reload.cookie);
    assert.equal(rejoined.answer.job, second.answer.job);
    writeFileSync(join(dir, 'release-2'), '');
    const done = await pollUntil(
      reportBody(0, false),
      reload,
      rejoined.answer,
      (a) => a.response !== undefined,
    );
    assert.match(String(done.answer.response?.result?.children), /^report 2 done/);
  });

  it("shows a page that reattaches a stream's yields so far: the whole value, then its Patches", async () => {
    const askBody = (changed: boolean) =>
      callBody(
        'answer.children',
        { id: 'answer', property: 'children' },
        [{ id: 'ask', property: 'n_clicks', value: 1 }],
        {
          changed: changed ? ['ask.n_clicks'] : [],
        },
      );
    const page = await loadPage();
    const started = await post(askBody(true), `?endId=${page.endId}`, page.cookie);
    let seen = 0;
    await pollUntil(askBody(false), page, started.answer, (a) => {
      seen += a.sideUpdate?.answer ? 1 : 0;
      return seen >= 3;
    });
    const reload = await loadPage(page.cookie);
    const rejoined = await post(askBody(false), `?endId=${reload.endId}`, reload.cookie);
    const children = rejoined.answer.sideUpdate?.answer?.children as {
      __dash_patch_update: string;
      operations: { operation: string; location: unknown[]; params: { value: unknown } }[];
    };
    assert.equal(children.__dash_patch_update, '__dash_patch_update');
    const [assign, ...appends] = children.operations;
    assert.deepEqual(assign, { operation: 'Assign', location: [], params: { value: ['Answer:'] } });
    assert.ok(appends.length >= 1, JSON.stringify(children));
    assert.deepEqual(
      appends.map((o) => o.params.value),
      appends.map((_, i) => ` t${i + 1}`),
      'every token so far, in order',
    );
    writeFileSync(join(dir, 'chat-release'), '');
    // The stream goes on for this page: its last token arrives (the end itself may then be a 204,
    // as Dash answers a poll that has nothing left to apply).
    let ended = false;
    const done = await pollUntil(askBody(false), reload, rejoined.answer, (a) => {
      ended ||= JSON.stringify(a.sideUpdate ?? {}).includes('" end"');
      return a.response !== undefined;
    });
    assert.ok(ended, 'the last token reached the page that reattached');
    assert.ok(done.status === 200 || done.status === 204, String(done.status));
  });
});
