/**
 * BullMQ and ioredis, loaded when a BullMQManager first starts (or starts a worker), not when
 * dash-ts is imported: an app on the SqliteManager, its pool workers, and every process that
 * merely imports dash-ts do not pay for them (about 35 MiB of memory per process on Node 24,
 * bench/installed.ts).
 */
type BullMQ = typeof import('bullmq');
interface IORedis {
  Redis: typeof import('ioredis').Redis;
}

let loaded: { bullmq: BullMQ; ioredis: IORedis } | undefined;

export async function loadEngine(): Promise<void> {
  if (loaded) return;
  const [bullmq, ioredis] = await Promise.all([import('bullmq'), import('ioredis')]);
  loaded = { bullmq, ioredis: { Redis: ioredis.Redis } };
}

/** The loaded modules; only after loadEngine() resolved. */
export function engine(): { bullmq: BullMQ; ioredis: IORedis } {
  if (!loaded) throw new Error('dash-ts internal error: the BullMQ engine was used before loadEngine()');
  return loaded;
}
