/**
 * BullMQManager's Lua scripts as files (src/background/bullmq/lua/): includes expand once each,
 * nothing is left unexpanded, and every script compiles in a real Redis.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { expandIncludes, SCRIPTS, scriptSources } from '../../src/background/bullmq/scripts.ts';
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
