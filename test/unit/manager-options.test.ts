import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteManagerError } from '../../src/background/sqlite/index.ts';
import { BullMQManager, BullMQManagerError, SqliteManager } from '../../src/index.ts';

describe('manager options are checked at construction, the same way for every manager', () => {
  const cases: [string, (options: Record<string, unknown>) => unknown, new (...args: never[]) => Error][] = [
    ['SqliteManager', (o) => new SqliteManager(o), SqliteManagerError],
    ['BullMQManager', (o) => new BullMQManager(o), BullMQManagerError],
  ];
  for (const [name, make, ErrorType] of cases) {
    it(`${name}: concurrency, expire, cancelGraceMs, shutdownGraceMs and cacheBy`, () => {
      assert.throws(() => make({ concurrency: 0 }), ErrorType);
      assert.throws(
        () => make({ concurrency: 1.5 }),
        new RegExp(`${name}: concurrency must be a whole number ≥ 1`),
      );
      assert.throws(() => make({ expire: -1 }), new RegExp(`${name}: expire must be a number > 0, got -1`));
      assert.throws(() => make({ cancelGraceMs: Number.NaN }), /cancelGraceMs must be a number ≥ 0/);
      assert.throws(
        () => make({ shutdownGraceMs: -1 }),
        new RegExp(`${name}: shutdownGraceMs must be a number ≥ 0`),
      );
      assert.throws(
        () => make({ cacheBy: ['not a function'] }),
        new RegExp(`${name}: cacheBy must be a list of functions`),
      );
      const manager = make({ expire: 30, cacheBy: [() => 'user'] }) as {
        expire?: number;
        cacheBy?: unknown[];
      };
      assert.equal(manager.expire, 30);
      assert.equal(manager.cacheBy?.length, 1);
    });
  }
});
