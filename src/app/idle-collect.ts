/**
 * Memory back to the system after a burst of requests. A request body is read as bytes and as a
 * string, parsed, and often copied into an answer, and a refused one leaves an error and a log
 * line: garbage, several times the body's size. V8 collects only when it allocates, so a server
 * that goes quiet after a burst keeps all of it: 100 hostile requests with 58 MiB of bodies left
 * 240 MiB of dead objects on the heap and the RSS 280 MiB above its rest figure, unchanged 30 s
 * later (bench/hostile-memory.ts). So once a second: if no request came in since the last look
 * and the heap holds GARBAGE_BYTES more than after the last collection, run one full collection,
 * which hands the freed pages back to the system. A busy server is left to V8's own collections;
 * a quiet one with a small heap is left alone.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Heap growth since the last collection that makes one worth running when the server is quiet. */
const GARBAGE_BYTES = 32 * 1024 * 1024;
const LOOK_EVERY_MS = 1000;

let requests = 0;
let requestsAtLastLook = 0;
let settledHeap: number | undefined;
let ticker: NodeJS.Timeout | undefined;
let collect: (() => void) | undefined;

/** Notes a request (called for every request the app's routes see). */
export function noteRequest(): void {
  requests++;
  if (ticker) return;
  settledHeap ??= getHeapStatistics().used_heap_size;
  ticker = setInterval(look, LOOK_EVERY_MS);
  // Never what keeps a process alive.
  ticker.unref();
}

function look(): void {
  if (requests !== requestsAtLastLook) {
    requestsAtLastLook = requests;
    return;
  }
  if (getHeapStatistics().used_heap_size - settledHeap! < GARBAGE_BYTES) return;
  fullCollection()();
  settledHeap = getHeapStatistics().used_heap_size;
}

/**
 * V8's full collection: the `gc` global when Node runs with --expose-gc, else the same function
 * taken from a fresh context after turning the flag on (V8 adds `gc` to contexts made after it).
 */
function fullCollection(): () => void {
  if (collect) return collect;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') {
    collect = exposed;
  } else {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  return collect;
}
