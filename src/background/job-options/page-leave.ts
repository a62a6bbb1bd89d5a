/**
 * `whenPageLeaves` and `supersede` (api.md, "Users, and jobs that outlive their page"): what
 * becomes of a job whose page stops watching it.
 *
 * A page that is open polls: the renderer asks for a running (or queued) job's news every
 * `interval` ms. So "the page left" can only mean "the page load stopped polling". Liveness is
 * per page load (JobOwner.endId), not per job: every poll of a `'cancel'` callback marks its page
 * load as seen (Manager.pageSeen), and a job counts as left once its page load has not been seen
 * for its policy's `pageLeftAfterMs`. Per page load, so that an older job of a `supersede: false`
 * callback, which the page no longer polls (the renderer polls only the newest call), is not
 * cancelled while the page polls its newer job.
 *
 * The mark lives in the manager's shared store (SQLite file, Redis), because the polls of one page
 * may land on different servers behind a load balancer; every server's housekeeping (SQLite pools,
 * BullMQ servers, an InProcessManager) looks for left jobs once a second and cancels them with the
 * reason 'page-left'.
 */
import { CallbackDefinitionError } from '../../base/errors.ts';

export type WhenPageLeaves = 'finish' | 'cancel';

/** The two options as the user writes them (CallbackSpec). */
export interface PageOptions {
  /** 'cancel': cancel the job once its page stops polling (closed, navigated away). Default 'finish'. */
  whenPageLeaves?: WhenPageLeaves;
  /** Default true: a new call from the same page cancels its unfinished job of this callback. */
  supersede?: boolean;
}

/** The two options, checked, with their defaults applied. */
export interface PagePolicy {
  whenPageLeaves: WhenPageLeaves;
  supersede: boolean;
}

/**
 * Checks the options when the callback is defined. A streaming callback's default is 'cancel'
 * (Dash ends a stream whose page closed; issue 17): a stream nobody watches has nobody to
 * stream to. A job that belongs to its user rather than its page (`reattach`, api.md: "A
 * reattach job always finishes") must resolve to 'finish' here, whatever the stream default.
 */
export function pagePolicyFromSpec(spec: PageOptions, streams: boolean, reattach = false): PagePolicy {
  const { whenPageLeaves, supersede } = spec;
  if (whenPageLeaves !== undefined && whenPageLeaves !== 'finish' && whenPageLeaves !== 'cancel') {
    throw new CallbackDefinitionError(
      `whenPageLeaves must be 'finish' or 'cancel', got ${JSON.stringify(whenPageLeaves)}`,
    );
  }
  if (reattach && whenPageLeaves === 'cancel') {
    throw new CallbackDefinitionError(
      "whenPageLeaves: 'cancel' does not go with reattach: a reattach job is its user's, and always finishes",
    );
  }
  if (supersede !== undefined && typeof supersede !== 'boolean') {
    throw new CallbackDefinitionError(`supersede must be true or false, got ${JSON.stringify(supersede)}`);
  }
  return {
    whenPageLeaves: whenPageLeaves ?? (streams && !reattach ? 'cancel' : 'finish'),
    supersede: supersede ?? true,
  };
}

/**
 * The shortest silence that counts as "the page left". A live page's polls arrive every
 * interval + held poll (≈ 1.5 s by default); on a machine under heavy load (browser or server
 * starved of CPU for seconds), gaps of a few seconds happen. 6 s of silence, plus up to a second
 * until the next sweep and the mark's batching, cancels within the 10 s api.md promises.
 */
export const PAGE_LEFT_FLOOR_MS = 6000;
/** A live page misses this many polls in a row before it counts as gone (for long intervals). */
const MISSED_POLLS = 3;

/** How often each manager's housekeeping looks for left jobs. */
export const PAGE_LEFT_SWEEP_MS = 1000;
/** How long a manager may hold marks before writing them to its store (one write per batch). */
export const PAGE_SEEN_BATCH_MS = 500;
/**
 * A page load's mark is kept this long after it was last seen, when it has no unfinished job
 * that still needs it (each store deletes older marks in its sweep).
 */
export const PAGE_SEEN_KEEP_MS = 10 * 60 * 1000;

/**
 * The silence after which a job of a page load counts as left: long enough that a page that polls
 * normally is never taken for gone. The gap between two polls is at most the longest hold of an
 * answer (`heldMs`: the start window or a held poll) plus the interval the renderer waits; a page
 * must miss MISSED_POLLS of them, and at least PAGE_LEFT_FLOOR_MS must pass.
 */
export function pageLeftAfterMs(intervalMs: number, heldMs: number): number {
  return Math.max(PAGE_LEFT_FLOOR_MS, Math.ceil(MISSED_POLLS * (intervalMs + heldMs)));
}

/** Whether a job whose page load was last seen at `seenAt` counts as left at `now`. */
export function pageHasLeft(seenAt: number | undefined, leftAfterMs: number, now: number): boolean {
  return seenAt === undefined || now - seenAt > leftAfterMs;
}

/**
 * Marks of seen page loads gathered in one server process, written to the store in batches
 * (PAGE_SEEN_BATCH_MS): a page polling every 50 ms costs no more writes than one polling every
 * 500 ms. `write` gets the page loads seen since the last batch; it must not throw (it logs).
 */
export class SeenPages {
  #pending = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly write: (endIds: string[]) => void | Promise<void>) {}

  add(endId: string): void {
    if (this.#closed) return;
    this.#pending.add(endId);
    if (this.#timer) return;
    this.#timer = setTimeout(() => void this.flush(), PAGE_SEEN_BATCH_MS);
    this.#timer.unref();
  }

  /** Writes what is pending now. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const endIds = [...this.#pending];
    this.#pending = new Set();
    await this.write(endIds);
  }

  /** Drops what is pending: the store is going away. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }
}
