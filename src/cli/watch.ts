/**
 * `dash-ts run <app> --watch`: serves the app in a child process and starts a fresh one whenever
 * a source file under the app's folder changes. The child runs with Dash's hot reload on
 * (DASH_HOT_RELOAD), so an open page notices the new server's hash and reloads itself; the
 * assets folder is left to the child, which swaps changed CSS in place without a restart.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { type FileChange, PollingWatcher } from '../app/file-watch.ts';

/** What a supervised `dash-ts run` child tells its supervisor once it listens. */
export interface ListeningMessage {
  kind: 'dash-ts:listening';
  url: string;
  assetsFolder: string;
}

/** Set in the child's environment so it reports `ListeningMessage` over IPC. */
export const SUPERVISED_ENV = 'DASH_TS_SUPERVISED';

const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|json)$/;
const STOP_GRACE_MS = 10_000;

export interface WatchOptions {
  appModule: string;
  port?: number;
  host?: string;
  /** Poll interval; default 300 ms. */
  intervalMs?: number;
}

/** Sends the supervisor the child's URL and assets folder (no-op when not supervised). */
export function reportListening(url: string, assetsFolder: string): void {
  if (process.env[SUPERVISED_ENV] !== '1' || !process.send) return;
  const message: ListeningMessage = { kind: 'dash-ts:listening', url, assetsFolder };
  process.send(message);
}

export async function watchCommand(options: WatchOptions): Promise<void> {
  const appModule = path.resolve(options.appModule);
  const root = path.dirname(appModule);
  let port = options.port;
  let assetsFolder: string | undefined;
  let child: ChildProcess | undefined;
  let restarting = false;
  let pending = false;

  const log = (message: string) => process.stderr.write(`dash-ts: ${message}\n`);

  const startChild = () => {
    const args = ['run', appModule, ...(port === undefined ? [] : ['--port', String(port)])];
    if (options.host !== undefined) args.push('--host', options.host);
    // The same entry script and Node flags this process was started with (source or compiled CLI).
    const started = fork(process.argv[1]!, args, {
      env: { ...process.env, DASH_HOT_RELOAD: 'true', [SUPERVISED_ENV]: '1' },
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    });
    started.on('message', (message: ListeningMessage) => {
      if (message?.kind !== 'dash-ts:listening') return;
      // Keep the port a first `--port 0` got, so the open page finds the next server.
      port = Number(new URL(message.url).port);
      assetsFolder = message.assetsFolder;
    });
    started.once('exit', (code, signal) => {
      if (child !== started) return;
      child = undefined;
      if (!restarting)
        log(`the app exited (${signal ?? `code ${code}`}); waiting for a change to start it again`);
    });
    child = started;
  };

  const stopChild = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const restart = async (changes: FileChange[]) => {
    if (restarting) {
      pending = true;
      return;
    }
    restarting = true;
    const names = changes.map((c) => path.relative(root, c.file)).slice(0, 3);
    log(`${names.join(', ')}${changes.length > 3 ? ', ...' : ''} changed; restarting`);
    try {
      await stopChild();
      startChild();
    } finally {
      restarting = false;
    }
    if (pending) {
      pending = false;
      await restart([]);
    }
  };

  const watcher = new PollingWatcher({
    folders: [root],
    include: (file) => SOURCE_FILE.test(file),
    skip: (folder) =>
      assetsFolder !== undefined && (folder === assetsFolder || folder.startsWith(assetsFolder + path.sep)),
    intervalMs: options.intervalMs ?? 300,
    onChange: (changes) => {
      const inAssets = (file: string) =>
        assetsFolder !== undefined && file.startsWith(assetsFolder + path.sep);
      const relevant = changes.filter((c) => !inAssets(c.file));
      if (relevant.length > 0) void restart(relevant);
    },
  });
  await watcher.start();
  // The watcher's timer is unref'd; the supervisor lives as long as it is not told to stop.
  const keepAlive = setInterval(() => {}, 1 << 30);
  log(`watching ${root} for changes`);
  startChild();

  const shutdown = async () => {
    watcher.stop();
    restarting = true;
    await stopChild();
    clearInterval(keepAlive);
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
