/** `/_dash-dependencies`: one entry per callback, with Dash 4.3's exact key set. */
import type { RegisteredCallback } from './registry.ts';

export interface DependencyEntry {
  output: string;
  inputs: { id: string; property: string }[];
  state: { id: string; property: string }[];
  clientside_function: { namespace: string; function_name: string } | null;
  prevent_initial_call: boolean;
  background: { interval: number } | null;
  dynamic_creator: false | null;
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
    clientside_function: callback.clientside ?? null,
    // A reattach callback's initial call looks for the user's job (the server answers 204 where
    // preventInitialCall holds and there is none).
    prevent_initial_call: callback.preventInitialCall && !callback.background?.servesInitialCall,
    background: callback.background ? { interval: callback.background.interval } : null,
    // Dash's clientside registration leaves insert_callback's default (False); server ones pass None.
    dynamic_creator: callback.clientside ? false : null,
    no_output: callback.outputMode === 'none',
    optional: false,
    hidden: callback.hidden,
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
