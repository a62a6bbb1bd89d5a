/**
 * `reattach` across a server restart (issue 18, item 2), with real `dash-ts run` processes on one
 * SQLite file (test/apps/reattach.ts): a report finished under the first server process is shown
 * to the same user's page load on a second process started after the first one stopped; the
 * session cookie still names the user there (signed with the store's secret), another session
 * finds nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { callBody } from '../support/http.ts';
import { pageLoad, type ServerProcess, startServerProcess } from '../support/server-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-reattach-restart-'));
const env = { DASH_TS_TEST_DB: join(dir, 'bg.db'), DASH_TS_TEST_REATTACH_DIR: dir };
const servers: ServerProcess[] = [];

after(async () => {
  for (const server of servers) await server.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  cacheKey?: string;
  job?: string;
  response?: { result?: { children?: string } };
}

const body = (changed: boolean) =>
  callBody(
    'result.children',
    { id: 'result', property: 'children' },
    [{ id: 'run', property: 'n_clicks', value: 1 }],
    { changed: changed ? ['run.n_clicks'] : [] },
  );

async function post(url: string, query: string, cookie: string, changed: boolean) {
  const res = await fetch(new URL(`/_dash-update-component${query}`, url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: cookie },
    body: JSON.stringify(body(changed)),
  });
  const text = await res.text();
  return { status: res.status, answer: (text ? JSON.parse(text) : {}) as Answer };
}

it('a finished report is shown to the same user after the server restarted', {
  timeout: 120_000,
}, async () => {
  const first = await startServerProcess('test/apps/reattach.ts', env);
  servers.push(first);
  const page = await pageLoad(first.url);
  assert.ok(page.cookie, 'the page load set a session cookie');
  writeFileSync(join(dir, 'release-1'), '');
  const started = await post(first.url, `?endId=${page.endId}`, page.cookie, true);
  assert.equal(started.status, 200);
  let answer = started.answer;
  for (let i = 0; answer.response === undefined; i++) {
    assert.ok(i < 600, 'the report never finished');
    const polled = await post(
      first.url,
      `?endId=${page.endId}&cacheKey=${started.answer.cacheKey}&job=${started.answer.job}`,
      page.cookie,
      false,
    );
    if (polled.status === 200) answer = polled.answer;
  }
  const result = answer.response?.result?.children;
  assert.match(String(result), /^report 1 done after \d+ steps$/);
  await first.stop('SIGTERM');

  const second = await startServerProcess('test/apps/reattach.ts', env);
  servers.push(second);
  const later = await pageLoad(`${second.url}`);
  // The same browser: its cookie, a page load of the new process.
  const reloaded = await fetch(second.url, { headers: { Cookie: page.cookie } });
  const endId = JSON.parse(
    /<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(await reloaded.text())![1]!,
  ).end_id as string;
  const shown = await post(second.url, `?endId=${endId}`, page.cookie, false);
  assert.equal(shown.status, 200);
  assert.equal(shown.answer.response?.result?.children, result);
  assert.equal(shown.answer.job, started.answer.job);
  // Another session on the new process finds nothing.
  const other = await post(second.url, `?endId=${later.endId}`, later.cookie!, false);
  assert.equal(other.status, 204);
});
