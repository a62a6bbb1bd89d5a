/**
 * The background e2e checklist (progress and cancel: items 3, 4, 9, 10, 14, 16, 17, 19 and 20; the
 * suite is test/e2e/checklist/progress.ts) against SqliteManager: each fixture's jobs run in
 * worker processes of its manager in this server process. The same suite runs against
 * BullMQManager in background-progress-bullmq.test.ts.
 */
import { backgroundProgressSuite } from './checklist/progress.ts';

await backgroundProgressSuite('sqlite');
