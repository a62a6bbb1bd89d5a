/**
 * How the orchestrator watches a page for whenPageLeaves (job-options/page-leave.ts): how long a
 * poll of a callback is held, the policy a page's start submits, and the mark of a page's poll.
 */
import type { BackgroundOptions } from './callback-spec.ts';
import { pageLeftAfterMs } from './job-options/page-leave.ts';
import type { JobPolicy, Manager } from './manager.ts';

/** The orchestrator's response windows (orchestrator.ts ResponseWindows). */
interface Windows {
  startMs: number;
  pollMs: number;
}

/** The longest a poll of this callback is held waiting for news. */
export function pollHoldMs(background: BackgroundOptions, windows: Windows): number {
  // A stream's poll is held until its next yield (up to the window): a yield is answered at once.
  return background.streams ? windows.pollMs : Math.min(windows.pollMs, Math.max(background.interval, 100));
}

/**
 * The policy a page's start submits: the callback's, with whenPageLeaves 'cancel' turned into
 * the silence after which the job counts as left, from the longest a live page may go between
 * two polls of this callback.
 */
export function pagePolicy(background: BackgroundOptions, windows: Windows): JobPolicy {
  if (background.page.whenPageLeaves !== 'cancel') return background.policy;
  const held = Math.max(windows.startMs, pollHoldMs(background, windows));
  return { ...background.policy, pageLeftAfterMs: pageLeftAfterMs(background.interval, held) };
}

/** A page load of a whenPageLeaves 'cancel' callback is alive: it polled (or started) just now. */
export function markSeen(background: BackgroundOptions, manager: Manager, endId: string): void {
  if (background.page.whenPageLeaves === 'cancel') manager.pageSeen(endId);
}
