/**
 * BullMQManager's Lua scripts as files (src/background/bullmq/lua/): includes expand once each,
 * nothing is left unexpanded, every script compiles in a real Redis, and the start order's
 * mirror in Lua agrees with job-options/fairness.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { expandIncludes, expandScript, SCRIPTS, scriptSources } from '../../src/background/bullmq/scripts.ts';
import { startTag } from '../../src/background/job-options/fairness.ts';
import { PRIORITY_LIMIT } from '../../src/background/job-options/policy.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

describe('BullMQ Lua includes', () => {
  it('expands nested includes, each once per script', () => {
    const files: Record<string, string> = {
      a: '--- @include "b"\nlocal a = 1',
      b: 'local b = 2',
    };
    const expanded = expandIncludes(
      '--- @include "a"\n--- @include "b"\nreturn a + b',
      (name) => files[name]!,
    );
    assert.equal(expanded, 'local b = 2\nlocal a = 1\n\nreturn a + b');
  });

  it('leaves no include line in any script', () => {
    const sources = scriptSources();
    assert.deepEqual(Object.keys(sources).sort(), Object.keys(SCRIPTS).sort());
    for (const [name, lua] of Object.entries(sources)) {
      assert.doesNotMatch(lua, /@include/, name);
      assert.ok(lua.length > 100, `${name} is empty`);
    }
  });
});

describe('BullMQ Lua scripts in Redis', () => {
  let redis: TestRedis;
  let client: Redis;
  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  after(async () => {
    client.disconnect();
    await redis.destroy();
  });

  it('every script compiles (SCRIPT LOAD)', async () => {
    for (const [name, lua] of Object.entries(scriptSources())) {
      const sha = await client.script('LOAD', lua).catch((error: Error) => {
        throw new Error(`${name}: ${error.message}`);
      });
      assert.match(String(sha), /^[0-9a-f]{40}$/, name);
    }
  });
});

/**
 * The start order's Lua mirror (includes/order.lua) against job-options/fairness.ts: the tag it
 * gives a job is startTag's, the page's next tag moves on by one, and its score sorts priority
 * first (higher first), then tag (lower first).
 */
describe('BullMQ Lua start order mirrors fairness.ts', () => {
  let redis: TestRedis;
  let client: Redis;
  const PLACE = expandScript(`--- @include "order"
local tag, member = newPlace(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
return {tag, member, redis.call('GET', KEYS[2])}`);
  const SCORE = expandScript(`--- @include "order"
return orderScore(ARGV[1], ARGV[2])`);

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  after(async () => {
    client.disconnect();
    await redis.destroy();
  });

  it("gives the tag startTag gives, for any clock and page's next tag", async () => {
    const cases: [number, number | undefined][] = [
      [0, undefined],
      [5, undefined],
      [0, 3],
      [7, 3],
      [3, 7],
      [4, 4],
      [2_000_000, 1_999_999],
    ];
    let lastMember = '';
    for (const [clock, pageNext] of cases) {
      await client.set('clock', clock);
      if (pageNext === undefined) await client.del('page');
      else await client.set('page', pageNext);
      const [tag, member, next] = (await client.eval(PLACE, 3, 'clock', 'page', 'seq', 60_000, 'job-id')) as [
        number,
        string,
        string,
      ];
      assert.equal(tag, startTag(clock, pageNext), `clock ${clock}, page ${pageNext}`);
      assert.equal(Number(next), tag + 1);
      assert.match(member, /^\d{15}:job-id$/);
      assert.ok(member > lastMember, 'members follow submit order');
      lastMember = member;
    }
  });

  it('scores sort by priority (higher first), then tag (lower first)', async () => {
    const jobs: { priority: number; tag: number }[] = [];
    for (const priority of [-PRIORITY_LIMIT, -3, 0, 2, PRIORITY_LIMIT]) {
      for (const tag of [0, 1, 17, 1_000_000]) jobs.push({ priority, tag });
    }
    // Shuffled, so that neither sort can agree by keeping the order it was given.
    jobs.sort(() => Math.random() - 0.5);
    const scored = await Promise.all(
      jobs.map(async (job) => ({
        ...job,
        score: Number(await client.eval(SCORE, 0, job.priority, job.tag)),
      })),
    );
    assert.equal(new Set(scored.map((job) => job.score)).size, jobs.length, 'two jobs share a score');
    const byScore = [...scored].sort((a, b) => a.score - b.score);
    const byRule = [...scored].sort((a, b) => b.priority - a.priority || a.tag - b.tag);
    assert.deepEqual(byScore, byRule);
  });
});
