/**
 * What the jobs monitor's recording costs: trivial jobs/s at 32 clients with `jobsMonitor` off
 * and on (bench/app.ts sets it when BENCH_MONITOR is set), each on a fresh server and store,
 * alternating off/on for several rounds so that a shared machine's swings hit both alike. The
 * target: recording costs at most 5 % of jobs/s. Run by bench/run.ts after its other figures
 * (`BENCH_MAIN=0 BENCH_FAIRNESS=0 BENCH_PACKAGE=0 npm run bench` runs only this part;
 * BENCH_MONITOR_COST=0 skips it).
 */

export interface CostHooks<Setup> {
  start(): Promise<Setup>;
  close(setup: Setup): Promise<void>;
  /** Trivial jobs per second through this setup. */
  jobsPerSecond(setup: Setup): Promise<number>;
}

const ROUNDS = Number(process.env.BENCH_MONITOR_ROUNDS ?? 3);

async function rate<Setup>(hooks: CostHooks<Setup>, monitor: boolean): Promise<number> {
  if (monitor) process.env.BENCH_MONITOR = '1';
  else delete process.env.BENCH_MONITOR;
  try {
    const setup = await hooks.start();
    try {
      return await hooks.jobsPerSecond(setup);
    } finally {
      await hooks.close(setup);
    }
  } finally {
    delete process.env.BENCH_MONITOR;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Measures one manager; returns its table row. */
export async function monitorCostRow<Setup>(title: string, hooks: CostHooks<Setup>): Promise<string> {
  const off: number[] = [];
  const on: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so a trend in the machine's load does not favour one side.
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const monitor of order) (monitor ? on : off).push(await rate(hooks, monitor));
  }
  const cost = (1 - median(on) / median(off)) * 100;
  const list = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
  return `| ${title} | ${median(off).toFixed(0)} /s (${list(off)}) | ${median(on).toFixed(0)} /s (${list(on)}) | ${cost.toFixed(1)} % |`;
}

export function printMonitorCost(rows: string[]): void {
  console.log(
    `\nJobs monitor recording cost: trivial jobs/s at 32 clients, jobsMonitor off and on, median of ${ROUNDS} fresh servers each (all runs in brackets), alternating. Target: at most 5 %.\n`,
  );
  console.log('| manager | monitor off | monitor on (recording) | cost |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(row);
}
