/**
 * The job options (timeout, retry, queue status, fair turns; the suite is
 * test/e2e/checklist/job-options.ts) in Chromium against SqliteManager. The same suite runs
 * against BullMQManager in background-job-options-bullmq.test.ts.
 */
import { jobOptionsSuite } from './checklist/job-options.ts';

await jobOptionsSuite('sqlite');
