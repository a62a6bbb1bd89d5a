/** Job submissions for talking to a Manager directly (the conformance suite, benchmarks). */
import { randomBytes } from 'node:crypto';
import type { JobContextSnapshot, JobSubmission } from '../../src/background/manager.ts';

/** The context of a start request with no inputs, on `/`. */
export const emptyContext: JobContextSnapshot = {
  changedPropIds: [],
  inputsList: [],
  statesList: [],
  outputsList: null,
  cookies: {},
  headers: {},
  args: {},
  path: '/',
};

/** A job of `functionKey` with a fresh id, from a page load of its own (unless `extra` says otherwise). */
export function submission(
  functionKey: string,
  args: unknown[],
  extra: Partial<JobSubmission> = {},
): JobSubmission {
  const id = randomBytes(16).toString('base64url');
  return {
    id,
    functionKey,
    args,
    context: emptyContext,
    owner: { endId: `end-${id}`, callbackId: 'test.children', outputsKey: 'test.children' },
    ...extra,
  };
}
