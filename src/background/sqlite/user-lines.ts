/**
 * `maxConcurrent.perUser` in the SQLite store (../job-options/user-lines.ts): which queued jobs
 * may start now, in start order, passing over those whose user line is full, and which lines are
 * full (for a waiting job's place in line). A job's line is computed from its row (its policy,
 * function and owner), so there is no column to keep in step; a line's running jobs are those a
 * pool holds (`claimed_by`: running, or cancelled and still stopping), found through the
 * `jobs_claimed` index. Runs inside the store's IMMEDIATE transactions, so every pool and
 * server process sees one count.
 */
import type { Database } from './driver.ts';
import { LIMIT_SQL, LINE_SQL, START_ORDER } from './order-sql.ts';

interface Candidate {
  seq: number;
  line: string | null;
  lim: number | null;
}

/** The jobs running per user line now, and the lines that are full. */
export interface LineCounts {
  running: Map<string, number>;
  full: Set<string>;
}

export class UserLines {
  readonly #s;

  constructor(db: Database) {
    this.#s = {
      running: db.prepare(
        `SELECT line, COUNT(*) AS n, MAX(lim) AS lim FROM (
           SELECT ${LINE_SQL} AS line, ${LIMIT_SQL} AS lim FROM jobs
           WHERE claimed_by IS NOT NULL AND state IN ('running', 'cancelled'))
         WHERE line IS NOT NULL GROUP BY line`,
      ),
      candidates: db.prepare(
        `SELECT seq, line, lim FROM (
           SELECT seq, priority, fair_tag, ${LINE_SQL} AS line, ${LIMIT_SQL} AS lim FROM jobs
           WHERE state = 'queued' AND not_before <= @now
             AND function_key IN (SELECT value FROM json_each(@keys))
             AND seq NOT IN (SELECT value FROM json_each(@picked))
           ORDER BY ${START_ORDER})
         WHERE line IS NULL OR line NOT IN (SELECT value FROM json_each(@full))
         LIMIT @limit`,
      ),
    };
  }

  /** Running jobs per line, and the lines at their limit (the larger limit, if their jobs disagree). */
  counts(): LineCounts {
    const rows = this.#s.running.all() as { line: string; n: number; lim: number }[];
    const running = new Map<string, number>();
    const full = new Set<string>();
    for (const row of rows) {
      running.set(row.line, row.n);
      if (row.n >= row.lim) full.add(row.line);
    }
    return { running, full };
  }

  /**
   * The seqs of up to `limit` queued jobs of these functions (`keys`, JSON) that may start now, in
   * start order: a job whose line is full, or fills up with the jobs picked before it, is passed
   * over, and the jobs behind it are not held up.
   */
  startable(limit: number, keys: string, now: number): number[] {
    const picked: number[] = [];
    let counts: LineCounts | undefined;
    for (;;) {
      const want = limit - picked.length;
      const rows = this.#s.candidates.all({
        now,
        keys,
        picked: JSON.stringify(picked),
        full: JSON.stringify(counts ? [...counts.full] : []),
        limit: want,
      }) as Candidate[];
      let passedOver = false;
      for (const row of rows) {
        if (row.line === null || row.lim === null) {
          picked.push(row.seq);
          continue;
        }
        // Only a limited job needs the counts: most claims never read them.
        counts ??= this.counts();
        const running = counts.running.get(row.line) ?? 0;
        if (running >= row.lim) {
          counts.full.add(row.line);
          passedOver = true;
          continue;
        }
        picked.push(row.seq);
        counts.running.set(row.line, running + 1);
      }
      // Every candidate was seen, or enough were picked; else look again past the lines that filled.
      if (!passedOver || rows.length < want || picked.length >= limit) return picked;
    }
  }
}
