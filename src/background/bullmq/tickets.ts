/**
 * BullMQ jobs are tickets: one gets a worker to run one try of whichever job is first in our own
 * start order (lua/begin.lua). A job's first try has the ticket named after the job (so a
 * repeated submit adds none, and cancel can remove it); each later try (a retry) gets its own,
 * delayed by the try's backoff.
 */
import type { Queue } from 'bullmq';

/** What a ticket carries: nothing (the job's data lives in our own keys). */
export type TicketData = Record<string, never>;

export type TicketQueue = Queue<TicketData, void>;

export async function addFirstTicket(queue: TicketQueue, jobId: string, name: string): Promise<void> {
  await queue.add(name, {}, { jobId, removeOnComplete: true, removeOnFail: true });
}

export async function addRetryTicket(
  queue: TicketQueue,
  jobId: string,
  attempt: number,
  delayMs: number,
): Promise<void> {
  await queue.add(
    'retry',
    {},
    { jobId: `${jobId}-try${attempt}`, delay: delayMs, removeOnComplete: true, removeOnFail: true },
  );
}
