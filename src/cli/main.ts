/** The `dash-ts` command line: run, worker, init and components. */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isSupervised, startReloader } from '../app/reloader.ts';
import { setRuntimeMode } from '../app-module/runtime.ts';
import { SuiteMetadataError } from '../components/suites/errors.ts';
import { loadApp, UsageError } from './app-module.ts';

// Each command's module is imported when that command runs: the server of `dash-ts run` does not
// load the suite generator of `components add`, nor `dash-ts worker` the templates of `init`.

export { loadApp, UsageError };

const USAGE = `usage:
  dash-ts run <app-module> [--port 8050] [--host 127.0.0.1] [--watch]
  dash-ts worker <app-module> [--concurrency N]
  dash-ts init [dir]
  dash-ts components add <package>[@version] [--out components/<package>.ts] [--namespace NS] [--no-install]
                     [--timeout SECONDS]`;

export async function main(argv: string[]): Promise<void> {
  try {
    await dispatch(argv);
  } catch (error) {
    // node:util parseArgs reports unknown or malformed flags with ERR_PARSE_ARGS_* codes.
    const badFlags = String((error as { code?: unknown })?.code ?? '').startsWith('ERR_PARSE_ARGS');
    if (error instanceof UsageError || badFlags) {
      process.stderr.write(`dash-ts: ${(error as Error).message}\n${USAGE}\n`);
      process.exit(2);
    }
    if (error instanceof SuiteMetadataError) {
      process.stderr.write(`dash-ts: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function dispatch(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command === 'run') return runCommand(rest);
  if (command === 'worker') return (await import('./worker.ts')).workerCommand(rest);
  if (command === 'components') return (await import('./components.ts')).componentsCommand(rest);
  if (command === 'init') return (await import('./init.ts')).initCommand(rest);
  throw new UsageError(`unknown command ${JSON.stringify(command)}`);
}

async function runCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, host: { type: 'string' }, watch: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('run takes exactly one app module');
  const port = values.port === undefined ? undefined : parsePort(values.port);
  // The supervisor reruns this very command line in a child; that child serves.
  if (values.watch && !isSupervised()) return watchCommand(positionals[0]!);
  setRuntimeMode({ kind: 'cli', port, host: values.host, appModule: resolve(positionals[0]!) });
  const app = await loadApp(positionals[0]!);
  const server = await app.run();
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** `--watch`: this process supervises (and stops the child on SIGTERM / SIGINT); the child serves. */
function watchCommand(appModule: string): void {
  startReloader({ root: dirname(resolve(appModule)) });
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port ${text} is not a port`);
  return port;
}
