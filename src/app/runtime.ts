/**
 * How this process uses an app module. The CLI and the worker entry points set it before they
 * import the module, so that a module-level `app.run()` serves with the CLI's options, or not at
 * all inside a worker.
 */
export type RuntimeMode =
  | { kind: 'standalone' }
  | { kind: 'cli'; port?: number; host?: string; appModule?: string }
  | { kind: 'worker' };

let mode: RuntimeMode = { kind: 'standalone' };

export function setRuntimeMode(next: RuntimeMode): void {
  mode = next;
}

export function runtimeMode(): RuntimeMode {
  return mode;
}
