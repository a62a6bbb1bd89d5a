/**
 * The start order of waiting jobs, the same in every manager: higher `priority` first; among
 * equal priorities, users take turns (fairTurnKey: JobOwner.user, else the page load, endId, for a
 * job without a user); within one user's (or page load's) jobs, first come, first served. One
 * user with five tabs gets one share, not five.
 *
 * Turns come from start-time fair queuing: each job gets a start tag when it is queued,
 *
 *   tag = max(clock, page's next tag);   page's next tag = tag + 1
 *
 * where `clock` is the largest tag of any job started so far ("page" below: whoever takes the turn). Waiting jobs start in order of
 * (priority desc, tag asc, submit order asc). A page that queues eight jobs gets tags c, c+1, ...,
 * c+7; a second page's job queued meanwhile gets tag c (or c+1), so it starts next, not ninth.
 * The tags are small integers kept in the store (SQLite rows, Redis keys), so every server
 * process computes the same order, and a retried try is queued again with a fresh tag.
 *
 * SqliteManager calls startTag (sqlite/queue-order.ts). BullMQManager's Lua keeps a mirror of it
 * (bullmq/lua/includes/order.lua: newPlace, and the clock's move in begin.lua), because the
 * clock and a page's next tag are shared by every server process and worker: they must be read
 * and moved in the same atomic step that puts the job in line, and a tag computed here from
 * values read beforehand would let two submits of one page take the same tag. The Lua gets the
 * rest from here as arguments (PAGE_TAG_TTL_MS, and the turn's key, from fairTurnKey). test/unit/bullmq-lua.test.ts checks that the
 * mirror gives the tags startTag gives, and the score it sorts by the order above.
 */

import type { JobOwner } from '../manager.ts';

/** How long a page load's (or user's) next tag is remembered after its last job was queued. */
export const PAGE_TAG_TTL_MS = 60 * 60 * 1000;

/**
 * Whose turn a job takes: its user's when it has one, else its page load's. A user's key cannot
 * be a page load's: page tokens and the jobs API's owner have no ':'.
 */
export function fairTurnKey(owner: Pick<JobOwner, 'endId' | 'user'>): string {
  return owner.user === undefined ? owner.endId : `user:${owner.user}`;
}

export function startTag(clock: number, pageNextTag: number | undefined): number {
  return Math.max(clock, pageNextTag ?? 0);
}
