/**
 * Every SQL statement the store runs, prepared once per connection. They live together so that
 * the store's SQL reads in one place; the transactions that use them are in job-transactions.ts,
 * pool-turn.ts, pool-claims.ts, sweep.ts and shared-secret.ts.
 */
import type { Database } from './driver.ts';

export type Statements = ReturnType<typeof prepareStatements>;

export function prepareStatements(db: Database) {
  return {
    insertJob: db.prepare(
      `INSERT INTO jobs (id, function_key, payload, owner, cache_key, cache_expire, state, created_at,
                         policy, priority, fair_tag, keep_ms, reattach_key)
       VALUES (@id, @functionKey, @payload, @owner, @cacheKey, @cacheExpire, 'queued', @now,
               @policy, @priority, @tag, @keepMs, @reattachKey)`,
    ),
    peek: db.prepare(
      `SELECT state, EXISTS (SELECT 1 FROM events WHERE job_id = jobs.id) AS events, began,
              coalesce(json_extract(policy, '$.reportQueue'), 0) AS reportQueue
       FROM jobs WHERE id = ?`,
    ),
    jobForTake: db.prepare(
      'SELECT state, outcome, claimed_by, began, keep_ms, view, finished_at FROM jobs WHERE id = ?',
    ),
    setView: db.prepare('UPDATE jobs SET view = ? WHERE id = ?'),
    setOwnerPage: db.prepare(`UPDATE jobs SET owner = json_set(owner, '$.endId', ?) WHERE id = ?`),
    findKept: db
      .prepare(
        `SELECT id FROM jobs WHERE reattach_key = ?
           AND (state IN ('queued', 'running') OR (state = 'finished' AND finished_at + keep_ms > ?))
         ORDER BY seq DESC LIMIT 1`,
      )
      .pluck(),
    clearBegan: db.prepare('UPDATE jobs SET began = NULL WHERE id = ?'),
    deleteProgressOf: db.prepare(`DELETE FROM events WHERE job_id = ? AND kind = 'progress'`),
    runningOwner: db
      .prepare(`SELECT owner FROM jobs WHERE id = ? AND state = 'running' AND claimed_by = ?`)
      .pluck(),
    retry: db.prepare(
      `UPDATE jobs SET state = 'queued', claimed_by = NULL, heartbeat_at = NULL, began = NULL,
                       not_before = @notBefore, fair_tag = @tag
       WHERE id = @id AND state = 'running' AND claimed_by = @pool RETURNING owner, created_at`,
    ),
    eventsOf: db.prepare('SELECT kind, body FROM events WHERE job_id = ? ORDER BY seq'),
    deleteEventsOf: db.prepare('DELETE FROM events WHERE job_id = ?'),
    deleteJob: db.prepare('DELETE FROM jobs WHERE id = ?'),
    owner: db.prepare('SELECT owner FROM jobs WHERE id = ?'),
    pageUnfinished: db
      .prepare(
        `SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running') AND json_extract(owner, '$.endId') = ?`,
      )
      .pluck(),
    userUnfinished: db
      .prepare(
        `SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running') AND json_extract(owner, '$.user') = ?`,
      )
      .pluck(),
    pageJobs: db.prepare(
      `SELECT id, owner FROM jobs WHERE state IN ('queued', 'running') AND json_extract(owner, '$.endId') = ?`,
    ),
    // Manager.stopStartsBefore (../start-stops.ts): the latest mark wins.
    markStartStop: db.prepare(
      `INSERT INTO start_stops (end_id, key, at) VALUES (?, ?, ?)
       ON CONFLICT (end_id, key) DO UPDATE SET at = max(at, excluded.at)`,
    ),
    startStop: db.prepare('SELECT at FROM start_stops WHERE end_id = ? AND key = ?').pluck(),
    deleteOldStartStops: db.prepare('DELETE FROM start_stops WHERE at < ?'),
    queuedCount: db.prepare(`SELECT COUNT(*) FROM jobs WHERE state = 'queued'`).pluck(),
    cancel: db.prepare(
      `UPDATE jobs SET state = 'cancelled', cancel_requested = ?, outcome = NULL, finished_at = ?
       WHERE id = ? AND state != 'cancelled' RETURNING claimed_by`,
    ),
    // The jobs (seqs, JSON) that QueueOrder.lines.startable picked in the same transaction.
    claim: db.prepare(
      `UPDATE jobs SET state = 'running', claimed_by = ?, heartbeat_at = ?, started_at = ?,
                       attempts = attempts + 1, began = attempts + 1
       WHERE seq IN (SELECT value FROM json_each(?)) AND state = 'queued'
       RETURNING seq, id, function_key AS functionKey, payload, attempts AS attempt, policy, priority,
                 fair_tag AS tag, owner, created_at AS createdAt`,
    ),
    hasQueued: db
      .prepare(
        `SELECT 1 FROM jobs WHERE state = 'queued' AND not_before <= ?
           AND function_key IN (SELECT value FROM json_each(?)) LIMIT 1`,
      )
      .pluck(),
    isRunningFor: db.prepare(`SELECT 1 FROM jobs WHERE id = ? AND state = 'running' AND claimed_by = ?`),
    insertEvent: db.prepare('INSERT INTO events (job_id, kind, body) VALUES (?, ?, ?)'),
    trimProgress: db.prepare(
      `DELETE FROM events WHERE job_id = @job AND kind = 'progress' AND seq < (
         SELECT seq FROM events WHERE job_id = @job AND kind = 'progress' ORDER BY seq DESC LIMIT 1 OFFSET @keep)`,
    ),
    finish: db.prepare(
      `UPDATE jobs SET state = 'finished', outcome = ?, finished_at = ?, claimed_by = NULL, heartbeat_at = NULL
       WHERE id = ? AND state = 'running' AND claimed_by = ?
       RETURNING cache_key, cache_expire, function_key, started_at, owner, created_at, attempts`,
    ),
    finishUnclaimed: db.prepare(
      `UPDATE jobs SET state = 'finished', outcome = ?, finished_at = ?, claimed_by = NULL, heartbeat_at = NULL
       WHERE id = ?`,
    ),
    release: db.prepare(`DELETE FROM jobs WHERE id = ? AND state = 'cancelled' AND claimed_by = ?`),
    failQueued: db.prepare(
      `UPDATE jobs SET state = 'finished', outcome = ?, started_at = ?, finished_at = ?, attempts = attempts + 1
       WHERE seq IN (SELECT seq FROM jobs WHERE state = 'queued'
                       AND function_key IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?)
       RETURNING id, owner, created_at, attempts`,
    ),
    claimStates: db.prepare(
      `SELECT id, state FROM jobs
       WHERE claimed_by = ? AND state IN ('running', 'cancelled') AND id IN (SELECT value FROM json_each(?))`,
    ),
    foreignClaims: db.prepare(
      `SELECT j.id AS jobId, j.claimed_by AS claimedBy, j.heartbeat_at AS jobHeartbeatAt,
              p.pid AS poolPid, p.host AS poolHost, p.heartbeat_at AS poolHeartbeatAt
       FROM jobs j LEFT JOIN pools p ON p.id = j.claimed_by
       WHERE j.claimed_by IS NOT NULL AND j.claimed_by != ?`,
    ),
    claimedJob: db.prepare(
      'SELECT state, attempts, policy, owner, created_at, started_at FROM jobs WHERE id = ? AND claimed_by = ?',
    ),
    recordedState: db.prepare('SELECT state, owner, created_at, started_at FROM jobs WHERE id = ?'),
    claimsOf: db.prepare('SELECT 1 FROM jobs WHERE claimed_by = ? LIMIT 1'),
    upsertPool: db.prepare(
      `INSERT INTO pools (id, pid, host, heartbeat_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
    ),
    heartbeatJobs: db.prepare(
      `UPDATE jobs SET heartbeat_at = ? WHERE claimed_by = ? AND id IN (SELECT value FROM json_each(?))`,
    ),
    deletePool: db.prepare('DELETE FROM pools WHERE id = ?'),
    deleteEnded: db.prepare(
      `DELETE FROM jobs WHERE state IN ('finished', 'cancelled') AND finished_at < @before AND claimed_by IS NULL
         AND (keep_ms IS NULL OR state = 'cancelled' OR finished_at + keep_ms < @now)`,
    ),
    deleteExpiredCache: db.prepare('DELETE FROM cache WHERE expires_at IS NOT NULL AND expires_at < ?'),
    deleteIdlePools: db.prepare(
      `DELETE FROM pools WHERE heartbeat_at < ? AND NOT EXISTS (SELECT 1 FROM jobs WHERE claimed_by = pools.id)`,
    ),
    putCache: db.prepare(
      `INSERT INTO cache (key, outcome, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET outcome = excluded.outcome, expires_at = excluded.expires_at`,
    ),
    getCache: db.prepare(
      'SELECT outcome FROM cache WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)',
    ),
    touchCache: db.prepare(
      `UPDATE cache SET expires_at = ? WHERE key = ? AND (expires_at IS NULL OR expires_at > ?) RETURNING outcome`,
    ),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    putMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)'),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    markPageSeen: db.prepare(
      `INSERT INTO page_seen (page, seen_at) VALUES (?, ?)
       ON CONFLICT (page) DO UPDATE SET seen_at = max(seen_at, excluded.seen_at)`,
    ),
    // The WHERE repeats jobs_watching_page's (schema.ts), so that the index serves it.
    pageLeftJobs: db.prepare(
      `SELECT j.id FROM jobs j LEFT JOIN page_seen p ON p.page = json_extract(j.owner, '$.endId')
       WHERE j.state IN ('queued', 'running') AND json_extract(j.policy, '$.pageLeftAfterMs') IS NOT NULL
         AND (p.seen_at IS NULL OR p.seen_at < @now - json_extract(j.policy, '$.pageLeftAfterMs'))`,
    ),
    deleteOldPageSeen: db.prepare(
      `DELETE FROM page_seen WHERE seen_at < ? AND NOT EXISTS (
         SELECT 1 FROM jobs WHERE state IN ('queued', 'running') AND json_extract(owner, '$.endId') = page_seen.page)`,
    ),
  };
}
