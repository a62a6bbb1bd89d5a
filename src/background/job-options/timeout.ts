/** The outcome of a try stopped by its time limit: what the user's onError receives. */
import type { JobOutcome } from '../manager.ts';

export function timedOutOutcome(limitMs: number): Extract<JobOutcome, { kind: 'timed-out' }> {
  const seconds = limitMs / 1000;
  return {
    kind: 'timed-out',
    seconds,
    message: `the job timed out after ${formatSeconds(seconds)} s and was stopped`,
  };
}

function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(3).replace(/0+$/, '');
}
