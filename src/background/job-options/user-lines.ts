/**
 * `maxConcurrent: { perUser }`: at most that many jobs of one callback run at once per user; the
 * rest wait, in the start order every manager shares (fairness.ts), and are skipped, not refused:
 * a capped user's waiting job is no barrier to the jobs behind it.
 *
 * A job's *user line* is its job function and its user (`owner.user`). A job without a user
 * (an `identify` that answered undefined, a jobs-API start) is limited per page load
 * (`owner.endId`) instead, so the limit never silently falls away for requests nobody
 * identified. A job holds its place in its line from the start of a try until its worker lets
 * go of it: a cancelled job that is still stopping counts, a job waiting out a retry backoff
 * does not.
 *
 * Where a waiting job stands (QueuePlace.position): 1 + the waiting jobs ahead of it in start
 * order, leaving out those of other user lines that are full (they cannot start before a job of
 * theirs ends), so a capped user's second job is 1st in line, and another user's job behind it
 * is not held up in the count either. For a job whose own line is full, the ETA spreads the
 * position over the line's limit rather than over every running job.
 */

/** The user line of a job whose policy limits it (see above); the same string in every store. */
export function userLine(functionKey: string, owner: { user?: string; endId: string }): string {
  return `${functionKey}\n${owner.user !== undefined ? `user:${owner.user}` : `page:${owner.endId}`}`;
}

/** The jobs that the ETA of a waiting job is spread over: its line's limit when the line is full. */
export function etaRunning(running: number, limit: number | undefined, lineFull: boolean): number {
  return limit !== undefined && lineFull ? limit : running;
}
