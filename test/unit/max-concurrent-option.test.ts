/**
 * `maxConcurrent: { perUser }` as a callback defines it: checked once, at definition, with the
 * option's name in the message; carried in the JobPolicy every manager runs the job with
 * (JobPolicy.maxConcurrentPerUser; what the managers do with it is the conformance suite's,
 * test/conformance/per-user-limits.ts). Also the user line it groups jobs by.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backgroundDefinitions } from '../../src/background/callback-spec.ts';
import { DEFAULT_POLICY, policyFromSpec } from '../../src/background/job-options/policy.ts';
import { userLine } from '../../src/background/job-options/user-lines.ts';
import { CallbackDefinitionError } from '../../src/base/errors.ts';

describe('maxConcurrent.perUser', () => {
  it('travels in the policy as maxConcurrentPerUser; absent or without perUser, there is no limit', () => {
    assert.equal(policyFromSpec({ maxConcurrent: { perUser: 2 } }).maxConcurrentPerUser, 2);
    assert.equal(policyFromSpec({}).maxConcurrentPerUser, undefined);
    assert.equal(policyFromSpec({ maxConcurrent: {} }).maxConcurrentPerUser, undefined);
    assert.deepEqual(policyFromSpec({}), DEFAULT_POLICY);
  });

  it('refuses a limit that is not a whole number ≥ 1, or an unknown key, naming the option', () => {
    for (const perUser of [0, -1, 1.5, Number.NaN, '2'] as unknown as number[]) {
      assert.throws(
        () => policyFromSpec({ maxConcurrent: { perUser } }),
        (error: Error) =>
          error instanceof CallbackDefinitionError &&
          /maxConcurrent\.perUser must be a whole number ≥ 1/.test(error.message),
      );
    }
    assert.throws(
      () => policyFromSpec({ maxConcurrent: { perPage: 1 } as never }),
      /maxConcurrent takes only perUser/,
    );
    assert.throws(
      () => policyFromSpec({ maxConcurrent: 3 as never }),
      /maxConcurrent must be \{ perUser\?: number \}/,
    );
  });

  it('applies only to background callbacks', () => {
    assert.throws(
      () => backgroundDefinitions.normalise({ maxConcurrent: { perUser: 1 } } as never, () => 1),
      /maxConcurrent only apply to background callbacks/,
    );
  });

  it('groups jobs by function and user, else by page load', () => {
    assert.equal(userLine('f', { user: 'ann', endId: 'p1' }), 'f\nuser:ann');
    assert.equal(userLine('f', { user: 'ann', endId: 'p2' }), userLine('f', { user: 'ann', endId: 'p1' }));
    assert.equal(userLine('f', { endId: 'p1' }), 'f\npage:p1');
    assert.notEqual(userLine('g', { user: 'ann', endId: 'p1' }), userLine('f', { user: 'ann', endId: 'p1' }));
  });
});
