/**
 * The store's sweep: one IMMEDIATE transaction (see store.ts) that deletes what nobody will read
 * any more, from old ended jobs to the jobs monitor's old records.
 */
import { PAGE_SEEN_KEEP_MS } from '../job-options/page-leave.ts';
import { START_STOP_KEEP_MS } from '../start-stops.ts';
import type { StoreParts } from './store-parts.ts';

/** Pool rows without claims are kept this long after their last heartbeat (a debugging aid). */
const POOL_ROW_TTL_MS = 60_000;

export function sweepTransaction({ db, s, order, records }: StoreParts) {
  return db.transaction((now: number, finishedTtlMs: number) => {
    // A kept job stays for its keep, read or not.
    s.deleteEnded.run({ before: now - finishedTtlMs, now });
    order.sweep(now);
    s.deleteExpiredCache.run(now);
    s.deleteIdlePools.run(now - POOL_ROW_TTL_MS);
    s.deleteOldPageSeen.run(now - PAGE_SEEN_KEEP_MS);
    s.deleteOldStartStops.run(now - START_STOP_KEEP_MS);
    records.sweep(now);
  });
}
