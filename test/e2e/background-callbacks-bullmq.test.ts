/**
 * The background e2e checklist (items 1, 2, 5-7, 11-13, 15 and 21; the suite is
 * test/e2e/checklist/callbacks.ts) against BullMQManager: one server (this process), a private
 * redis-server, and per fixture app two separate `dash-ts worker` processes that share nothing
 * with the server but Redis (see checklist/backend.ts). The same suite runs against SqliteManager
 * in background-callbacks.test.ts.
 */
import { backgroundCallbacksSuite } from './checklist/callbacks.ts';

await backgroundCallbacksSuite('bullmq');
