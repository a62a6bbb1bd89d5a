/**
 * Dash's hidden cancel callbacks, one per cancel input a background callback names: the renderer
 * sends `cancelJob` only on a callback whose inputs are exactly the cancel inputs, and the
 * orchestrator answers them. Apart from dash.ts because which inputs already have one, and when
 * an output must allow duplicates, is bookkeeping of its own.
 */
import type { AppCallbackRegistry } from '../background/callback-spec.ts';
import { type Input, Output } from '../callbacks/dependencies.ts';

export class CancelCallbacks {
  readonly #cancelInputs = new Set<string>();

  constructor(private readonly registry: AppCallbackRegistry) {}

  /**
   * Dash's hidden cancel callback for a cancel input: the renderer sends `cancelJob` only on a
   * callback whose inputs are exactly the cancel inputs. Its output is the component's own id.
   */
  add(input: Input): void {
    const key = input.toString();
    if (this.#cancelInputs.has(key)) return;
    const claimed = [...this.#cancelInputs].some((other) =>
      other.startsWith(`${input.toDependencyJSON().id}.`),
    );
    this.#cancelInputs.add(key);
    this.registry.add(
      {
        output: Output(input.id, 'id', { allowDuplicate: claimed }),
        inputs: [input],
        preventInitialCall: true,
      },
      () => undefined,
      // Dash emits `hidden: null` for its auto-generated cancel callbacks.
      { cancelRelay: true, hidden: null },
    );
  }
}
