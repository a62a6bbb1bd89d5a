/**
 * How long a silent worker is trusted. A worker refreshes its jobs' heartbeat keys every
 * HEARTBEAT_MS; they expire STALE_AFTER_MS after the last refresh. A job whose heartbeat has
 * expired is declared lost by the next server read of it, so a job on a worker that was killed,
 * or whose machine vanished, ends `lost` within STALE_AFTER_MS plus one poll (about 6 s with
 * the default 1 s interval).
 *
 * A server that has just (re)connected to Redis waits STALE_AFTER_MS before declaring anything
 * lost: after a Redis outage, the heartbeats may have expired while the workers were simply
 * cut off, and they refresh them within a second or two of reconnecting.
 */
export const HEARTBEAT_MS = 1000;
export const STALE_AFTER_MS = 5000;
