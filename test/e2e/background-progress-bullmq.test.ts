/**
 * The background e2e checklist (progress and cancel: items 3, 4, 9, 10, 14, 16, 17, 19 and 20; the
 * suite is test/e2e/checklist/progress.ts) against BullMQManager: one server (this process), a
 * private redis-server, and per fixture app two separate `dash-ts worker` processes that share
 * nothing with the server but Redis (see checklist/backend.ts). The same suite runs against
 * SqliteManager in background-progress.test.ts.
 */
import { backgroundProgressSuite } from './checklist/progress.ts';

await backgroundProgressSuite('bullmq');
