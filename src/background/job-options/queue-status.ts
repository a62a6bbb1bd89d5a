/**
 * What a waiting job's `queueStatus` output shows: the callback's `queueStatusFormat`, else a
 * short English text; and the ETA estimate managers report with the position.
 */
import type { QueuePlace } from '../manager.ts';

export type QueueStatusFormat = (info: QueuePlace) => unknown;

export const defaultQueueStatusFormat: QueueStatusFormat = ({ position, etaSeconds }) =>
  etaSeconds === undefined
    ? `Waiting in line: position ${position}`
    : `Waiting in line: position ${position}, about ${etaSeconds} s`;

/**
 * Seconds until a waiting job starts: the jobs ahead of it and itself, at the callback's recent
 * mean run time, spread over the jobs running now (every slot is busy while jobs wait).
 * Undefined without a run time to go on.
 */
export function etaSeconds(
  position: number,
  meanRunMs: number | undefined,
  running: number,
): number | undefined {
  if (meanRunMs === undefined || !Number.isFinite(meanRunMs)) return undefined;
  return Math.max(1, Math.ceil((position * meanRunMs) / Math.max(1, running) / 1000));
}

/** Weight of the newest run in the running mean of a callback's run times. */
export const RUN_TIME_WEIGHT = 0.2;

export function nextMeanRunMs(previous: number | undefined, runMs: number): number {
  return previous === undefined ? runMs : previous + RUN_TIME_WEIGHT * (runMs - previous);
}
