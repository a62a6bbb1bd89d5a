/**
 * The monitor page: a small dash-ts app of its own (our renderer and components), served under
 * the monitor's path so the user's app keeps its layout, callbacks and dependencies untouched.
 * A dcc.Interval refreshes the tables from the view; a cancel button per queued or running job
 * cancels it through Manager.cancel, the path a user's cancel takes.
 */

import type { CallbackSpec } from '../../background/callback-spec.ts';
import { RECORDED_OUTCOMES } from '../../background/records.ts';
import type { Logger } from '../../base/log.ts';
import { ALL, Input, Output, State } from '../../callbacks/dependencies.ts';
import { noUpdate } from '../../callbacks/no-update.ts';
import type { CallbackContext, CallbackFunction } from '../../callbacks/spec.ts';
import { type Component, dcc, html } from '../../components/index.ts';
import type { Layout } from '../layout.ts';
import type { DashOptions } from '../options.ts';
import type { CallbackView, JobView, MonitorView, Percentiles, WorkerView } from './view.ts';

/**
 * What the page uses of the dash-ts app it is built as (a Dash). Declared here rather than
 * imported, so dash.ts (which loads the monitor) and the monitor do not import each other.
 */
export interface MonitorPageApp {
  layout: Layout | undefined;
  callback(spec: CallbackSpec, fn: CallbackFunction): void;
  fetch(request: Request): Promise<Response>;
}

export interface MonitorPageOptions {
  /** Where the page's routes live and what the browser requests (both end in `/`). */
  routesPrefix: string;
  requestsPrefix: string;
  logger: Logger;
  refreshMs: number;
  /** `new Dash(options)`, passed in so this module does not import the app it is part of. */
  makeApp(options: DashOptions): MonitorPageApp;
  view(): Promise<MonitorView>;
  /** Cancels a job; false when no manager knew it. */
  cancel(jobId: string): Promise<boolean>;
}

const CANCEL_BUTTON = 'dash-ts-monitor-cancel';
const OUTCOME_LABELS: Record<(typeof RECORDED_OUTCOMES)[number], string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  lost: 'lost',
  cancelled: 'cancelled',
  'timed-out': 'timed out',
  superseded: 'superseded',
};

const TABLE = { borderCollapse: 'collapse', margin: '0.5em 0 1.5em', fontSize: '14px' };
const CELL = { border: '1px solid #ccc', padding: '3px 8px', textAlign: 'left', verticalAlign: 'top' };

export function createMonitorPage(o: MonitorPageOptions): MonitorPageApp {
  const page = o.makeApp({
    title: 'Jobs monitor',
    logger: o.logger,
    updateTitle: null,
    // The user's app has its own; the page needs neither.
    hotReload: false,
    healthEndpoint: null,
    // The operator is known by the token: no anonymous session cookie under the monitor's path.
    identify: () => undefined,
    ...(o.routesPrefix === o.requestsPrefix
      ? { urlBasePathname: o.routesPrefix }
      : { routesPathnamePrefix: o.routesPrefix, requestsPathnamePrefix: o.requestsPrefix }),
  });
  page.layout = html.Div({
    style: { fontFamily: 'system-ui, sans-serif', margin: '1em 2em' },
    children: [
      html.H1({ children: 'Background jobs' }),
      html.P({ id: 'summary', children: 'Loading…' }),
      dcc.Interval({ id: 'refresh', interval: o.refreshMs, n_intervals: 0 }),
      dcc.Store({ id: 'active-shown' }),
      html.Div({ id: 'cancel-status', role: 'status' }),
      html.H2({ children: 'Callbacks' }),
      html.Div({ id: 'callbacks' }),
      html.H2({ children: 'Running and waiting' }),
      html.Div({ id: 'active' }),
      html.H2({ children: 'Workers' }),
      html.Div({ id: 'workers' }),
      html.H2({ children: 'Latest failures' }),
      html.Div({ id: 'failures' }),
    ],
  });

  page.callback(
    {
      output: [
        ...['summary', 'callbacks', 'active', 'workers', 'failures'].map((id) => Output(id, 'children')),
        Output('active-shown', 'data'),
      ],
      inputs: [Input('refresh', 'n_intervals'), State('active-shown', 'data')],
    },
    async (_n: unknown, shown: unknown) => {
      const view = await o.view();
      // The running and waiting table is redrawn only when it changes, so a Cancel button is
      // never replaced (its clicks reset) under the operator's pointer.
      const active = JSON.stringify(view.active.map((j) => [j.id, j.state, j.attempts, j.worker]));
      const changed = active !== shown;
      return [
        summary(view),
        callbackTable(view.callbacks),
        changed ? activeTable(view.active) : noUpdate,
        workerTable(view),
        failureList(view),
        changed ? active : noUpdate,
      ];
    },
  );

  page.callback(
    {
      output: Output('cancel-status', 'children'),
      inputs: [Input({ type: CANCEL_BUTTON, job: ALL }, 'n_clicks')],
      preventInitialCall: true,
    },
    async (_clicks: unknown, ctx: CallbackContext) => {
      // Buttons appearing with a refresh trigger this too: only a click (n_clicks > 0) cancels.
      const clicked = ctx.triggered.find((t) => typeof t.value === 'number' && t.value > 0);
      const id = clicked ? ctx.triggeredPropIds[clicked.prop_id] : undefined;
      const jobId = typeof id === 'object' && id !== null ? id.job : undefined;
      if (typeof jobId !== 'string') return noUpdate;
      const known = await o.cancel(jobId);
      return known ? `Cancelled job ${jobId}.` : `Job ${jobId} is no longer known.`;
    },
  );
  return page;
}

function summary(view: MonitorView): string {
  const hours = view.windowSeconds / 3600;
  const window = hours >= 1 ? `${Number(hours.toFixed(1))} h` : `${Math.round(view.windowSeconds / 60)} min`;
  const alive = view.workers.filter((w) => w.status === 'alive').length;
  return `${view.totals.queued} queued, ${view.totals.running} running, ${alive} worker(s) alive; counts cover the last ${window}. Updated ${view.generatedAt}.`;
}

function table(headers: string[], rows: (string | number | Component)[][], empty: string): Component {
  if (rows.length === 0) return html.P({ children: empty });
  return html.Table({
    style: TABLE,
    children: [
      html.Thead({
        children: html.Tr({ children: headers.map((h) => html.Th({ style: CELL, children: h })) }),
      }),
      html.Tbody({
        children: rows.map((cells) =>
          html.Tr({ children: cells.map((cell) => html.Td({ style: CELL, children: cell })) }),
        ),
      }),
    ],
  });
}

function seconds(p: Percentiles | null, which: keyof Percentiles): string {
  return p ? `${p[which].toFixed(3)} s` : '–';
}

function callbackTable(callbacks: CallbackView[]): Component {
  return table(
    [
      'callback',
      'queued',
      'running',
      ...RECORDED_OUTCOMES.map((o) => OUTCOME_LABELS[o]),
      'run p50',
      'run p95',
      'wait p50',
      'wait p95',
    ],
    callbacks.map((c) => [
      c.callbackId,
      c.queued,
      c.running,
      ...RECORDED_OUTCOMES.map((o) => c.finished[o]),
      seconds(c.runSeconds, 'p50'),
      seconds(c.runSeconds, 'p95'),
      seconds(c.waitSeconds, 'p50'),
      seconds(c.waitSeconds, 'p95'),
    ]),
    'No background jobs in the window.',
  );
}

function activeTable(jobs: JobView[]): Component {
  return table(
    ['job', 'callback', 'state', 'user', 'page', 'attempts', 'worker', 'queued at', 'started at', ''],
    jobs.map((job) => [
      job.id,
      job.callbackId,
      job.state,
      job.user ?? '–',
      job.page,
      job.attempts,
      job.worker ?? '',
      job.queuedAt,
      job.startedAt ?? '',
      html.Button({ id: { type: CANCEL_BUTTON, job: job.id }, n_clicks: 0, children: 'Cancel' }),
    ]),
    'Nothing is running or waiting.',
  );
}

const WORKER_KIND_LABELS: Record<WorkerView['kind'], string> = {
  pool: 'pool process',
  worker: 'dash-ts worker',
  'in-process': 'server process (InProcessManager)',
};

function workerTable(view: MonitorView): Component {
  return table(
    ['worker', 'kind', 'host', 'pid', 'status', 'last heartbeat', 'running jobs', 'exit'],
    view.workers.map((w) => [
      w.id,
      WORKER_KIND_LABELS[w.kind],
      w.host,
      w.pid,
      w.status === 'presumed-dead' ? 'presumed dead' : w.status,
      w.lastHeartbeat,
      w.runningJobs.join(' ') || '–',
      w.exit ?? '',
    ]),
    'No worker has reported in the window.',
  );
}

function failureList(view: MonitorView): Component {
  if (view.failures.length === 0) return html.P({ children: 'No failures in the window.' });
  return html.Div({
    children: view.failures.map((f) =>
      html.Details({
        className: 'failure',
        children: [
          html.Summary({
            children: `${f.finishedAt ?? f.queuedAt} · ${f.callbackId} · ${OUTCOME_LABELS[f.outcome ?? 'failed']} · job ${f.id} (attempt ${f.attempts})${f.user === undefined ? '' : ` · user ${f.user}`}: ${f.message}`,
          }),
          html.Pre({ style: { whiteSpace: 'pre-wrap', fontSize: '12px' }, children: f.stack ?? f.message }),
        ],
      }),
    ),
  });
}
