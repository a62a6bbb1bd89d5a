/**
 * How this process uses an app module. The CLI and the worker entry points set it before they
 * import the module, so that a module-level `app.run()` serves with the CLI's options, or not at
 * all inside a worker.
 *
 * Kept on globalThis, like the registrar: an app module may import another copy of dash-ts than
 * the CLI's (app-brand.ts), and that copy's `app.run()` must see the mode the CLI set.
 */
export type RuntimeMode =
  | { kind: 'standalone' }
  | { kind: 'cli'; port?: number; host?: string; appModule?: string }
  | { kind: 'worker' };

const GLOBAL_KEY = Symbol.for('dash-ts.runtime-mode');
const holder = globalThis as { [GLOBAL_KEY]?: RuntimeMode };

export function setRuntimeMode(next: RuntimeMode): void {
  holder[GLOBAL_KEY] = next;
}

export function runtimeMode(): RuntimeMode {
  return holder[GLOBAL_KEY] ?? { kind: 'standalone' };
}
