/**
 * A real nginx (Debian's /usr/sbin/nginx), unprivileged, running deploy/nginx.conf as shipped
 * with only its ports replaced: the listen port and one upstream line per server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './server-process.ts';

export interface Nginx {
  url: string;
  /** The access log: one line per request, `up=<server>` naming the server that answered. */
  accessLog(): string;
  stop(): Promise<void>;
}

export function nginxPath(): string {
  const path = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
  if (!existsSync(path)) {
    throw new Error(`nginx not found at ${path}: install Debian's nginx (apt-get install -y nginx)`);
  }
  return path;
}

/** Starts nginx in `dir` (its prefix: config, logs, temp files) in front of `upstreams` (ports). */
export async function startNginx(dir: string, upstreams: number[]): Promise<Nginx> {
  const binary = nginxPath();
  const shipped = readFileSync('deploy/nginx.conf', 'utf8');
  const servers = /^(\s*)server 127\.0\.0\.1:8051;\n\s*server 127\.0\.0\.1:8052;\n/m;
  if (!servers.test(shipped) || !shipped.includes('listen 127.0.0.1:8050;')) {
    throw new Error('deploy/nginx.conf no longer has the upstream and listen lines this test replaces');
  }
  const port = await freePort();
  const config = shipped
    .replace(servers, (_all, indent: string) =>
      upstreams.map((upstream) => `${indent}server 127.0.0.1:${upstream};\n`).join(''),
    )
    .replace('listen 127.0.0.1:8050;', `listen 127.0.0.1:${port};`);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  writeFileSync(join(dir, 'nginx.conf'), config);
  const child: ChildProcess = spawn(binary, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited at start:\n${output}`);
    if (await accepts(port)) break;
    if (i > 100) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not listen on ${port}:\n${output}`);
    }
    await sleep(50);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    accessLog: () => readFileSync(join(dir, 'logs', 'access.log'), 'utf8'),
    stop: async () => {
      // QUIT: a graceful stop, so the access log is complete.
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
      process.removeListener('exit', killOnExit);
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
