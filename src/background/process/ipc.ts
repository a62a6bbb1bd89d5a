/**
 * The messages between the pool (server process) and its worker processes, over Node's IPC
 * channel. Job payloads, events and outcomes travel as JSON text: the worker produces the exact
 * text the store keeps, so the server process never parses or re-serialises job data.
 */

/** One entry of a job's event log: a progress value list, or one setProps call. */
export type EventKind = 'progress' | 'props';

/** `body` is JSON: the progress values array, or `[id, props]` for setProps. */
export interface EventRecord {
  kind: EventKind;
  body: string;
}

export type ToWorker =
  /** Run a try of a job; `payload` is the JSON `{args, context}` stored at submit; `attempt` counts from 1. */
  | { t: 'run'; id: string; key: string; payload: string; attempt?: number }
  /** Abort the job's signal (cancel, supersede or timeout). */
  | { t: 'abort'; id: string };

export type FromWorker =
  /** The app module imported: the worker takes jobs of these functions (registrar keys) from now on. */
  | { t: 'ready'; keys: string[] }
  /** The app module failed to import; the worker exits next. */
  | { t: 'failed'; message: string; stack?: string }
  /** Events a job produced since the last message about it, oldest first. */
  | { t: 'events'; id: string; events: EventRecord[] }
  /** The job ended; `outcome` is a JobOutcome as JSON. */
  | { t: 'done'; id: string; kind: string; outcome: string };

export function isFromWorker(message: unknown): message is FromWorker {
  return (
    typeof message === 'object' && message !== null && typeof (message as { t?: unknown }).t === 'string'
  );
}

export function isToWorker(message: unknown): message is ToWorker {
  if (typeof message !== 'object' || message === null) return false;
  const { t, id } = message as { t?: unknown; id?: unknown };
  return (t === 'run' || t === 'abort') && typeof id === 'string';
}
