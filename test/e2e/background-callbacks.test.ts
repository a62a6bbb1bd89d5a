/**
 * The background e2e checklist (items 1, 2, 5-7, 11-13, 15 and 21; the suite is
 * test/e2e/checklist/callbacks.ts) against SqliteManager: each fixture's jobs run in worker
 * processes of its manager in this server process. The same suite runs against BullMQManager in
 * background-callbacks-bullmq.test.ts.
 */
import { backgroundCallbacksSuite } from './checklist/callbacks.ts';

await backgroundCallbacksSuite('sqlite');
