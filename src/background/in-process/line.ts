/**
 * InProcessManager's waiting line: the start order every manager shares (job-options/fairness.ts),
 * kept in memory: higher priority first, users (else page loads) taking turns by start tag, then
 * submit order. A job whose user line is full (job-options/user-lines.ts) is passed over, not
 * waited for.
 */
import { startTag } from '../job-options/fairness.ts';

export interface InLine {
  readonly id: string;
  /** Whose turn the job takes (fairness.ts fairTurnKey). */
  readonly turn: string;
  readonly priority: number;
  /** Start tag (fair turns across page loads); given when the job joins the line. */
  tag: number;
  /** Submit order, to break ties. */
  seq: number;
  /** Its user line, when its policy limits the jobs running at once per user. */
  readonly line?: string;
}

/** Whether a job's user line is full now (none of its jobs may start). */
export type LineFull<T> = (job: T) => boolean;

export class WaitingLine<T extends InLine> {
  readonly #waiting: T[] = [];
  /** The largest tag of any job started so far. */
  #clock = 0;
  readonly #pageNextTag = new Map<string, number>();
  #seq = 0;

  get length(): number {
    return this.#waiting.length;
  }

  /** Puts a job in line (a retried try joins again, with a fresh tag). */
  join(job: T): void {
    job.tag = startTag(this.#clock, this.#pageNextTag.get(job.turn));
    job.seq = ++this.#seq;
    this.#pageNextTag.set(job.turn, job.tag + 1);
    this.#waiting.push(job);
    this.#waiting.sort(compare);
  }

  /** Takes the next job that may start (its line not full), moving the clock to its tag. */
  next(full: LineFull<T>): T | undefined {
    const index = this.#waiting.findIndex((job) => !full(job));
    const job = index < 0 ? undefined : this.#waiting.splice(index, 1)[0];
    if (job) this.#clock = Math.max(this.#clock, job.tag);
    if (this.#waiting.length === 0 && this.#pageNextTag.size > 10_000) this.#pageNextTag.clear();
    return job;
  }

  remove(id: string): void {
    const index = this.#waiting.findIndex((job) => job.id === id);
    if (index >= 0) this.#waiting.splice(index, 1);
  }

  /**
   * 1-based place of a waiting job, leaving out the jobs ahead whose other line is full;
   * undefined when it is not in line.
   */
  position(id: string, full: LineFull<T>): number | undefined {
    const index = this.#waiting.findIndex((job) => job.id === id);
    if (index < 0) return undefined;
    const { line } = this.#waiting[index]!;
    let ahead = 0;
    for (let i = 0; i < index; i++) {
      const job = this.#waiting[i]!;
      if (job.line === undefined || job.line === line || !full(job)) ahead++;
    }
    return ahead + 1;
  }
}

function compare(a: InLine, b: InLine): number {
  return b.priority - a.priority || a.tag - b.tag || a.seq - b.seq;
}
