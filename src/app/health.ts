/**
 * The health endpoint, as Dash 3.3's `health_endpoint`: 200 while the app serves. Dash answers a
 * plain "OK"; an app with background callbacks answers JSON that also says whether each of its
 * managers answers (a read from its store), since a web process can serve pages while its job
 * store is down. The status stays 200 either way: the process itself is healthy, and restarting
 * it would not bring the store back.
 */
import type { Manager } from '../background/manager.ts';

export interface ManagerHealth {
  kind: string;
  answers: boolean;
  /** Round trip in milliseconds, when it answered. */
  ms?: number;
  error?: string;
}

const PROBE_TIMEOUT_MS = 2000;

/** Answers `GET <prefix><healthEndpoint>`; `managers` are those the app's background callbacks use. */
export async function healthResponse(managers: (() => Promise<Manager[]>) | undefined): Promise<Response> {
  const headers = { 'Cache-Control': 'no-store' };
  if (!managers)
    return new Response('OK', { status: 200, headers: { ...headers, 'Content-Type': 'text/plain' } });
  let checks: ManagerHealth[];
  try {
    checks = await Promise.all((await withTimeout(managers(), 'starting')).map(probe));
  } catch (error) {
    checks = [{ kind: 'background', answers: false, error: (error as Error).message }];
  }
  const status = checks.every((c) => c.answers) ? 'OK' : 'DEGRADED';
  return new Response(JSON.stringify({ status, background: checks }), {
    status: 200,
    headers: { ...headers, 'Content-Type': 'application/json' },
  });
}

/** Reads an owner that cannot exist: a real round trip to the manager's store, with no side effect. */
async function probe(manager: Manager): Promise<ManagerHealth> {
  const started = performance.now();
  try {
    await withTimeout(manager.owner(`health-probe-${process.pid}`), 'answering');
    return { kind: manager.kind, answers: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { kind: manager.kind, answers: false, error: (error as Error).message };
  }
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms (${what})`)),
      PROBE_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
