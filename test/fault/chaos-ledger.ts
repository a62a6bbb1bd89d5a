/**
 * The chaos tests' ledger: a few hundred jobs with unique inputs, each appending `start <token>`
 * and `end <token>` to one file (jobs-app.ts `record-slow`), and a check that every job ended
 * exactly once with its own result or a visible error, that none hung, and that none ran twice.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { JobOutcome, JobSubmission, Manager } from '../../src/background/manager.ts';
import { jobs } from '../apps/jobs-app.ts';
import { drain, submission } from '../conformance/manager-contract.ts';

export interface ChaosJob {
  job: JobSubmission;
  token: string;
}

export function chaosJobs(file: string, count: number): ChaosJob[] {
  return Array.from({ length: count }, (_, i) => {
    const token = `t${i}-${randomBytes(4).toString('hex')}`;
    // 20-200 ms of work: long enough for a kill to land mid-job now and then.
    return { token, job: submission(jobs.recordSlow, [file, token, 20 + ((i * 37) % 180)]) };
  });
}

export interface LedgerSummary {
  results: number;
  errors: number;
  /** The visible errors, grouped by message. */
  errorMessages: Record<string, number>;
}

/** Drains every job (all at once) within `withinMs` and checks the ledger. */
export async function settleAndCheck(
  manager: Manager,
  submitted: ChaosJob[],
  file: string,
  withinMs: number,
): Promise<LedgerSummary> {
  const outcomes = await Promise.all(
    submitted.map(async ({ job }) => {
      try {
        return (await drain(manager, job.id, { timeoutMs: withinMs })).outcome;
      } catch (error) {
        return { hung: (error as Error).message };
      }
    }),
  );
  const starts = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('start ')) starts.set(line.slice(6), (starts.get(line.slice(6)) ?? 0) + 1);
  }
  const summary: LedgerSummary = { results: 0, errors: 0, errorMessages: {} };
  const problems: string[] = [];
  submitted.forEach(({ token }, i) => {
    const outcome = outcomes[i] as JobOutcome | { hung: string } | undefined;
    const ran = starts.get(token) ?? 0;
    if (ran > 1) problems.push(`${token} ran ${ran} times`);
    if (outcome === undefined) problems.push(`${token} ended with no outcome`);
    else if ('hung' in outcome) problems.push(`${token} hung: ${outcome.hung}`);
    else if (outcome.kind === 'result') {
      if (outcome.value !== token) problems.push(`${token} got ${JSON.stringify(outcome.value)}`);
      else if (ran !== 1) problems.push(`${token} has a result but ran ${ran} times`);
      else summary.results++;
    } else if (outcome.kind === 'lost' || outcome.kind === 'error') {
      assert.ok(outcome.message.length > 0);
      summary.errors++;
      summary.errorMessages[outcome.message] = (summary.errorMessages[outcome.message] ?? 0) + 1;
    } else problems.push(`${token} ended ${JSON.stringify(outcome)}`);
  });
  assert.deepEqual(problems, [], `${problems.length} of ${submitted.length} jobs broke the ledger`);
  // Every job read its outcome exactly once: a second read knows nothing of it.
  for (const { job } of submitted.slice(0, 20)) {
    assert.equal((await manager.takeUpdate(job.id, 0)).state, 'unknown');
  }
  return summary;
}

/** Waits a random time in [minMs, maxMs). */
export function randomPause(minMs: number, maxMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, minMs + Math.random() * (maxMs - minMs)));
}
