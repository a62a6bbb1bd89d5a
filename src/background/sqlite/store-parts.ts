/**
 * What every group of the store's transactions works on (the connection, its prepared
 * statements, the queue order, the jobs monitor's records), and the row shape and helpers that
 * more than one group shares.
 */

import type { Database } from './driver.ts';
import type { QueueOrder } from './queue-order.ts';
import type { SqliteRecords } from './records.ts';
import type { Statements } from './statements.ts';

export interface StoreParts {
  db: Database;
  s: Statements;
  order: QueueOrder;
  records: SqliteRecords;
}

/** A job's owner and queue time from its row, as the jobs monitor's records need them. */
export interface QueueRow {
  owner: string;
  created_at: number;
}

/** A cache row's expiry time: null keeps it until it is replaced. */
export function expiresAt(now: number, expireSeconds: number | null | undefined): number | null {
  return expireSeconds === null || expireSeconds === undefined
    ? null
    : now + Math.round(expireSeconds * 1000);
}

/** Tells the jobs monitor that a job went back to the queue (nothing when no row was requeued). */
export function recordRequeued(
  records: SqliteRecords,
  jobId: string,
  row: QueueRow | undefined,
  now: number,
): void {
  if (row)
    records.record({ kind: 'requeued', id: jobId, owner: row.owner, queuedAt: row.created_at, at: now });
}
