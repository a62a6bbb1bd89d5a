/**
 * A cancel or a newer call that reaches one server while another server is still queueing an
 * older start of the same page load (behind a load balancer, the browser's requests land on
 * either). pending-starts.ts makes such a request wait for starts of its own process; across
 * processes the store keeps a mark instead (Manager.stopStartsBefore):
 *
 * - a cancel marks the page's starts of each callback it cancels, with its arrival time, before it
 *   looks for the page's jobs to cancel;
 * - every start marks the page's starts of its callback and outputs, with its arrival time, before
 *   it looks for the page's jobs to supersede;
 * - every start, once its job is queued, reads both marks: one later than its own arrival means a
 *   cancel or a newer call came while it was queueing, and it stops its own job.
 *
 * Whichever order two servers' store operations take, one of them sees the other: either the
 * job was queued before the mark (and the marking server's search finds it) or the queueing
 * server reads the mark. Arrival times are the servers' clocks: servers sharing a store must keep
 * their clocks within the time a person takes between a call and its cancel.
 */
import type { Manager } from './manager.ts';

/** How long a mark is kept: far longer than a start can take to queue its job. */
export const START_STOP_KEEP_MS = 5 * 60_000;

/** Now in ms since the epoch, below the millisecond: two requests of one page rarely tie. */
export function arrivalTime(): number {
  return performance.timeOrigin + performance.now();
}

const cancelKey = (callbackId: string) => `cancel\n${callbackId}`;
const supersedeKey = (callbackId: string, outputsKey: string) => `supersede\n${callbackId}\n${outputsKey}`;

/** A cancel that arrived at `at` stops the page's starts of these callbacks still being queued. */
export async function markCancel(
  manager: Manager,
  endId: string,
  callbackIds: Iterable<string>,
  at: number,
): Promise<void> {
  for (const callbackId of callbackIds) await manager.stopStartsBefore(endId, cancelKey(callbackId), at);
}

/** A start that arrived at `at` supersedes the page's older starts of these outputs still being queued. */
export function markSupersede(
  manager: Manager,
  endId: string,
  callbackId: string,
  outputsKey: string,
  at: number,
): Promise<void> {
  return manager.stopStartsBefore(endId, supersedeKey(callbackId, outputsKey), at);
}

/**
 * Whether a newer call of the same outputs reached a server (this one or another) after this
 * start arrived: an older start must then not supersede the newer one's job, found in the store.
 */
export async function supersededSince(
  manager: Manager,
  endId: string,
  callbackId: string,
  outputsKey: string,
  arrivedAt: number,
): Promise<boolean> {
  const [superseded] = await manager.startStops(endId, [supersedeKey(callbackId, outputsKey)]);
  return superseded! > arrivedAt;
}

/**
 * Once a start that arrived at `arrivedAt` has queued its job: cancels that job if a cancel or a
 * newer call of the page marked it meanwhile (on any server). Returns whether it did.
 */
export async function stopIfOvertaken(
  manager: Manager,
  endId: string,
  callbackId: string,
  outputsKey: string,
  arrivedAt: number,
  jobId: string,
  /** The callback's `supersede` (false: newer calls leave older jobs running). */
  supersedes = true,
): Promise<boolean> {
  const keys = [cancelKey(callbackId)];
  if (supersedes) keys.push(supersedeKey(callbackId, outputsKey));
  const [cancelled, superseded = 0] = await manager.startStops(endId, keys);
  if (cancelled! > arrivedAt) await manager.cancel(jobId);
  else if (superseded > arrivedAt) await manager.cancel(jobId, 'supersede');
  else return false;
  return true;
}
