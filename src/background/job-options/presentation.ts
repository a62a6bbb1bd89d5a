/**
 * What the job options add to the browser's answers, beside the job's own progress and setProps:
 * the `queueStatus` output while the job waits (cleared when a try begins), and the progress
 * outputs back at `progressDefault` when a retry begins and has reported nothing yet.
 */
import type { SideUpdates } from '../../callbacks/context.ts';
import type { BackgroundOptions } from '../callback-spec.ts';
import type { JobUpdate } from '../manager.ts';

/** The progress values to show for this update; undefined: leave progress as it is. */
export function progressToShow(background: BackgroundOptions, update: JobUpdate): unknown[] | undefined {
  const latest = update.progress.at(-1);
  if (latest) return latest;
  if ((update.began ?? 0) > 1 && background.progress.length > 0) {
    return background.progressDefault ?? background.progress.map(() => null);
  }
  return undefined;
}

/** Shows where the job stands in line, or clears that once a try has begun. */
export function showQueueStatus(
  background: BackgroundOptions,
  update: JobUpdate,
  sideUpdates: SideUpdates,
): void {
  const status = background.queueStatus;
  if (!status) return;
  const { id, property } = status.output;
  if (update.queue && update.state === 'queued') {
    sideUpdates.set(id, { [property]: status.format(update.queue) });
    return;
  }
  if (update.began === undefined) return;
  // A progress output that doubles as the status is set by the progress itself.
  const isProgress = background.progress.some((p) => p.toString() === status.output.toString());
  if (isProgress && update.progress.length > 0) return;
  sideUpdates.set(id, { [property]: null });
}

/** Folds a later update into an earlier one (the start request collects several). */
export function mergeUpdates(earlier: JobUpdate, later: JobUpdate): JobUpdate {
  const restarted = later.began !== undefined && later.began > 1;
  return {
    state: later.state,
    // A new try's progress replaces what earlier tries reported.
    progress: restarted ? later.progress : [...earlier.progress, ...later.progress],
    sideUpdates: [...earlier.sideUpdates, ...later.sideUpdates],
    outcome: later.outcome,
    began: later.began ?? earlier.began,
    queue: later.queue,
  };
}
