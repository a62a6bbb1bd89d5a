/**
 * The background e2e checklist (errors: items 8 and 18, and a job whose process dies; the suite is
 * test/e2e/checklist/errors.ts) against SqliteManager: each fixture's jobs run in worker processes
 * of its manager in this server process. The same suite runs against BullMQManager in background-
 * errors-bullmq.test.ts.
 */
import { backgroundErrorsSuite } from './checklist/errors.ts';

await backgroundErrorsSuite('sqlite');
