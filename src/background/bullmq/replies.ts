/**
 * How a job's events travel through Redis (`p<json>` progress, `s<json>` a setProps call) and how
 * the scripts' replies about a waiting job's place read back, shared by store.ts and kept.ts.
 */
import { etaSeconds } from '../job-options/queue-status.ts';
import type { JobUpdate } from '../manager.ts';
import type { EventRecord } from '../process/ipc.ts';

export function encodeEvent(event: EventRecord): string {
  return (event.kind === 'progress' ? 'p' : 's') + event.body;
}

/** Encoded events (encodeEvent) as an update's progress and setProps calls, in order. */
export function eventsAsUpdate(encoded: string[]): Pick<JobUpdate, 'progress' | 'sideUpdates'> {
  const update: Pick<JobUpdate, 'progress' | 'sideUpdates'> = { progress: [], sideUpdates: [] };
  for (const event of encoded) {
    const body = JSON.parse(event.slice(1)) as unknown;
    if (event[0] === 'p') update.progress.push(body as unknown[]);
    else {
      const [id, props] = body as [string, Record<string, unknown>];
      update.sideUpdates.push({ id, props });
    }
  }
  return update;
}

/** A waiting job's place from a script's reply (position '' when it is not waiting). */
export function queuePlace(
  position: string | number,
  meanRunMs: string,
  running: string | number,
): JobUpdate['queue'] {
  if (position === '') return undefined;
  const eta = etaSeconds(Number(position), meanRunMs === '' ? undefined : Number(meanRunMs), Number(running));
  return eta === undefined ? { position: Number(position) } : { position: Number(position), etaSeconds: eta };
}
