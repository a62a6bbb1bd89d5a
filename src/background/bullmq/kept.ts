/**
 * BullMQManager's kept jobs (JobSubmission.keep: `reattach`, the jobs API): finding the newest
 * one of a user, callback and outputs (lua/find-kept.lua) and a page load taking one over
 * (lua/rejoin.lua), whose reply is folded here into the job's view (../job-view.ts). What a kept
 * job keeps in Redis is written by submit.lua, take.lua and the scripts that end a job.
 */
import type { Redis } from 'ioredis';
import { emptyView, foldIntoView, viewAsUpdate } from '../job-view.ts';
import type { JobOutcome, JobState, JobUpdate, KeptJobQuery } from '../manager.ts';
import type { KeySpace } from './keys.ts';
import type { ResolvedOptions } from './options.ts';
import { eventsAsUpdate, queuePlace } from './replies.ts';
import { runScript } from './scripts.ts';

export class KeptJobs {
  constructor(
    private readonly client: Redis,
    private readonly keys: KeySpace,
    private readonly options: ResolvedOptions,
  ) {}

  /** The newest kept job of the user, callback and outputs that is unfinished or within its keep. */
  async find(query: KeptJobQuery): Promise<string | undefined> {
    const k = this.keys;
    const id = await runScript(
      this.client,
      'dashFindKept',
      [k.kept(query.user, query.callbackId, query.outputsKey)],
      [k.job('')],
    );
    return typeof id === 'string' ? id : undefined;
  }

  /** A page load takes a kept job over (Manager.rejoin); undefined when it cannot. */
  async rejoin(jobId: string, endId: string): Promise<JobUpdate | undefined> {
    const k = this.keys;
    const reply = (await runScript(
      this.client,
      'dashRejoin',
      [k.job(jobId), k.events(jobId), k.seen(jobId), k.pageJobs(endId), k.order, k.runtimes, k.bullActive],
      [endId, jobId, this.options.jobTtlMs],
    )) as (string | number)[] | null;
    if (!reply) return undefined;
    const [state, outcome, position, meanRunMs, running, ...seen] = reply as [
      JobState,
      string,
      string | number,
      string,
      string | number,
      ...string[],
    ];
    // `seen` holds every delivered event in order, and `b<try>` where a try began.
    const view = emptyView();
    for (const entry of seen) {
      if (entry[0] === 'b')
        foldIntoView(view, { progress: [], sideUpdates: [], began: Number(entry.slice(1)) });
      else foldIntoView(view, eventsAsUpdate([entry]));
    }
    const update = viewAsUpdate(view, { state });
    if (outcome) update.outcome = JSON.parse(outcome) as JobOutcome;
    const queue = queuePlace(position, meanRunMs, running);
    if (queue) update.queue = queue;
    return update;
  }
}
