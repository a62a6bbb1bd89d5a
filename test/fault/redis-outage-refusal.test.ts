/**
 * How a server's BullMQManager treats Redis going away (availability.ts), against a real
 * redis-server stopped and started on its port: within the first 3 s of an outage (a restart)
 * reads and starts wait for Redis and go through when it is back; past that, or when Redis was
 * never up since start, they are refused at once with a BackgroundUnavailableError that names the
 * cause; once Redis is back, without a restart, they work again. Also: a manager started while
 * Redis is down starts at once, and close() then ends it without an unhandled error.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { BullMQManager } from '../../src/background/bullmq/index.ts';
import { BackgroundUnavailableError } from '../../src/base/errors.ts';
import { recordingLogger } from '../support/http.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { submission } from '../support/submission.ts';

const redis: TestRedis = await startRedis();
const managers: BullMQManager[] = [];
after(async () => {
  await Promise.all(managers.map((manager) => manager.close()));
  await redis.destroy();
});

async function started(): Promise<BullMQManager> {
  const manager = new BullMQManager({ connection: redis.url, queueName: 'outage' });
  managers.push(manager);
  await manager.start({ appModule: undefined, logger: recordingLogger() });
  return manager;
}

/** How long `work` took to settle, and how. */
async function timed<T>(work: Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const begun = performance.now();
  try {
    const value = await work;
    return { ms: performance.now() - begun, value };
  } catch (error) {
    return { ms: performance.now() - begun, error };
  }
}

async function until(ok: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    assert.ok(Date.now() < deadline, what);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const answers = (manager: BullMQManager) =>
  manager.owner('probe').then(
    () => true,
    () => false,
  );

describe('BullMQManager while Redis is away', () => {
  it('waits through a short restart, refuses at once past 3 s, and works again once Redis is back', async () => {
    const manager = await started();
    assert.equal(await manager.owner('nobody'), undefined);

    // A restart: a read made at once waits for Redis and goes through.
    await redis.stop();
    const during = timed(manager.owner('nobody'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.start();
    const waited = await during;
    assert.equal(waited.error, undefined, String(waited.error));
    assert.equal(waited.value, undefined);

    // A longer outage: refused at once, naming the cause.
    await until(() => answers(manager), 10_000, 'Redis back within 10 s');
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const attempts: (() => Promise<unknown>)[] = [
      () => manager.owner('nobody'),
      () => manager.load('end-x'),
      () => manager.submit(submission('any-function', [])),
      () => manager.sharedSecret(),
    ];
    for (const attempt of attempts) {
      const refused = await timed(attempt());
      assert.ok(refused.error instanceof BackgroundUnavailableError, String(refused.error));
      assert.match(
        (refused.error as Error).message,
        /Redis at redis:\/\/127\.0\.0\.1:\d+ is not answering .*for \d+ s/,
      );
      assert.ok(refused.ms < 200, `refused after ${refused.ms} ms`);
    }

    // Back, with no restart of the manager.
    await redis.start();
    await until(() => answers(manager), 10_000, 'answering again within 10 s of Redis starting');
    assert.equal((await manager.load('end-x')).pageUnfinished, 0);
  });

  it('a manager started while Redis is down starts at once, refuses, and closes cleanly', async () => {
    await redis.stop();
    const start = await timed(started());
    assert.equal(start.error, undefined, String(start.error));
    assert.ok(start.ms < 5000, `started after ${start.ms} ms`);
    const manager = start.value!;
    const refused = await timed(manager.owner('nobody'));
    assert.ok(refused.error instanceof BackgroundUnavailableError, String(refused.error));
    assert.match((refused.error as Error).message, /since the server started/);
    // Past the ~22 s at which the old start failed and its closed BullMQ connection threw.
    let unhandled: unknown;
    const onError = (error: unknown) => {
      unhandled = error;
    };
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);
    try {
      await manager.close();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.equal(unhandled, undefined, String(unhandled));
    } finally {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
      await redis.start();
    }
  });
});
