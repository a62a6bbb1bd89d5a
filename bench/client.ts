/**
 * The benchmarks' client and process helpers: a `dash-ts run` server of an app module, a page load
 * per client (as each browser tab has), one callback execution exactly as the renderer performs it
 * (start, then a poll `interval` ms after each answer), and resident memory of process trees.
 * Used by bench/run.ts and bench/cost-per-job.ts, so their figures come from the same client.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export const INTERVAL = Number(process.env.BENCH_INTERVAL ?? 100);
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
export const now = (): number => performance.timeOrigin + performance.now();

export interface Server {
  url: string;
  process: ChildProcess;
  endId: string;
}

/**
 * `dash-ts run bench/app.ts` on a free port (or another command that logs `serving ... on <url>`),
 * and its first page load.
 */
export async function startServer(
  env: Record<string, string>,
  command = ['bin/dash-ts.js', 'run', 'bench/app.ts', '--port', '0'],
): Promise<Server> {
  const child = spawn(process.execPath, command, {
    env: {
      ...process.env,
      BENCH_INTERVAL: String(INTERVAL),
      BENCH_CONCURRENCY: String(CONCURRENCY),
      DASH_TS_LOG: 'info',
      // A case's own settings win (cost-per-job.ts runs some with one slot per worker).
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const match = /serving .* on (http:\/\/\S+)/.exec(log);
      if (match) resolve(match[1]!);
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
  const page = await (await fetch(url)).text();
  const endId = JSON.parse(
    /<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(page)![1]!,
  ).end_id;
  return { url, process: child, endId };
}

/**
 * The server as another browser tab sees it: a page load of its own. Each client needs one, as
 * each tab has: a newer call of a callback from the same page load supersedes its unfinished job.
 */
export async function newTab(server: Server): Promise<Server> {
  let page: string;
  for (let attempt = 1; ; attempt++) {
    try {
      page = await (await fetch(server.url)).text();
      break;
    } catch (error) {
      // fetch's kept-alive socket closed by the server just as it was reused (Node's known race):
      // the page load is asked again.
      if (attempt >= 3) throw error;
    }
  }
  const endId = JSON.parse(
    /<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(page)![1]!,
  ).end_id;
  return { ...server, endId };
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export type Kind = 'trivial' | 'sleepy' | 'cpu' | 'busy';

export interface JobResult {
  ok: boolean;
  startedAt?: number;
  sentAt: number;
  doneAt: number;
  progress: unknown[];
}

/** The hidden cancel callback's request for bench/app.ts's `busy` job, as the renderer sends a click. */
export const BUSY_CANCEL_BODY = JSON.stringify({
  output: 'busy-cancel.id',
  outputs: { id: 'busy-cancel', property: 'id' },
  inputs: [{ id: 'busy-cancel', property: 'n_clicks', value: 1 }],
  changedPropIds: ['busy-cancel.n_clicks'],
});

export function bodyFor(kind: Kind, value: unknown, nulled = false) {
  return JSON.stringify({
    output: `${kind}.children`,
    outputs: { id: kind, property: 'children' },
    inputs: [{ id: `${kind}-in`, property: 'value', value: nulled ? null : value }],
    changedPropIds: [`${kind}-in.value`],
  });
}

export interface Answer {
  cacheKey: string;
  job: string;
  progress?: Record<string, unknown>;
  response?: Record<string, { children: { value: unknown; startedAt: number } }>;
}

/**
 * The clients' HTTP: node:http with keep-alive connections (one per client at a time, as a
 * browser tab keeps them), which costs the machine a fraction of what fetch() does; the load
 * generator shares the CPUs with what it measures.
 */
export const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

export function post(
  server: Server,
  query: string,
  body: string,
): Promise<{ status: number; json?: Answer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/_dash-update-component?endId=${server.endId}${query}`,
      {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode !== 200) return resolve({ status: res.statusCode ?? 0 });
          resolve({ status: 200, json: JSON.parse(Buffer.concat(chunks).toString()) as Answer });
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed (its 5 s idle timeout) just as we reused it: Node's
      // known race, and the request never reached the server, so it is sent again.
      if (req.reusedSocket && error.code === 'ECONNRESET') {
        post(server, query, body).then(resolve, reject);
        return;
      }
      reject(error);
    });
    req.end(body);
  });
}

/** One callback execution as the renderer performs it. */
export async function runJob(
  server: Server,
  kind: Kind,
  value: unknown,
  onProgress?: (p: unknown, job: string) => void,
) {
  const sentAt = now();
  const progress: unknown[] = [];
  let answer = await post(server, '', bodyFor(kind, value));
  const handles = answer.json;
  for (;;) {
    if (answer.status !== 200 || !answer.json || !handles) {
      return { ok: false, sentAt, doneAt: now(), progress } satisfies JobResult;
    }
    const p = answer.json.progress?.[`${kind}-progress.children`];
    if (p !== undefined) {
      progress.push(p);
      onProgress?.(p, handles.job);
    }
    if (answer.json.response) {
      const result = answer.json.response[kind]!.children;
      return { ok: result.value === value, startedAt: result.startedAt, sentAt, doneAt: now(), progress };
    }
    await sleep(INTERVAL);
    answer = await post(
      server,
      `&cacheKey=${handles.cacheKey}&job=${handles.job}`,
      bodyFor(kind, value, true),
    );
  }
}

/** The given processes and all their descendants. */
export function processTree(roots: number[]): number[] {
  const pids = [...roots];
  for (let i = 0; i < pids.length; i++) {
    const taskDir = `/proc/${pids[i]}/task`;
    if (!existsSync(taskDir)) continue;
    try {
      for (const tid of readdirSync(taskDir)) {
        const children = readFileSync(`${taskDir}/${tid}/children`, 'utf8').trim();
        if (children) pids.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // exited meanwhile
    }
  }
  return [...new Set(pids)];
}

/** Resident memory of the given processes and all their descendants, in MiB. */
export function treeRssMiB(roots: number[]): number {
  return rssMiB(processTree(roots));
}

/** Resident memory of the given processes, in MiB. */
export function rssMiB(pids: number[]): number {
  let kib = 0;
  for (const p of pids) {
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kib += Number(match?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return kib / 1024;
}

/** The state of a process's main thread (R running, S sleeping, Z zombie, ...), or 'gone'. */
export function processState(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0]!;
  } catch {
    return 'gone';
  }
}

/** A process's threads now: how many want the CPU (state R), and the CPU time they have used (ms). */
export function threadsOf(pid: number): { runnable: number; cpuMs: number } {
  let runnable = 0;
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        if (readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]![0] === 'R') runnable++;
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    // the process ended meanwhile
  }
  return { runnable, cpuMs: ns / 1e6 };
}
