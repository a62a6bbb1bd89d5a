/**
 * The `dash-ts` CLI as a user runs it: `node bin/dash-ts.js ...` spawned as a real process,
 * talked to over real TCP.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'dash-ts.js');
const APPS = join(ROOT, 'test', 'apps');
const START_TIMEOUT_MS = 20_000;

/** A port that was free a moment ago: listen on port 0, note the port, close. */
async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  server.close();
  await once(server, 'close');
  return address.port;
}

/** Resolves true if something accepts TCP connections on host:port, false if refused. */
function isListening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve(false);
      else reject(error);
    });
  });
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
}

const started: CliProcess[] = [];

function cli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, DASH_TS_LOG: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const proc = { child, stdout: () => stdout, stderr: () => stderr, exited };
  started.push(proc);
  return proc;
}

/** Waits for the "serving ... on <url>" log line; fails with the output if the process exits first. */
async function servingUrl(proc: CliProcess): Promise<string> {
  const found = () => /serving .* on (http:\/\/\S+)/.exec(proc.stderr())?.[1];
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (found() === undefined) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`dash-ts exited before serving:\n${proc.stdout()}\n${proc.stderr()}`);
    }
    if (Date.now() > deadline) throw new Error(`dash-ts did not start serving:\n${proc.stderr()}`);
    await Promise.race([
      once(proc.child.stderr!, 'data'),
      proc.exited,
      delay(deadline - Date.now(), undefined, { ref: false }),
    ]);
  }
  return found()!;
}

/** SIGTERM, then the exit, with how long it took. */
async function terminate(proc: CliProcess): Promise<Exit & { ms: number }> {
  const sent = Date.now();
  proc.child.kill('SIGTERM');
  const exit = await proc.exited;
  return { ...exit, ms: Date.now() - sent };
}

after(async () => {
  // Only the processes this file started, by their own handles.
  for (const proc of started) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
  }
});

describe('dash-ts CLI', () => {
  it('serves the index and layout of a TypeScript app module that imports a sibling module', async () => {
    const port = await freePort();
    const proc = cli(['run', join(APPS, 'with-sibling.ts'), '--port', String(port)]);
    const url = await servingUrl(proc);
    assert.equal(url, `http://127.0.0.1:${port}`);

    const index = await fetch(`${url}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    const html = await index.text();
    assert.match(html, /<title>Sibling-powered app<\/title>/);
    assert.match(html, /<script id="_dash-config" type="application\/json">/);
    assert.match(html, /new DashRenderer\(\)/);

    const layout = await fetch(`${url}/_dash-layout`);
    assert.equal(layout.status, 200);
    const li = (text: string) => ({
      props: { children: text },
      type: 'Li',
      namespace: 'dash_html_components',
    });
    assert.deepEqual(await layout.json(), {
      props: {
        children: [
          {
            props: { id: 'heading', children: 'Sibling-powered app' },
            type: 'H1',
            namespace: 'dash_html_components',
          },
          {
            props: { id: 'fruits', children: [li('quince (yellow)'), li('damson (purple)')] },
            type: 'Ul',
            namespace: 'dash_html_components',
          },
        ],
      },
      type: 'Div',
      namespace: 'dash_html_components',
    });

    const exit = await terminate(proc);
    assert.deepEqual([exit.code, exit.signal], [0, null]);
  });

  it('honours --host and --port', async () => {
    const host = '127.0.0.2';
    const port = await freePort(host);
    const proc = cli(['run', join(APPS, 'with-sibling.ts'), '--host', host, '--port', String(port)]);
    const url = await servingUrl(proc);
    assert.equal(url, `http://${host}:${port}`);
    const layout = await fetch(`http://${host}:${port}/_dash-layout`);
    assert.equal(layout.status, 200);
    await layout.arrayBuffer();
    // Bound to that address only, not to the default one.
    assert.equal(await isListening('127.0.0.1', port), false);

    const exit = await terminate(proc);
    assert.equal(exit.code, 0);
  });

  it("serves a module that calls app.run() itself once, on the CLI's port", async () => {
    const cliPort = await freePort();
    const ownPort = await freePort();
    assert.notEqual(cliPort, ownPort);
    const proc = cli(['run', join(APPS, 'self-running.ts'), '--port', String(cliPort)], {
      SELF_RUN_PORT: String(ownPort),
    });
    const url = await servingUrl(proc);
    assert.equal(url, `http://127.0.0.1:${cliPort}`);

    const layout = await fetch(`${url}/_dash-layout`);
    assert.equal(layout.status, 200);
    assert.deepEqual(await layout.json(), {
      props: { id: 'self', children: 'self-running app' },
      type: 'Div',
      namespace: 'dash_html_components',
    });
    assert.equal(await isListening('127.0.0.1', ownPort), false, 'the module-level port is not served');
    const servingLines = proc.stderr().match(/serving /g) ?? [];
    assert.equal(servingLines.length, 1, proc.stderr());

    const exit = await terminate(proc);
    assert.equal(exit.code, 0);
  });

  it('stops on SIGTERM within a few seconds with exit code 0, even with an open keep-alive connection', async () => {
    const port = await freePort();
    const proc = cli(['run', join(APPS, 'with-sibling.ts'), '--port', String(port)]);
    const url = await servingUrl(proc);
    // fetch keeps its connection alive afterwards, as a browser would.
    for (const path of ['/', '/_dash-layout', '/_dash-dependencies']) {
      const response = await fetch(url + path);
      assert.equal(response.status, 200, path);
      await response.arrayBuffer();
    }
    const exit = await terminate(proc);
    assert.deepEqual([exit.code, exit.signal], [0, null]);
    assert.ok(exit.ms < 5_000, `took ${exit.ms} ms to stop`);
    assert.equal(await isListening('127.0.0.1', port), false);
  });

  it('exits non-zero with a clear message for a module without an app export', async () => {
    const port = await freePort();
    const proc = cli(['run', join(APPS, 'no-app-export.ts'), '--port', String(port)]);
    const exit = await proc.exited;
    assert.notEqual(exit.code, 0);
    assert.equal(exit.signal, null);
    assert.match(proc.stderr(), /no-app-export\.ts must export a Dash app as `app` or as its default export/);
    assert.doesNotMatch(proc.stderr(), /^\s+at /m, 'a usage error, not a stack trace');
    assert.equal(await isListening('127.0.0.1', port), false);
  });

  it("imports the app's pages folder before serving; a page module that throws stops run and worker, named", async () => {
    const port = await freePort();
    const pages = cli(['run', join(APPS, 'multi-page', 'app.ts'), '--port', String(port)], {
      DASH_TS_TEST_DB: join(mkdtempSync(join(tmpdir(), 'dash-ts-cli-pages-')), 'bg.db'),
    });
    const url = await servingUrl(pages);
    const page = await (await fetch(`${url}/supplied-path`)).text();
    assert.match(page, /<meta property="og:title" content="Supplied Title">/);
    await terminate(pages);

    const broken = join(APPS, 'multi-page', 'pages_throws', 'broken.ts');
    for (const command of [['run', '--port', String(port)], ['worker']]) {
      const proc = cli([command[0]!, join(APPS, 'multi-page', 'broken-pages-app.ts'), ...command.slice(1)]);
      const exit = await proc.exited;
      assert.notEqual(exit.code, 0, command[0]);
      assert.ok(
        proc.stderr().includes(`page module ${broken}: failed to import: this page module is broken`),
        `${command}:\n${proc.stderr()}`,
      );
    }
    assert.equal(await isListening('127.0.0.1', port), false);
  });

  it('prints usage for --help', async () => {
    const proc = cli(['--help']);
    const exit = await proc.exited;
    assert.equal(exit.code, 0);
    assert.match(proc.stdout(), /usage:/);
    assert.match(proc.stdout(), /dash-ts run <app-module> \[--port 8050\] \[--host 127\.0\.0\.1\]/);
    assert.match(proc.stdout(), /dash-ts worker <app-module>/);
  });

  it('answers an unknown flag with exit code 2 and the usage, not a stack trace', async () => {
    const proc = cli(['run', 'test/apps/with-sibling.ts', '--prot', '1']);
    const exit = await proc.exited;
    assert.equal(exit.code, 2);
    assert.match(proc.stderr(), /dash-ts: Unknown option '--prot'/);
    assert.match(proc.stderr(), /usage:/);
    assert.doesNotMatch(proc.stderr(), /^\s+at /m);
  });
});
