/**
 * The job options' part of the SQLite store (see ../job-options/): start tags that give users
 * (else page loads) fair turns, the clock they are measured against, a waiting job's place in line, and
 * each callback's recent run time (for the ETA). Runs inside the store's transactions.
 */

import { fairTurnKey, PAGE_TAG_TTL_MS, startTag } from '../job-options/fairness.ts';
import { etaSeconds, nextMeanRunMs } from '../job-options/queue-status.ts';
import { etaRunning } from '../job-options/user-lines.ts';
import type { JobOwner, QueuePlace } from '../manager.ts';
import type { Database } from './driver.ts';
import { LIMIT_SQL, LINE_SQL } from './order-sql.ts';
import { UserLines } from './user-lines.ts';

interface PlaceRow {
  function_key: string;
  priority: number;
  fair_tag: number;
  seq: number;
  not_before: number;
  line: string | null;
  lim: number | null;
}

export class QueueOrder {
  readonly #s;
  /** maxConcurrent.perUser: which waiting jobs may start, and which lines are full. */
  readonly lines: UserLines;

  constructor(db: Database) {
    this.lines = new UserLines(db);
    this.#s = {
      clock: db.prepare(`SELECT value FROM meta WHERE key = 'fair_clock'`).pluck(),
      setClock: db.prepare(
        `INSERT INTO meta (key, value) VALUES ('fair_clock', ?)
         ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`,
      ),
      pageTag: db.prepare('SELECT next_tag FROM fair_pages WHERE page = ?').pluck(),
      setPageTag: db.prepare(
        `INSERT INTO fair_pages (page, next_tag, touched_at) VALUES (?, ?, ?)
         ON CONFLICT (page) DO UPDATE SET next_tag = excluded.next_tag, touched_at = excluded.touched_at`,
      ),
      placeRow: db.prepare(
        `SELECT function_key, priority, fair_tag, seq, not_before, ${LINE_SQL} AS line, ${LIMIT_SQL} AS lim
         FROM jobs WHERE id = ? AND state = 'queued'`,
      ),
      ahead: db
        .prepare(
          `SELECT COUNT(*) FROM (SELECT ${LINE_SQL} AS line FROM jobs WHERE state = 'queued' AND not_before <= @now
             AND (priority > @priority OR (priority = @priority
               AND (fair_tag < @tag OR (fair_tag = @tag AND seq < @seq)))))
           WHERE line IS NULL OR line = @line OR line NOT IN (SELECT value FROM json_each(@full))`,
        )
        .pluck(),
      running: db.prepare(`SELECT COUNT(*) FROM jobs WHERE state = 'running'`).pluck(),
      meanRun: db.prepare('SELECT mean_ms FROM run_times WHERE function_key = ?').pluck(),
      setMeanRun: db.prepare(
        `INSERT INTO run_times (function_key, mean_ms) VALUES (?, ?)
         ON CONFLICT (function_key) DO UPDATE SET mean_ms = excluded.mean_ms`,
      ),
      sweepPages: db.prepare('DELETE FROM fair_pages WHERE touched_at < ?'),
    };
  }

  /**
   * The start tag of a job `owner` queues now; call within the insert's transaction. The
   * `fair_pages` row is the turn's (fairTurnKey: the user's, else the page load's).
   */
  tagFor(owner: JobOwner, now: number): number {
    const page = fairTurnKey(owner);
    const clock = Number(this.#s.clock.get() ?? 0);
    const next = this.#s.pageTag.get(page) as number | undefined;
    const tag = startTag(clock, next);
    this.#s.setPageTag.run(page, tag + 1, now);
    return tag;
  }

  /** Jobs with these tags started: the clock moves on to the largest. */
  started(tags: number[]): void {
    if (tags.length > 0) this.#s.setClock.run(Math.max(...tags));
  }

  /**
   * Where a waiting job stands; undefined when it is not waiting for a worker (or in a backoff).
   * Jobs ahead whose (other) user line is full are not counted (job-options/user-lines.ts).
   */
  place(jobId: string, now: number): QueuePlace | undefined {
    const row = this.#s.placeRow.get(jobId) as PlaceRow | undefined;
    if (!row || row.not_before > now) return undefined;
    const { full } = this.lines.counts();
    const ahead = this.#s.ahead.get({
      now,
      priority: row.priority,
      tag: row.fair_tag,
      seq: row.seq,
      line: row.line,
      full: JSON.stringify([...full]),
    }) as number;
    const position = ahead + 1;
    const mean = this.#s.meanRun.get(row.function_key) as number | undefined;
    const lineFull = row.line !== null && full.has(row.line);
    const running = etaRunning(this.#s.running.get() as number, row.lim ?? undefined, lineFull);
    const eta = etaSeconds(position, mean, running);
    return eta === undefined ? { position } : { position, etaSeconds: eta };
  }

  recordRunTime(functionKey: string, runMs: number): void {
    const previous = this.#s.meanRun.get(functionKey) as number | undefined;
    this.#s.setMeanRun.run(functionKey, nextMeanRunMs(previous, runMs));
  }

  sweep(now: number): void {
    this.#s.sweepPages.run(now - PAGE_TAG_TTL_MS);
  }
}
