/**
 * Job records in BullMQManager's Redis. The job scripts (bullmq/lua/) record as part of the
 * change itself, through the Lua helpers of bullmq/lua/includes/monitor.lua, once a server
 * process has turned the monitor on (the `mon:on` key holds the window): servers and every `dash-ts worker` then record, with no
 * extra round trip. Only the submit script reads `mon:on`; it copies the window into the job's
 * own hash (field `mon`), which every later script of the job reads anyway, so a job records
 * every change from its submit on, and a job submitted while the monitor is off costs nothing
 * more (its later changes could not be shown anyway: a record without its submit has no
 * callback). Keys, next to the job keys (`<prefix>:<queue>:dash:`):
 *
 *   mon:on         string  the window in ms; absent: nothing is recorded
 *   mon:<id>       hash    one job's record; expires a window after its last change
 *   mon:index      zset    job ids by queue time (trimmed to the window)
 *   mon:totals     hash    "<callback>\n<outcome>" -> finished jobs, since recording began
 *   mon:durations  hash    "<callback>\n<run|wait>\n<bucket|sum>" -> count (sum: ms)
 *   mon:retired    hash    worker id -> when it stopped cleanly
 *
 * Workers themselves come from the live-workers sorted set the heartbeats keep (bullmq/keys.ts).
 */
import type { Redis } from 'ioredis';
import {
  collectDurations,
  type DurationMetric,
  type JobRecord,
  type RecordedOutcome,
  type RecordedState,
  type RecordsSnapshot,
  type RecordTotals,
  type WorkerRecord,
} from '../records.ts';
import type { KeySpace } from './keys.ts';
import { STALE_AFTER_MS } from './liveness.ts';

const WORKER_KIND = 'worker';

/** Reads (and turns on) the records of one BullMQManager's queue. */
export class RedisRecords {
  constructor(
    private readonly client: Redis,
    private readonly keys: KeySpace,
  ) {}

  #key(name: string): string {
    return `${this.keys.base}mon:${name}`;
  }

  async enable(windowMs: number): Promise<void> {
    const turnOn = () => this.client.set(this.#key('on'), String(Math.round(windowMs)));
    // Redis away (a server started before it): turned on when it answers, without holding up the start.
    if (this.client.status !== 'ready') {
      this.client.once('ready', () => void turnOn().catch(() => {}));
      return;
    }
    await turnOn();
  }

  async read(): Promise<RecordsSnapshot> {
    const [seconds, micros] = await this.client.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const windowMs = Number((await this.client.get(this.#key('on'))) ?? 0);
    const index = this.#key('index');
    await this.client.zremrangebyscore(index, '-inf', now - windowMs - 1);
    const ids = await this.client.zrange(index, 0, -1);
    const pipeline = this.client.pipeline();
    for (const id of ids) pipeline.hgetall(this.#key(id));
    const replies = (await pipeline.exec()) ?? [];
    const jobs: JobRecord[] = [];
    ids.forEach((id, i) => {
      const fields = replies[i]?.[1] as Record<string, string> | undefined;
      if (fields?.cb) jobs.push(jobRecord(id, fields));
    });
    return { now, windowMs, jobs, workers: await this.#workers(now, windowMs), totals: await this.#totals() };
  }

  async #workers(now: number, windowMs: number): Promise<WorkerRecord[]> {
    const scored = await this.client.zrange(this.keys.workers, 0, -1, 'WITHSCORES');
    const retired = await this.client.hgetall(this.#key('retired'));
    const workers: WorkerRecord[] = [];
    for (let i = 0; i < scored.length; i += 2) {
      const id = scored[i]!;
      const aliveUntil = Number(scored[i + 1]);
      const stoppedAt = retired[id] === undefined ? undefined : Number(retired[id]);
      // A live worker's score is its last beat plus the stale time; a retired one's, when it stopped.
      const lastHeartbeat = stoppedAt ?? aliveUntil - STALE_AFTER_MS;
      if (lastHeartbeat < now - windowMs) continue;
      const [host, pid] = parseWorkerId(id);
      workers.push({
        id,
        host,
        pid,
        kind: WORKER_KIND,
        lastHeartbeat,
        status:
          stoppedAt !== undefined && stoppedAt >= aliveUntil - STALE_AFTER_MS
            ? 'stopped'
            : aliveUntil >= now
              ? 'alive'
              : 'presumed-dead',
      });
    }
    return workers;
  }

  async #totals(): Promise<RecordTotals> {
    const totals = await this.client.hgetall(this.#key('totals'));
    const finished = Object.entries(totals).map(([field, count]) => {
      const [callbackId, outcome] = field.split('\n') as [string, RecordedOutcome];
      return { callbackId, outcome, count: Number(count) };
    });
    const stored = Object.entries(await this.client.hgetall(this.#key('durations')));
    const durations = collectDurations(
      stored.map(([field, value]) => {
        const [callbackId, metric, bucket] = field.split('\n') as [string, DurationMetric, string];
        return {
          callbackId,
          metric,
          bucket: bucket === 'sum' ? 'sum' : Number(bucket),
          value: Number(value),
        };
      }),
    );
    return { finished, durations };
  }
}

/** Worker ids are `<host>:<pid>:<random>` (bullmq/worker.ts). */
function parseWorkerId(id: string): [string, number] {
  const parts = id.split(':');
  const pid = Number(parts.at(-2));
  return [parts.slice(0, -2).join(':') || id, Number.isInteger(pid) ? pid : 0];
}

function jobRecord(id: string, f: Record<string, string>): JobRecord {
  const transitions = (f.tr ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const [state, at] = entry.split(' ');
      return { state: state as RecordedState, at: Number(at) };
    });
  const record: JobRecord = {
    id,
    callbackId: f.cb!,
    page: f.page ?? '',
    state: (f.state ?? 'queued') as RecordedState,
    attempts: Number(f.attempts ?? 0),
    queuedAt: Number(f.queuedAt),
    transitions,
  };
  if (f.user !== undefined) record.user = f.user;
  if (f.outcome) record.outcome = f.outcome as RecordedOutcome;
  if (f.worker) record.worker = f.worker;
  if (f.message !== undefined) {
    record.error = { message: f.message };
    if (f.stack !== undefined) record.error.stack = f.stack;
  }
  if (f.startedAt) record.startedAt = Number(f.startedAt);
  if (f.finishedAt) record.finishedAt = Number(f.finishedAt);
  return record;
}
