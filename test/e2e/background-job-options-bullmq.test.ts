/**
 * The job options (timeout, retry, queue status, fair turns; the suite is
 * test/e2e/checklist/job-options.ts) in Chromium against BullMQManager: one server, a private
 * redis-server and two `dash-ts worker` processes. The same suite runs against SqliteManager in
 * background-job-options.test.ts.
 */
import { jobOptionsSuite } from './checklist/job-options.ts';

await jobOptionsSuite('bullmq');
