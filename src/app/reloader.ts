/**
 * The reloader, as Dash's `app.run(debug=True)` (werkzeug's): this process serves nothing; it runs
 * the same command line in a child process that serves, and starts a fresh child whenever a
 * source file under the app's folder changes. Used by `dash-ts run --watch`, and by `app.run()`
 * of a `debug: true` app (see `Dash.run`).
 *
 * The child runs with Dash's hot reload on (DASH_HOT_RELOAD), so an open page notices the new
 * server's hash and fetches layout and callbacks again. The assets folder is left to the child,
 * which swaps changed CSS in place without a restart. The child keeps the port the first one got,
 * so the open page finds the next server.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { RuntimeMode } from '../app-module/runtime.ts';
import { PollingWatcher } from './file-watch.ts';

/** What a supervised child tells its supervisor once it listens. */
interface ListeningMessage {
  kind: 'dash-ts:listening';
  url: string;
  assetsFolder: string;
}

const SUPERVISED_ENV = 'DASH_TS_SUPERVISED';
/** The port a supervised child must listen on (over the CLI's and the app's own choice). */
const PORT_ENV = 'DASH_TS_SUPERVISED_PORT';
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|json)$/;
const STOP_GRACE_MS = 10_000;

/** Whether this process is the serving child of a reloader. */
export function isSupervised(): boolean {
  return process.env[SUPERVISED_ENV] === '1';
}

/** The port a supervised child keeps across restarts; undefined for the first child or unsupervised. */
export function supervisedPort(): number | undefined {
  const raw = process.env[PORT_ENV];
  return isSupervised() && raw ? Number(raw) : undefined;
}

/**
 * Tells the supervisor the child's URL and assets folder; stops the child (through `close`) on
 * SIGTERM or when the supervisor goes away. No-op when not supervised.
 */
export function reportListening(url: string, assetsFolder: string, close: () => Promise<void>): void {
  if (!isSupervised() || !process.send) return;
  const message: ListeningMessage = { kind: 'dash-ts:listening', url, assetsFolder };
  process.send(message);
  const exit = () => void close().finally(() => process.exit(0));
  // A restart (SIGTERM) or a vanished supervisor ends this child cleanly (its job workers too).
  process.once('disconnect', exit);
  process.once('SIGTERM', exit);
}

/**
 * Whether `app.run()` should supervise instead of serve: `useReloader` (default: the app's
 * `debug`), not already a supervised child, and either under `dash-ts run` or with the app module
 * as the program's entry script (`node app.ts`), as Dash's reloader assumes a script started by
 * hand. An app started by a test runner or embedded elsewhere never re-executes its host.
 */
export function shouldSupervise(
  useReloader: boolean,
  mode: RuntimeMode,
  appModule: string | undefined,
): boolean {
  if (!useReloader || isSupervised() || mode.kind === 'worker') return false;
  // node --test runs each test file as the entry script: a test must never re-execute itself.
  if (process.env.NODE_TEST_CONTEXT !== undefined) return false;
  if (mode.kind === 'cli') return true;
  const entry = process.argv[1];
  return entry !== undefined && appModule !== undefined && samePath(entry, appModule);
}

function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

export interface ReloaderOptions {
  /** The folder watched (recursively, without node_modules and dot-folders). */
  root: string;
  /** Arguments of the child after Node's own flags: this process's script and arguments by default. */
  args?: string[];
  /** Poll interval; default 300 ms. */
  intervalMs?: number;
  log?: (message: string) => void;
  /** Stop the child and exit on SIGTERM / SIGINT (default true). */
  exitOnSignal?: boolean;
}

export interface Reloader {
  /** The first child's URL, once it listens. */
  readonly url: Promise<string>;
  stop(): Promise<void>;
}

export function startReloader(options: ReloaderOptions): Reloader {
  const args = options.args ?? process.argv.slice(1);
  const log = options.log ?? ((message: string) => process.stderr.write(`dash-ts: ${message}\n`));
  let port: number | undefined;
  let assetsFolder: string | undefined;
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarting: Promise<void> | undefined;
  let again = false;
  let reportUrl: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => {
    reportUrl = resolve;
  });

  const startChild = () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DASH_HOT_RELOAD: 'true', [SUPERVISED_ENV]: '1' };
    if (port !== undefined) env[PORT_ENV] = String(port);
    // The same Node flags (loaders) and entry script as this process.
    const started = fork(args[0]!, args.slice(1), { env, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    started.on('message', (message: ListeningMessage) => {
      if (message?.kind !== 'dash-ts:listening') return;
      port = Number(new URL(message.url).port);
      assetsFolder = message.assetsFolder;
      reportUrl(message.url);
    });
    started.once('exit', (code, signal) => {
      if (child !== started) return;
      child = undefined;
      if (!stopping && !restarting) {
        log(`the app exited (${signal ?? `code ${code}`}); waiting for a change to start it again`);
      }
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

  const restart = (): void => {
    if (restarting) {
      again = true;
      return;
    }
    restarting = (async () => {
      do {
        again = false;
        await stopChild();
        if (!stopping) startChild();
      } while (again && !stopping);
    })().finally(() => {
      restarting = undefined;
    });
  };

  const inAssets = (file: string) => assetsFolder !== undefined && file.startsWith(assetsFolder + path.sep);
  const watcher = new PollingWatcher({
    folders: [options.root],
    include: (file) => SOURCE_FILE.test(file),
    skip: (folder) => folder === assetsFolder || inAssets(folder),
    intervalMs: options.intervalMs ?? 300,
    onChange: (changes) => {
      const relevant = changes.filter((c) => !inAssets(c.file));
      if (relevant.length === 0 || stopping) return;
      const names = relevant.map((c) => path.relative(options.root, c.file)).slice(0, 3);
      log(`${names.join(', ')}${relevant.length > 3 ? ', ...' : ''} changed; restarting`);
      restart();
    },
  });
  // The watcher's timer never holds the process open; this one does, until stop().
  const keepAlive = setInterval(() => {}, 1 << 30);
  const watching = watcher.start().then(() => {
    log(`watching ${options.root} for changes`);
    startChild();
  });

  const stop = async () => {
    stopping = true;
    watcher.stop();
    await watching.catch(() => {});
    await restarting;
    await stopChild();
    clearInterval(keepAlive);
  };
  if (options.exitOnSignal ?? true) {
    const exit = () => void stop().finally(() => process.exit(0));
    process.once('SIGTERM', exit);
    process.once('SIGINT', exit);
  }
  return { url, stop };
}
