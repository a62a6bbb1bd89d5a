/**
 * Fair turns on several slots, as issue 16 found them broken: two `dash-ts worker --concurrency 4`
 * processes (8 slots) on one Redis and a real `dash-ts run` server; page load A starts 16 jobs of
 * 1.5 s at once (16 callbacks, so none supersedes another), then page load B starts one. B's job
 * must start within the next 8 starts after it was queued (first come, first served makes it the
 * 9th: all 8 of A's waiting jobs first). Prints, per run, how many of A's jobs started between B's
 * start request and B's start. This module is also the app (server and workers import it).
 *
 *   node --import tsx bench/fairness-slots.ts        RUNS=3
 */
import { fileURLToPath } from 'node:url';
import { BullMQManager, Dash, html, Input, Output } from '../src/index.ts';

const JOB_MS = 1500;
const A_JOBS = 16;
const redisUrl = process.env.FAIRNESS_REDIS;

export const app = new Dash({
  title: 'fair turns on several slots',
  backgroundManager: redisUrl
    ? new BullMQManager({ connection: redisUrl, queueName: 'fairness-slots' })
    : undefined,
});
app.layout = html.Div({ id: 'root' });
for (let i = 0; i < A_JOBS; i++) {
  app.callback(
    {
      background: true,
      output: Output(`job-${i}`, 'children'),
      inputs: [Input(`job-${i}-in`, 'value')],
      interval: 100,
    },
    async () => {
      const startedAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, JOB_MS));
      return startedAt;
    },
  );
}

async function main(): Promise<void> {
  const { startRedis } = await import('../test/support/redis.ts');
  const { startDashWorker } = await import('../test/support/dash-worker.ts');
  const { newTab, startServer, stopProcess } = await import('./client.ts');
  const redis = await startRedis();
  const env = { FAIRNESS_REDIS: redis.url };
  const module = fileURLToPath(import.meta.url);
  const workers = await Promise.all(
    [1, 2].map(() => startDashWorker(module, env, ['--concurrency', '4'], { startTimeoutMs: 180_000 })),
  );
  const server = await startServer(env, ['bin/dash-ts.js', 'run', module, '--port', '0']);
  const body = (i: number, value: unknown) =>
    JSON.stringify({
      output: `job-${i}.children`,
      outputs: { id: `job-${i}`, property: 'children' },
      inputs: [{ id: `job-${i}-in`, property: 'value', value }],
      changedPropIds: [`job-${i}-in.value`],
    });
  /**
   * One call as the renderer makes it: the start (resolves `queued` once answered: its job is
   * queued), then polls until the result, the job's start time.
   */
  function call(
    endId: string,
    i: number,
    value: string,
  ): { queued: Promise<void>; started: Promise<number> } {
    const url = `${server.url}/_dash-update-component?endId=${endId}`;
    const post = (query: string, text: string) =>
      fetch(`${url}${query}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: text,
      });
    const first = post('', body(i, value)).then((res) => res.json() as Promise<Record<string, unknown>>);
    const started = (async () => {
      let answer = await first;
      const { cacheKey, job } = answer as { cacheKey: string; job: string };
      for (;;) {
        const response = answer.response as Record<string, { children: number }> | undefined;
        if (response) return response[`job-${i}`]!.children;
        await new Promise((resolve) => setTimeout(resolve, 100));
        const res = await post(`&cacheKey=${cacheKey}&job=${job}`, body(i, null));
        if (res.status !== 200) throw new Error(`poll answered ${res.status}`);
        answer = (await res.json()) as Record<string, unknown>;
      }
    })();
    return { queued: first.then(() => {}), started };
  }
  try {
    const runs = Number(process.env.RUNS ?? 3);
    for (let run = 1; run <= runs; run++) {
      const [a, b] = [await newTab(server), await newTab(server)];
      const aCalls = Array.from({ length: A_JOBS }, (_, i) => call(a.endId, i, `a-${run}-${i}`));
      // All of A's jobs are queued before B's (a start is answered once its job is queued).
      await Promise.all(aCalls.map((c) => c.queued));
      const bQueuedAt = Date.now();
      const bStart = await call(b.endId, 0, `b-${run}`).started;
      const starts = await Promise.all(aCalls.map((c) => c.started));
      const ahead = starts.filter((at) => at > bQueuedAt && at < bStart).length;
      console.log(
        `run ${run}: B started ${bStart - bQueuedAt} ms after its request; A's jobs started between: ${ahead} ` +
          `(target ≤ 8 with 8 slots; FIFO makes it 8 with B 9th): ${ahead < 8 ? 'fair' : 'NOT fair'}; load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`,
      );
    }
  } finally {
    await stopProcess(server.process);
    await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
    await redis.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
