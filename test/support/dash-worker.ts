/** A real `dash-ts worker <app-module>` process, for tests that need workers they can kill. */
import { type ChildProcess, spawn } from 'node:child_process';

export interface DashWorker {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Sends a signal and resolves with how the process exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly exited: boolean;
}

/** Starts `dash-ts worker` and resolves once it takes jobs (it logs so). */
export async function startDashWorker(
  module: string,
  env: Record<string, string>,
  args: string[] = [],
  options: { startTimeoutMs?: number } = {},
): Promise<DashWorker> {
  const child = spawn(process.execPath, ['bin/dash-ts.js', 'worker', module, ...args], {
    env: { ...process.env, DASH_TS_LOG: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const append = (chunk: Buffer) => {
    log += chunk.toString();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    // Generous: with --concurrency 4 it starts four job processes, each compiling the app through
    // tsx, beside other test files on a loaded machine (30 s was seen to run out).
    const startTimeoutMs = options.startTimeoutMs ?? 90_000;
    const timer = setTimeout(() => {
      // Not left behind: waiting for its Redis forever, it would keep the test file from ending.
      child.kill('SIGKILL');
      reject(new Error(`dash-ts worker did not start within ${startTimeoutMs} ms:\n${log}`));
    }, startTimeoutMs);
    const check = () => {
      if (/running jobs of queue/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    child.stdout!.on('data', check);
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`dash-ts worker exited (${code ?? signal}) at start:\n${log}`));
    });
  });
  // A crashed test must not leave workers running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exit.then(() => process.removeListener('exit', killOnExit));
  return {
    child,
    pid: child.pid!,
    output: () => log,
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
}
