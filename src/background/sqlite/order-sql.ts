/**
 * The start order's SQL expressions, shared by the claim (user-lines.ts), a waiting job's place
 * (queue-order.ts) and the schema's index (schema.ts); see ../job-options/fairness.ts and
 * ../job-options/user-lines.ts for what they mean.
 */

/** The start order of waiting jobs (fairness.ts). */
export const START_ORDER = 'priority DESC, fair_tag, seq';

/** A job's limit of running jobs per user, or NULL. */
export const LIMIT_SQL = `json_extract(policy, '$.maxConcurrentPerUser')`;

/** A job's user line (userLine() in job-options/user-lines.ts, in SQL), or NULL when it has no limit. */
export const LINE_SQL = `CASE WHEN ${LIMIT_SQL} IS NULL THEN NULL ELSE function_key || char(10) ||
  coalesce('user:' || json_extract(owner, '$.user'), 'page:' || json_extract(owner, '$.endId')) END`;
