/**
 * Work an app module starts while it loads and that must be done before the module is of use:
 * an app with a pages folder imports its page modules (whose callbacks register job functions).
 * importAppModule waits for it, so the server and every worker see the same registrations.
 */
// On globalThis, as the registrar: the CLI's copy of dash-ts waits for work the app's copy started.
const GLOBAL_KEY = Symbol.for('dash-ts.app-startup');
const holder = globalThis as { [GLOBAL_KEY]?: Set<Promise<unknown>> };
holder[GLOBAL_KEY] ??= new Set();
const pending: Set<Promise<unknown>> = holder[GLOBAL_KEY];

/** Makes the next appStartupDone() wait for `work`, and fail if it fails. */
export function holdAppStartup(work: Promise<unknown>): void {
  pending.add(work);
  // The failure is reported by appStartupDone() (or by the app's own await); not "unhandled".
  work.catch(() => {});
}

/** Resolves once all held work is done (including work started meanwhile); rejects with the first failure. */
export async function appStartupDone(): Promise<void> {
  while (pending.size > 0) {
    const batch = [...pending];
    pending.clear();
    await Promise.all(batch);
  }
}
