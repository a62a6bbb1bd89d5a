/** `/_dash-dependencies`: one entry per callback, with Dash 4.3's exact key set. */
import type { RegisteredCallback } from './registry.ts';

export interface DependencyEntry {
  output: string;
  inputs: { id: string; property: string }[];
  state: { id: string; property: string }[];
  clientside_function: null;
  prevent_initial_call: boolean;
  background: { interval: number } | null;
  dynamic_creator: null;
  no_output: boolean;
  optional: boolean;
  hidden: boolean | null;
  websocket: false;
  persistent: false;
  running?: { running: Record<string, unknown>; runningOff: Record<string, unknown> };
}

export function dependencyEntry(callback: RegisteredCallback): DependencyEntry {
  const entry: DependencyEntry = {
    output: callback.id,
    inputs: callback.inputs.map((d) => d.toDependencyJSON()),
    state: callback.state.map((d) => d.toDependencyJSON()),
    clientside_function: null,
    prevent_initial_call: callback.preventInitialCall,
    background: callback.background ? { interval: callback.background.interval } : null,
    dynamic_creator: null,
    no_output: callback.outputMode === 'none',
    optional: false,
    // Dash emits null for its auto-generated cancel callbacks.
    hidden: callback.hidden ? null : false,
    websocket: false,
    persistent: false,
  };
  if (callback.running.length > 0) {
    const running: Record<string, unknown> = {};
    const runningOff: Record<string, unknown> = {};
    for (const [output, on, off] of callback.running) {
      running[output.toString()] = on;
      runningOff[output.toString()] = off;
    }
    entry.running = { running, runningOff };
  }
  return entry;
}
