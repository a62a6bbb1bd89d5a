/**
 * Whether another pool's claim on a job is dead, so that its job can be taken back. A pool is
 * dead when its heartbeat stopped, or, on this machine, at once when its process is gone (a
 * restarted server recovers its jobs without waiting out the heartbeat).
 */
import { hostname } from 'node:os';
import type { ForeignClaim } from './store.ts';

/** Pools and their jobs refresh heartbeats every second; five missed ones mean dead. */
export const HEARTBEAT_INTERVAL_MS = 1000;
export const STALE_AFTER_MS = 5000;

export const thisHost = hostname();

export function claimIsDead(claim: ForeignClaim, now: number): boolean {
  if (claim.poolHeartbeatAt === null || claim.poolPid === null) return true;
  if (now - claim.poolHeartbeatAt > STALE_AFTER_MS) return true;
  if (claim.jobHeartbeatAt !== null && now - claim.jobHeartbeatAt > STALE_AFTER_MS) return true;
  return claim.poolHost === thisHost && !processExists(claim.poolPid);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
