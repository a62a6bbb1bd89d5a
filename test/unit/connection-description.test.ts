/**
 * describeConnection never shows a credential: every form of Redis connection BullMQManager takes
 * (URL with user and password, rediss://, secrets in the query, a unix socket, ioredis options with
 * credentials, sentinels, cluster nodes) keeps where it goes and loses what opens it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConnection } from '../../src/background/bullmq/connection-description.ts';

const SECRETS = ['hunter2', 's3cr3t', 'alice', 'tok-123', 'k3y', 'sentinel-pw', 'sentinel-user'];

function assertNoSecret(description: string): void {
  for (const secret of SECRETS) {
    assert.ok(!description.includes(secret), `${JSON.stringify(description)} shows ${secret}`);
  }
}

const cases: [name: string, connection: unknown, expected: string][] = [
  ['no connection: the default', undefined, 'redis://127.0.0.1:6379/0'],
  ['a URL without credentials', 'redis://cache.internal:6380/2', 'redis://cache.internal:6380/2'],
  ['a password before @', 'redis://:hunter2@cache:6379/0', 'redis://:***@cache:6379/0'],
  ['a user and a password', 'redis://alice:hunter2@cache:6379/0', 'redis://***:***@cache:6379/0'],
  ['a user alone', 'redis://alice@cache:6379', 'redis://***@cache:6379'],
  ['TLS', 'rediss://alice:hunter2@cache.example.com:6380', 'rediss://***:***@cache.example.com:6380'],
  ['?password=', 'redis://cache:6379/0?password=hunter2', 'redis://cache:6379/0?password=***'],
  [
    'every secret-bearing parameter, other parameters kept',
    'redis://cache:6379/0?pass=hunter2&pwd=s3cr3t&secret=s3cr3t&token=tok-123&auth=tok-123&key=k3y&apiKey=k3y&sentinelPassword=sentinel-pw&username=alice&family=6',
    'redis://cache:6379/0?pass=***&pwd=***&secret=***&token=***&auth=***&key=***&apiKey=***&sentinelPassword=***&username=***&family=6',
  ],
  ['a secret in a percent-encoded name', 'redis://cache?pass%77ord=hunter2', 'redis://cache?password=***'],
  ['a unix socket', '/run/redis/redis.sock', 'unix:/run/redis/redis.sock'],
  [
    'a unix socket with a password in the query',
    '/run/redis/redis.sock?db=1&password=hunter2',
    'unix:/run/redis/redis.sock?db=1&password=***',
  ],
  ['an unparsable URL: nothing of it', 'redis://alice:hunter2@[bad', 'redis (unparsable URL)'],
  [
    'ioredis options with user and password',
    { host: 'cache', port: 6380, db: 3, username: 'alice', password: 'hunter2' },
    'redis://***:***@cache:6380/3',
  ],
  ['ioredis options with a password', { host: 'cache', password: 'hunter2' }, 'redis://:***@cache:6379/0'],
  ['ioredis options with TLS', { host: 'cache', tls: {}, password: 'hunter2' }, 'rediss://:***@cache:6379/0'],
  [
    'ioredis options on a unix socket',
    { path: '/run/redis.sock', password: 'hunter2' },
    'unix::***@/run/redis.sock',
  ],
  [
    'sentinels with their own credentials',
    {
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380, password: 'sentinel-pw' },
      ],
      name: 'primary',
      password: 'hunter2',
      sentinelPassword: 'sentinel-pw',
      sentinelUsername: 'sentinel-user',
    },
    'redis-sentinel://:***@s1:26379,:***@s2:26380/primary/0 (sentinel credentials ***)',
  ],
  [
    'cluster nodes',
    [
      { host: 'n1', port: 7000, password: 'hunter2' },
      'redis://alice:hunter2@n2:7001',
      'alice:hunter2@n3:7002',
      7003,
    ],
    'redis cluster [:***@n1:7000, redis://***:***@n2:7001, ***@n3:7002, 127.0.0.1:7003]',
  ],
];

describe('describeConnection', () => {
  for (const [name, connection, expected] of cases) {
    it(name, () => {
      const description = describeConnection(connection);
      assert.equal(description, expected);
      assertNoSecret(description);
    });
  }
});
