/**
 * A kept job's view (JobSubmission.keep): everything its reads delivered so far, folded into what
 * a page that rejoins it must be shown (Manager.rejoin). Progress is a latest value, so only the
 * latest of the current try is kept (a retry starts again from none, as the page goes back to
 * progressDefault). setProps calls, and so a stream's yields, are merged per prop as one answer
 * merges them (combinePropUpdates): a whole value replaces what came before, and a Patch is kept
 * after the value it applies to (as an Assign of that value, then the Patch's operations). A page
 * that rejoins starts from the layout's values, as the page that started the job did, so Patches
 * of a prop never set whole apply to the same value there too.
 *
 * Size: one entry per prop set; a prop only ever patched keeps its operations (a chat stream
 * appending tokens keeps about its text's size), within the job's own lifetime.
 */
import { combinePropUpdates } from '../callbacks/patch.ts';
import type { JobUpdate } from './manager.ts';

export interface JobView {
  /** The latest progress values of the current try; absent when it reported none. */
  progress?: unknown[];
  /** Every setProps call so far, merged: component id → prop → value (or combined Patch). */
  props: Record<string, Record<string, unknown>>;
}

export function emptyView(): JobView {
  return { props: {} };
}

/** Folds what one read delivered into the view (in place), and returns it. */
export function foldIntoView(
  view: JobView,
  update: Pick<JobUpdate, 'progress' | 'sideUpdates' | 'began'>,
): JobView {
  if ((update.began ?? 0) > 1) delete view.progress;
  const latest = update.progress.at(-1);
  if (latest) view.progress = latest;
  for (const { id, props } of update.sideUpdates) {
    const merged = view.props[id] ?? {};
    for (const [prop, value] of Object.entries(props)) {
      merged[prop] = combinePropUpdates(Object.hasOwn(merged, prop) ? merged[prop] : undefined, value);
    }
    view.props[id] = merged;
  }
  return view;
}

/** The view as one update, as a rejoining page is answered (Manager.rejoin). */
export function viewAsUpdate(view: JobView, rest: Omit<JobUpdate, 'progress' | 'sideUpdates'>): JobUpdate {
  return {
    ...rest,
    progress: view.progress ? [view.progress] : [],
    sideUpdates: Object.entries(view.props).map(([id, props]) => ({ id, props })),
  };
}

/** The stored form of a view (JSON); nothing stored reads as the empty view. */
export function parseView(stored: string | null | undefined): JobView {
  return stored ? (JSON.parse(stored) as JobView) : emptyView();
}
