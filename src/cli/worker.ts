/**
 * `dash-ts worker <app-module> [--concurrency N]`: runs the background jobs of an app whose
 * managers have remote workers (Manager.startRemoteWorker; BullMQManager has them). It imports
 * the app module in worker mode (a module-level `app.run()` serves nothing), finds the app's
 * managers (the app's `backgroundManager` and any callback's own `manager`), starts a remote
 * worker for each that has them, and runs until SIGTERM or SIGINT, then stops gracefully: running
 * jobs finish or go back to the queue, and the process exits.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Dash } from '../app/dash.ts';
import { setRuntimeMode } from '../app-module/runtime.ts';
import type { Manager, RunningWorker } from '../background/manager.ts';
import { loadApp, UsageError } from './app-module.ts';

/** If a graceful stop takes longer than this, the process exits anyway (a job process that hangs). */
const STOP_DEADLINE_MS = 10_000;

/** A manager whose jobs remote workers run. */
type WithRemoteWorkers = Manager & Required<Pick<Manager, 'startRemoteWorker'>>;

export async function workerCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { concurrency: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('worker takes exactly one app module');
  const concurrency = values.concurrency === undefined ? undefined : parseConcurrency(values.concurrency);
  // Before the import: the module's own app.run() must see that it runs in a worker.
  setRuntimeMode({ kind: 'worker' });
  const appModule = resolve(positionals[0]!);
  const app = await loadApp(appModule);
  const managers = appManagers(app);
  const remote = managers.filter((m): m is WithRemoteWorkers => typeof m.startRemoteWorker === 'function');
  if (remote.length === 0) throw new UsageError(noRemoteWorkers(positionals[0]!, app, managers));
  const workers: RunningWorker[] = [];
  try {
    for (const manager of remote) {
      workers.push(
        await manager.startRemoteWorker({
          appModule,
          logger: app.logger,
          concurrency,
          appName: app.options.name,
        }),
      );
    }
  } catch (error) {
    app.logger.error('the worker could not start', error);
    await Promise.allSettled(workers.map((worker) => worker.close()));
    process.exit(1);
  }
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.logger.info(`worker: ${signal}, stopping (running jobs finish or go back to the queue)`);
    setTimeout(() => {
      app.logger.error(`worker: still stopping after ${STOP_DEADLINE_MS / 1000} s; exiting anyway`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    const results = await Promise.allSettled(workers.map((worker) => worker.close()));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) app.logger.error('worker: could not stop cleanly', failed.reason);
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** Every distinct manager the app names: its `backgroundManager` and the callbacks' own. */
function appManagers(app: Dash): Manager[] {
  const candidates = [
    app.options.backgroundManager,
    ...app.registry.callbacks.map((c) => c.background?.manager),
  ];
  return [...new Set(candidates.filter((m): m is Manager => m !== undefined))];
}

/** Why there is nothing for `dash-ts worker` to run, naming the app's managers by kind. */
function noRemoteWorkers(module: string, app: Dash, managers: Manager[]): string {
  const kinds = managers.map((manager) => manager.kind);
  const usesDefault =
    !app.options.backgroundManager &&
    app.registry.callbacks.some((c) => c.background && !c.background.manager);
  // The app would make its default SqliteManager only when it serves; it is named, not made.
  if (usesDefault) kinds.push('sqlite, the default');
  if (kinds.length === 0) return `${module} has no background callbacks: dash-ts worker has no jobs to run`;
  const several = kinds.length > 1;
  return (
    `${module}: its background manager${several ? 's' : ''} (${kinds.join('; ')}) ha${several ? 've' : 's'} ` +
    'no remote workers: dash-ts worker runs the jobs of a manager that has them, such as BullMQManager ' +
    '(an SqliteManager runs its own workers inside `dash-ts run`)'
  );
}

function parseConcurrency(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`--concurrency ${text} is not a whole number ≥ 1`);
  return value;
}
