/**
 * Jobs this server's pool can never run: the server defines their job function (it accepted the
 * job) but none of its ready workers does, because the workers' import of the app module did not
 * register it (another version of the file, or a callback registered only outside workers). Pools
 * claim only functions their workers define, so without this such a job would wait forever; it
 * ends now as an error that says why.
 */
import type { JobOutcome } from '../manager.ts';
import { registrar } from '../registrar.ts';

/** The app's job functions that no ready worker defines. */
export function keysNoWorkerDefines(appKeys: readonly string[], workerKeys: readonly string[]): string[] {
  const known = new Set(workerKeys);
  return appKeys.filter((key) => !known.has(key));
}

export function unrunnableOutcome(key: string, appModule: string): JobOutcome {
  const callbackId = registrar.get(key)?.callbackId ?? 'unknown callback';
  return {
    kind: 'error',
    message:
      `no background worker can run this job: the worker processes imported ${appModule} but it did not ` +
      `register the job function of ${callbackId} there (key ${key.slice(0, 12)}…), which the server did. ` +
      'The server and its workers must load the same version of the app module, and register every ' +
      'background callback whatever process they run in.',
  };
}
