/**
 * A hard stop touches only its own job (issue 20), as part of the Manager contract: two jobs
 * share a worker; one ignores its signal (a busy loop) and is cancelled, timed out or
 * superseded, so it has to be hard-stopped; the other finishes once, with one start recorded,
 * on the process it started on, and its result arrives; and the stopped job's slot is free
 * again. With `concurrency` 1 (two workers of one slot) and 4 (one worker of four slots), on a
 * quiet machine and under CPU load (three busy-loop processes beside the workers).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_POLICY } from '../../src/background/job-options/policy.ts';
import type { Manager } from '../../src/background/manager.ts';
import { jobs } from '../apps/jobs-app.ts';
import { cpuFreed, drain, hasProc, runningPid, submission } from './manager-contract.ts';

export interface HardStopFixture {
  /** A started manager whose workers run test/apps/jobs-app.ts: two slots on one worker when
   * `concurrency` > 1, else two workers of one slot each. */
  manager: Manager;
  cleanup(): Promise<void>;
}

const TIMEOUT_SECONDS = 1;
/** Generous: under CPU load a replacement process takes seconds to import the app. */
const START_WITHIN_MS = 60_000;
const STOPS = ['cancel', 'timeout', 'supersede'] as const;

export function hardStopContract(
  name: string,
  makeFixture: (concurrency: number) => Promise<HardStopFixture>,
): void {
  for (const concurrency of [1, 4]) {
    for (const loaded of [false, true]) {
      describe(`Hard stop: ${name}, concurrency ${concurrency}, ${loaded ? 'under CPU load' : 'quiet'}`, {
        timeout: 180_000,
      }, () => {
        let fixture: HardStopFixture;
        let dir: string;
        const burners: ChildProcess[] = [];

        before(async () => {
          fixture = await makeFixture(concurrency);
          dir = mkdtempSync(join(tmpdir(), 'dash-ts-hard-stop-'));
          // Started once the workers run: what is measured is the jobs, not the workers' start.
          if (loaded) for (let i = 0; i < 3; i++) burners.push(spawn(process.execPath, ['-e', 'for(;;){}']));
        });
        after(async () => {
          for (const burner of burners) burner.kill('SIGKILL');
          await fixture?.cleanup();
          if (dir) rmSync(dir, { recursive: true, force: true });
        });

        for (const stop of STOPS) {
          it(`${stop}: the stopped job's neighbour on the same worker finishes once, undisturbed; the slot is free again`, async (t) => {
            const { manager } = fixture;
            const log = join(dir, `${stop}.log`);
            const release = join(dir, `${stop}.release`);
            const token = `neighbour-${stop}`;
            // It works until the test releases it: it is running whenever the other job is stopped.
            const neighbour = submission(jobs.recordUntil, [log, token, release]);
            await manager.submit(neighbour);
            const neighbourPid = await runningPid(manager, neighbour.id, START_WITHIN_MS);
            const stuck = submission(
              jobs.busy,
              [60_000],
              stop === 'timeout' ? { policy: { ...DEFAULT_POLICY, timeoutSeconds: TIMEOUT_SECONDS } } : {},
            );
            await manager.submit(stuck);
            const stuckPid = await runningPid(manager, stuck.id, START_WITHIN_MS);
            if (stop !== 'timeout') await manager.cancel(stuck.id, stop);

            const stopped = await drain(manager, stuck.id, { timeoutMs: 20_000 });
            if (stop === 'timeout') {
              assert.equal(stopped.outcome?.kind, 'timed-out', JSON.stringify(stopped.outcome));
            } else {
              assert.equal(stopped.outcome, undefined, JSON.stringify(stopped.outcome));
            }
            const stoppedAt = Date.now();
            if (hasProc) await cpuFreed(stuckPid);

            // The slot is free again: a job that needs it runs while the neighbour still works.
            const next = submission(jobs.echo, ['slot free']);
            await manager.submit(next);
            assert.deepEqual((await drain(manager, next.id, { timeoutMs: START_WITHIN_MS })).outcome, {
              kind: 'result',
              value: 'slot free',
            });
            t.diagnostic(
              `the stopped job's slot ran another job ${Date.now() - stoppedAt} ms after the stop`,
            );

            assert.deepEqual(lines(log), [`start ${token}`], 'the neighbour was stopped or restarted');
            writeFileSync(release, '');
            const finished = await drain(manager, neighbour.id, { timeoutMs: 20_000 });
            assert.deepEqual(finished.outcome, { kind: 'result', value: token });
            assert.deepEqual(
              lines(log),
              [`start ${token}`, `end ${token}`],
              'the neighbour started more than once',
            );
            // A restart would report a new pid: the neighbour reported its pid once, at its only start.
            assert.deepEqual(
              finished.sideUpdates.filter((update) => update.id === 'pid'),
              [],
              `the neighbour reported a pid again (it restarted): ${JSON.stringify(finished.sideUpdates)}`,
            );
            assert.notEqual(neighbourPid, stuckPid, 'the two jobs ran in the same process');
          });
        }
      });
    }
  }
}

function lines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
