/**
 * A page that stops polling ends its ordinary stream: the server's InProcessManager for ordinary
 * streams cancels a job whose updates nobody has read for abandonUnreadMs, and the generator's
 * finally runs. A job that is read keeps running.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InProcessManager } from '../../src/background/in-process/index.ts';
import { consoleLogger } from '../../src/base/log.ts';
import { jobs } from '../apps/jobs-app.ts';
import { emptyContext, submission } from '../support/submission.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-abandon-'));
const manager = new InProcessManager({}, { abandonUnreadMs: 600 });
after(async () => {
  await manager.close();
  rmSync(dir, { recursive: true, force: true });
});

it('ends a stream nobody reads any more (its finally runs), and keeps one that is read', async () => {
  await manager.start({ appModule: undefined, logger: consoleLogger });
  const context = { ...emptyContext, outputsList: { id: 'stream-endless', property: 'children' } };
  const leftLog = join(dir, 'left.log');
  const watchedLog = join(dir, 'watched.log');
  const left = submission(jobs.streamEndless, [leftLog], { context });
  const watched = submission(jobs.streamEndless, [watchedLog], { context });
  await manager.submit(left);
  await manager.submit(watched);
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    // Only `watched` is polled, every 100 ms, as a live page does.
    await manager.takeUpdate(watched.id, 100);
  }
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  assert.equal(read(leftLog), 'finally\n', 'the abandoned stream was not ended');
  assert.equal((await manager.takeUpdate(left.id, 0)).outcome, undefined);
  assert.equal(read(watchedLog), '', 'the watched stream was ended');
  assert.equal((await manager.takeUpdate(watched.id, 0)).state, 'running');
  await manager.cancel(watched.id);
  await sleep(200);
  assert.equal(read(watchedLog), 'finally\n');
});
