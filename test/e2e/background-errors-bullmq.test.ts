/**
 * The background e2e checklist (errors: items 8 and 18, and a job whose process dies; the suite is
 * test/e2e/checklist/errors.ts) against BullMQManager: one server (this process), a private redis-
 * server, and per fixture app two separate `dash-ts worker` processes that share nothing with the
 * server but Redis (see checklist/backend.ts). The same suite runs against SqliteManager in
 * background-errors.test.ts.
 */
import { backgroundErrorsSuite } from './checklist/errors.ts';

await backgroundErrorsSuite('bullmq');
