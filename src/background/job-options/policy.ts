/**
 * The job options of a background callback (`timeout`, `retry`, `priority`, `queueStatus`,
 * `maxConcurrent`) as the Manager contract's JobPolicy: checked once when the callback is
 * defined, so a bad value fails at startup with the option's name, never at the first job.
 */
import { CallbackDefinitionError } from '../../base/errors.ts';
import type { JobPolicy } from '../manager.ts';
import type { JobOptions } from './options.ts';

/** What a job runs with when its callback sets none of the options. */
export const DEFAULT_POLICY: JobPolicy = Object.freeze({
  timeoutSeconds: undefined,
  retry: Object.freeze({ attempts: 1, backoffSeconds: 1, onLost: false }),
  priority: 0,
  reportQueue: false,
}) as JobPolicy;

/** Priorities are whole numbers in ±PRIORITY_LIMIT (they share one sort key with the fair order). */
export const PRIORITY_LIMIT = 1_000_000;

export function policyFromSpec(spec: JobOptions): JobPolicy {
  const { timeout, retry, priority } = spec;
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0)) {
    throw new CallbackDefinitionError(`timeout must be a number of seconds > 0, got ${String(timeout)}`);
  }
  if (retry !== undefined && (typeof retry !== 'object' || retry === null)) {
    throw new CallbackDefinitionError('retry must be { attempts, backoff?, onLost? }');
  }
  const attempts = retry?.attempts ?? 1;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new CallbackDefinitionError(
      `retry.attempts must be a whole number ≥ 1 (tries, counting the first), got ${String(attempts)}`,
    );
  }
  const backoff = retry?.backoff ?? DEFAULT_POLICY.retry.backoffSeconds;
  if (typeof backoff !== 'number' || !Number.isFinite(backoff) || backoff < 0) {
    throw new CallbackDefinitionError(
      `retry.backoff must be a number of seconds ≥ 0, got ${String(backoff)}`,
    );
  }
  const onLost = retry?.onLost ?? false;
  if (typeof onLost !== 'boolean') {
    throw new CallbackDefinitionError(`retry.onLost must be true or false, got ${String(onLost)}`);
  }
  const level = priority ?? 0;
  if (!Number.isInteger(level) || Math.abs(level) > PRIORITY_LIMIT) {
    throw new CallbackDefinitionError(
      `priority must be a whole number between -${PRIORITY_LIMIT} and ${PRIORITY_LIMIT}, got ${String(priority)}`,
    );
  }
  const policy: JobPolicy = {
    timeoutSeconds: timeout,
    retry: { attempts, backoffSeconds: backoff, onLost },
    priority: level,
    reportQueue: spec.queueStatus !== undefined,
  };
  const perUser = maxConcurrentPerUser(spec.maxConcurrent);
  if (perUser !== undefined) policy.maxConcurrentPerUser = perUser;
  return policy;
}

/** `maxConcurrent: { perUser }` checked: a whole number ≥ 1, or undefined for no limit. */
function maxConcurrentPerUser(option: JobOptions['maxConcurrent']): number | undefined {
  if (option === undefined) return undefined;
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new CallbackDefinitionError('maxConcurrent must be { perUser?: number }');
  }
  const unknown = Object.keys(option).filter((key) => key !== 'perUser');
  if (unknown.length > 0) {
    throw new CallbackDefinitionError(
      `maxConcurrent takes only perUser (jobs running at once per user), got ${unknown.join(', ')}`,
    );
  }
  const { perUser } = option;
  if (perUser === undefined) return undefined;
  if (!Number.isInteger(perUser) || perUser < 1) {
    throw new CallbackDefinitionError(
      `maxConcurrent.perUser must be a whole number ≥ 1 (jobs running at once per user), got ${String(perUser)}`,
    );
  }
  return perUser;
}

/** A submission's policy, with the defaults for a job submitted without one. */
export function policyOf(job: { policy?: JobPolicy }): JobPolicy {
  return job.policy ?? DEFAULT_POLICY;
}

/**
 * The stored form of a submission's policy, the same in every store: JSON, or undefined for a
 * job submitted without one (stored as nothing: it runs with DEFAULT_POLICY).
 */
export function encodePolicy(job: { policy?: JobPolicy }): string | undefined {
  return job.policy === undefined ? undefined : JSON.stringify(job.policy);
}

/** A stored policy back (encodePolicy); nothing stored (null, '' or undefined): DEFAULT_POLICY. */
export function decodePolicy(stored: string | null | undefined): JobPolicy {
  return stored ? (JSON.parse(stored) as JobPolicy) : DEFAULT_POLICY;
}

/** The time limit of one try in ms: the callback's own, else the manager's default, else none. */
export function tryTimeoutMs(policy: JobPolicy, managerDefaultMs: number | undefined): number | undefined {
  return policy.timeoutSeconds !== undefined ? policy.timeoutSeconds * 1000 : managerDefaultMs;
}
