/**
 * Whether a try that ended gets another one, and after how long: one rule for every manager.
 *
 * A try is retried while tries remain (`retry.attempts` counts them all) when it threw (but not
 * PreventUpdate or NonRetryableError), when it timed out, and, only with `retry.onLost`, when its
 * worker died. The wait before try n+1 is `backoff · 2^(n-1)` seconds. Cancel and supersede end
 * the job outright; they never reach here.
 */
import type { JobOutcome, JobPolicy } from '../manager.ts';

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/**
 * `attempt`: the number of the try that just ended (1 for the first). `outcome` as a JobOutcome
 * or as the JSON a worker sent, which is parsed only when tries remain.
 */
export function retryDecision(
  policy: JobPolicy,
  attempt: number,
  outcome: JobOutcome | string,
): RetryDecision {
  if (attempt >= policy.retry.attempts) return { retry: false };
  const ended = typeof outcome === 'string' ? (JSON.parse(outcome) as JobOutcome) : outcome;
  if (!isRetryable(ended, policy)) return { retry: false };
  return { retry: true, delayMs: backoffMs(policy, attempt) };
}

export function isRetryable(outcome: JobOutcome, policy: JobPolicy): boolean {
  switch (outcome.kind) {
    case 'error':
      return outcome.retryable !== false;
    case 'timed-out':
      return true;
    case 'lost':
      return policy.retry.onLost;
    default:
      return false;
  }
}

/** The wait after try `attempt` failed: backoff seconds, doubling with each try. */
export function backoffMs(policy: JobPolicy, attempt: number): number {
  return Math.round(policy.retry.backoffSeconds * 1000 * 2 ** (attempt - 1));
}
