/** A real `dash-ts run` process on a free port, for tests that need several or a restart. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startServerProcess(
  module: string,
  env: Record<string, string>,
  port?: number,
): Promise<ServerProcess> {
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, ['bin/dash-ts.js', 'run', module, '--port', String(chosen)], {
    env: { ...process.env, DASH_TS_LOG: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (c: Buffer) => {
    log += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    log += c.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A server that starts after all would keep the test process alive.
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${log}`));
    }, 20_000);
    const check = () => {
      const match = /serving .* on (http:\/\/\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stderr!.on('data', check);
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log}`));
    });
  });
  return {
    url,
    child,
    output: () => log,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/** The `end_id` of a fresh page load. */
export async function pageToken(url: string): Promise<string> {
  return (await pageLoad(url)).endId;
}

/**
 * A page load: its end_id and, when the app set one, its anonymous session cookie
 * (`dash_ts_session=<user>.<mac>`, for the Cookie header) and the user that cookie names.
 */
export async function pageLoad(url: string): Promise<{ endId: string; cookie?: string; user?: string }> {
  const res = await fetch(url);
  const html = await res.text();
  const endId = JSON.parse(
    /<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!,
  ).end_id as string;
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('dash_ts_session='))
    ?.split(';')[0];
  if (cookie === undefined) return { endId };
  return { endId, cookie, user: cookie.slice('dash_ts_session='.length, cookie.indexOf('.')) };
}

/** A background answer, loosely typed: tests read the fields they expect. */
export interface UpdateAnswer {
  cacheKey?: string;
  job?: string;
  response?: Record<string, Record<string, unknown>>;
  progress?: Record<string, string>;
  sideUpdate?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export async function postUpdate(
  url: string,
  body: unknown,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json?: UpdateAnswer }> {
  const res = await fetch(`${url}/_dash-update-component${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) {
    await res.arrayBuffer();
    return { status: res.status };
  }
  return { status: 200, json: (await res.json()) as UpdateAnswer };
}
