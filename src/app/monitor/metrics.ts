/**
 * `<path>/metrics`: Prometheus text, built with prom-client from the shared store on every scrape,
 * so each server process answers with the same numbers. The counters and histograms are the
 * store's running totals (they only grow while the store lives); the gauges come from the view.
 */
import { Counter, Gauge, type Metric, Registry } from 'prom-client';
import {
  DURATION_BUCKETS_SECONDS,
  type DurationMetric,
  RECORDED_OUTCOMES,
  type RecordTotals,
} from '../../background/records.ts';
import type { MonitorView } from './view.ts';

const HISTOGRAMS: Record<DurationMetric, { name: string; help: string }> = {
  run: { name: 'dash_ts_job_run_seconds', help: 'Run time of background jobs (start to end), per callback' },
  wait: {
    name: 'dash_ts_job_wait_seconds',
    help: 'Wait time of background jobs (queued to started), per callback',
  },
};

export async function metricsText(totals: RecordTotals[], view: MonitorView): Promise<string> {
  const registry = new Registry();
  const finished = new Counter({
    name: 'dash_ts_jobs_finished_total',
    help: 'Background jobs finished, by callback and outcome',
    labelNames: ['callback', 'outcome'],
    registers: [registry],
  });
  const counted = new Set(totals.flatMap((t) => t.finished.map((f) => f.callbackId)));
  for (const callback of counted) {
    for (const outcome of RECORDED_OUTCOMES) finished.inc({ callback, outcome }, 0);
  }
  for (const t of totals.flatMap((t) => t.finished)) {
    finished.inc({ callback: t.callbackId, outcome: t.outcome }, t.count);
  }

  const queued = gauge(registry, 'dash_ts_jobs_queued', 'Background jobs waiting for a worker, per callback');
  const running = gauge(registry, 'dash_ts_jobs_running', 'Background jobs running now, per callback');
  for (const c of view.callbacks) {
    queued.set({ callback: c.callbackId }, c.queued);
    running.set({ callback: c.callbackId }, c.running);
  }
  const workers = new Gauge({
    name: 'dash_ts_workers_alive',
    help: 'Worker processes (pool processes and dash-ts workers) with a recent heartbeat',
    registers: [registry],
  });
  workers.set(view.workers.filter((w) => w.status === 'alive').length);

  for (const metric of ['wait', 'run'] as const) {
    const entries = totals.flatMap((t) => t.durations).filter((d) => d.metric === metric);
    registry.registerMetric(storedHistogram(HISTOGRAMS[metric].name, HISTOGRAMS[metric].help, entries));
  }
  return registry.metrics();
}

function gauge(registry: Registry, name: string, help: string): Gauge<'callback'> {
  return new Gauge({ name, help, labelNames: ['callback'], registers: [registry] });
}

/**
 * A histogram whose buckets were counted elsewhere (in the store): prom-client's Histogram only
 * counts observations of this process, so this metric hands the registry the stored values in
 * the shape its Histogram would (`_bucket` with cumulative `le`, `_sum`, `_count`).
 */
function storedHistogram(name: string, help: string, entries: RecordTotals['durations']): Metric {
  const bounds = [...DURATION_BUCKETS_SECONDS.map(String), '+Inf'];
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    collect: () => {},
    get: async () => ({
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      values: entries.flatMap((entry) => {
        let cumulative = 0;
        const buckets = bounds.map((le, i) => {
          cumulative += entry.buckets[i] ?? 0;
          return {
            metricName: `${name}_bucket`,
            labels: { callback: entry.callbackId, le },
            value: cumulative,
          };
        });
        return [
          ...buckets,
          { metricName: `${name}_sum`, labels: { callback: entry.callbackId }, value: entry.sumMs / 1000 },
          { metricName: `${name}_count`, labels: { callback: entry.callbackId }, value: cumulative },
        ];
      }),
    }),
  };
  return metric as unknown as Metric;
}
