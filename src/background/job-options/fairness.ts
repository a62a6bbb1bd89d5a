/**
 * The start order of waiting jobs, the same in every manager: higher `priority` first; among
 * equal priorities, page loads (JobOwner.endId) take turns; within one page load, first come,
 * first served.
 *
 * Turns come from start-time fair queuing: each job gets a start tag when it is queued,
 *
 *   tag = max(clock, page's next tag);   page's next tag = tag + 1
 *
 * where `clock` is the largest tag of any job started so far. Waiting jobs start in order of
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
 * rest from here as arguments (PAGE_TAG_TTL_MS). test/unit/bullmq-lua.test.ts checks that the
 * mirror gives the tags startTag gives, and the score it sorts by the order above.
 */

/** How long a page load's next tag is remembered after its last job was queued. */
export const PAGE_TAG_TTL_MS = 60 * 60 * 1000;

export function startTag(clock: number, pageNextTag: number | undefined): number {
  return Math.max(clock, pageNextTag ?? 0);
}
