/**
 * Identity over HTTP (issue 18, item 1): the first page load sets the signed `dash_ts_session`
 * cookie (HttpOnly, SameSite=Lax, Secure over HTTPS), a later load with it sets none; a callback's
 * ctx.user is the same for two requests with one cookie, different for another cookie, undefined
 * for a forged or garbled one (whose next page load gets a fresh session); a background job in a
 * real SqliteManager worker sees its starter's user; `identify(request)` wins over the session.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SessionCookies } from '../../src/app/identity.ts';
import type { Dash } from '../../src/index.ts';
import { callBody } from '../support/http.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-identity-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
const { app, identified } = (await import('../apps/identity.ts')) as { app: Dash; identified: Dash };

/** Loads the index page; its session Set-Cookie (if any) and end_id. */
async function loadPage(on: Dash, headers: Record<string, string> = {}, url = 'http://localhost/') {
  const res = await on.fetch(new Request(url, { headers }));
  const html = await res.text();
  const config = JSON.parse(
    /<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!,
  );
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('dash_ts_session='));
  return { setCookie, cookie: setCookie?.split(';')[0], endId: config.end_id as string };
}

async function post(on: Dash, body: unknown, query: string, headers: Record<string, string>) {
  return on.fetch(
    new Request(`http://localhost/_dash-update-component${query}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    }),
  );
}

/** What `who` (ordinary) answers for a request with these headers. */
async function userSeen(on: Dash, headers: Record<string, string>): Promise<string> {
  const body = callBody('who.children', { id: 'who', property: 'children' }, [
    { id: 'ask', property: 'n_clicks', value: 1 },
  ]);
  const res = await post(on, body, '', headers);
  assert.equal(res.status, 200);
  return ((await res.json()) as { response: { who: { children: string } } }).response.who.children;
}

/** What the background `bg-who` answers, run in a pool worker, for a page load with this cookie. */
async function backgroundUserSeen(cookie: string, endId: string): Promise<string> {
  const body = callBody('bg-who.children', { id: 'bg-who', property: 'children' }, [
    { id: 'bg-ask', property: 'n_clicks', value: 1 },
  ]);
  type Answer = { cacheKey?: string; job?: string; response?: { 'bg-who': { children: string } } };
  let answer = (await (await post(app, body, `?endId=${endId}`, { Cookie: cookie })).json()) as Answer;
  const { cacheKey, job } = answer;
  for (let i = 0; answer.response === undefined; i++) {
    assert.ok(i < 600, 'the job never finished');
    const res = await post(app, body, `?endId=${endId}&cacheKey=${cacheKey}&job=${job}`, { Cookie: cookie });
    if (res.status === 200) answer = (await res.json()) as Answer;
  }
  return answer.response['bg-who'].children;
}

describe('identity: the anonymous session', () => {
  after(async () => {
    await (await app.run({ port: 0 })).close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the first page load sets a signed HttpOnly SameSite=Lax session cookie; a load with it sets none', async () => {
    const first = await loadPage(app);
    assert.match(
      first.setCookie ?? 'none',
      /^dash_ts_session=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}; Path=\/; /,
    );
    assert.match(first.setCookie!, /; HttpOnly(;|$)/);
    assert.match(first.setCookie!, /; SameSite=Lax(;|$)/);
    assert.match(first.setCookie!, /; Max-Age=\d+/);
    assert.doesNotMatch(first.setCookie!, /Secure/);
    const again = await loadPage(app, { Cookie: first.cookie! });
    assert.equal(again.setCookie, undefined);
  });

  it('is Secure when the page came over HTTPS (own URL, or a trusted proxy)', async () => {
    assert.match((await loadPage(app, {}, 'https://localhost/')).setCookie!, /; Secure$/);
    assert.match((await loadPage(app, { 'X-Forwarded-Proto': 'https' })).setCookie!, /; Secure$/);
  });

  it('ctx.user: one cookie, one user; another cookie, another user', async () => {
    const a = (await loadPage(app)).cookie!;
    const b = (await loadPage(app)).cookie!;
    const seenA = await userSeen(app, { Cookie: a });
    assert.match(seenA, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(await userSeen(app, { Cookie: a }), seenA);
    // The user is the cookie's id, without its MAC.
    assert.equal(a, `dash_ts_session=${seenA}.${a.split('.')[1]}`);
    const seenB = await userSeen(app, { Cookie: b });
    assert.notEqual(seenB, seenA);
    assert.equal(await userSeen(app, {}), 'nobody');
  });

  it('a forged or garbled cookie is no user, and the next page load replaces it', async () => {
    const real = (await loadPage(app)).cookie!;
    const id = real.slice('dash_ts_session='.length, real.indexOf('.'));
    const forgedMac = `dash_ts_session=${id}.${'A'.repeat(43)}`;
    const otherId = `dash_ts_session=${'B'.repeat(22)}.${real.split('.')[1]}`;
    for (const cookie of [forgedMac, otherId, 'dash_ts_session=garbage', `dash_ts_session=${id}`]) {
      assert.equal(await userSeen(app, { Cookie: cookie }), 'nobody', cookie);
      const reload = await loadPage(app, { Cookie: cookie });
      assert.ok(reload.cookie, `a fresh session for ${cookie}`);
      assert.notEqual(reload.cookie, cookie);
      assert.notEqual(await userSeen(app, { Cookie: reload.cookie! }), 'nobody');
    }
  });

  it('a background job in a worker process sees the user of the page that started it', async () => {
    const page = await loadPage(app);
    const user = await userSeen(app, { Cookie: page.cookie! });
    assert.equal(await backgroundUserSeen(page.cookie!, page.endId), user);
    const other = await loadPage(app);
    const otherUser = await backgroundUserSeen(other.cookie!, other.endId);
    assert.notEqual(otherUser, user);
    assert.equal(otherUser, await userSeen(app, { Cookie: other.cookie! }));
  });
});

describe('identity: identify(request)', () => {
  it('names the user from the request; no session cookie is set or read', async () => {
    assert.equal(await userSeen(identified, { 'X-User': 'ada@example.com' }), 'ada@example.com');
    assert.equal(await userSeen(identified, { 'X-User': 'bob@example.com' }), 'bob@example.com');
    assert.equal(await userSeen(identified, {}), 'nobody');
    const page = await loadPage(identified);
    assert.equal(page.setCookie, undefined);
    // A session cookie that would verify under the app's secret is not read: identify wins.
    const session = new SessionCookies(Buffer.from('identity test secret', 'utf8')).issue();
    const cookie = `dash_ts_session=${session.value}`;
    assert.equal(await userSeen(identified, { Cookie: cookie }), 'nobody');
    assert.equal(
      await userSeen(identified, { Cookie: cookie, 'X-User': 'ada@example.com' }),
      'ada@example.com',
    );
  });
});
