/**
 * The packaging tests' fixtures: this checkout packed once with `npm pack` (its `prepack` builds
 * dist/), and fresh projects in the temp folder that install the tarball as a user would.
 *
 * Installs run with `--ignore-scripts`, which also proves that dash-ts needs no install script of
 * its own. The one install step a dependency needs, better-sqlite3's native build, is taken from
 * this checkout's node_modules (same package version, built for the Node running the tests) rather
 * than compiled again for every project: that would cost minutes and test nothing of ours.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, pageToken, postUpdate } from '../support/server-process.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const made: string[] = [];

/** The environment of a user's shell: this Node first on PATH, no npm settings of the test run. */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(npm_|INIT_CWD$|NODE_OPTIONS$|TSX_)/i.test(key) &&
      !/^npm_config_(cache|registry|userconfig)$/i.test(key)
    ) {
      continue;
    }
    env[key] = value;
  }
  env.PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
  return { ...env, ...extra };
}

/** Runs a command to completion in `cwd`; rejects with its output if it fails. */
export async function sh(
  cwd: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd,
      env: userEnv(env),
      maxBuffer: 64 * 1024 * 1024,
      timeout: 300_000,
    });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
  }
}

let tarball: Promise<string> | undefined;

/**
 * `npm pack` of this checkout: once per test run under scripts/run-tests.mjs (the first test
 * process to ask packs into the run's folder, the others wait for it), else once per process. One
 * pack also means no process rebuilds dist/ while another packs or runs it.
 */
export function packedTarball(): Promise<string> {
  const runDir = process.env.DASH_TS_TEST_RUN_DIR;
  tarball ??= runDir ? sharedTarball(join(runDir, 'pack')) : packInto(tempDir('dash-ts-pack-'));
  return tarball;
}

async function packInto(into: string): Promise<string> {
  await sh(REPO, 'npm', ['pack', '--pack-destination', into, '--silent']);
  const file = readdirSync(into).find((name) => name.endsWith('.tgz'));
  if (!file) throw new Error(`npm pack wrote no tarball into ${into}`);
  return join(into, file);
}

async function sharedTarball(into: string): Promise<string> {
  const done = join(into, 'packed');
  const failed = join(into, 'failed');
  try {
    mkdirSync(into); // atomic: exactly one process packs
  } catch {
    for (const deadline = Date.now() + 600_000; Date.now() < deadline; await sleep(250)) {
      if (existsSync(done)) return readFileSync(done, 'utf8');
      if (existsSync(failed))
        throw new Error(`npm pack failed in another test process:\n${readFileSync(failed, 'utf8')}`);
    }
    throw new Error(`no tarball in ${into} after 10 min`);
  }
  try {
    const file = await packInto(into);
    writeFileSync(`${done}.tmp`, file);
    renameSync(`${done}.tmp`, done);
    return file;
  } catch (error) {
    writeFileSync(failed, (error as Error).message);
    throw error;
  }
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Installs the packed dash-ts (and `extra` packages) into the project at `dir`. */
export async function installDashTs(dir: string, extra: string[] = []): Promise<void> {
  await sh(dir, 'npm', [
    'install',
    await packedTarball(),
    ...extra,
    '--ignore-scripts',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
  ]);
  const binary = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  mkdirSync(dirname(join(dir, binary)), { recursive: true });
  copyFileSync(join(REPO, binary), join(dir, binary));
}

/** A fresh `npm init -y` project (npm's defaults, `"type": "commonjs"`) with dash-ts installed. */
export async function newProject(files: Record<string, string>, extra: string[] = []): Promise<string> {
  const dir = tempDir('dash-ts-user-');
  await sh(dir, 'npm', ['init', '-y']);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  await installDashTs(dir, extra);
  return dir;
}

/**
 * A fresh `npm init -y` project with dash-ts linked in by `npm link`, as a developer links a
 * checkout: `node_modules/dash-ts` is a symlink to a folder outside any `node_modules`, with
 * `dist/` and the `src/` its source maps point to. That folder is this checkout's package files
 * (the packed tarball, unpacked) beside this checkout's own node_modules, rather than the checkout
 * itself, so that another test rebuilding dist/ meanwhile cannot change files under a running
 * server. npm's global folder is a temporary one (NPM_CONFIG_PREFIX), so the machine's is untouched.
 */
export async function linkedProject(
  files: Record<string, string>,
): Promise<{ dir: string; checkout: string }> {
  const checkout = tempDir('dash-ts-checkout-');
  await sh(checkout, 'tar', ['-xzf', await packedTarball(), '--strip-components=1']);
  symlinkSync(join(REPO, 'node_modules'), join(checkout, 'node_modules'));
  const link = { NPM_CONFIG_PREFIX: tempDir('dash-ts-npm-global-') };
  const options = ['--ignore-scripts', '--no-audit', '--no-fund'];
  await sh(checkout, 'npm', ['link', ...options], link);
  const dir = tempDir('dash-ts-linked-');
  await sh(dir, 'npm', ['init', '-y']);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  await sh(dir, 'npm', ['link', 'dash-ts', ...options], link);
  return { dir, checkout };
}

export interface Served {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a server command in `dir` and waits for its "serving ... on <url>" line (or for `ready`,
 * for a command that serves no URL: `url` is then '').
 */
export async function serve(
  dir: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
  ready = /serving .* on (http:\/\/\S+)/,
): Promise<Served> {
  const child: ChildProcess = spawn(command, args, {
    cwd: dir,
    env: userEnv({ DASH_TS_LOG: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // npm start / npx run the server as a grandchild: stop the whole group.
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no server after 60 s:\n${log}`)), 60_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const match = ready.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? '');
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${log}`));
    });
  });
  return {
    url,
    output: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(-child.pid!, 'SIGTERM');
      }),
  };
}

export { freePort };

/**
 * Clicks a button's background callback over Dash's HTTP protocol (as the renderer does) and
 * polls until it answers; returns the output's final value.
 */
export async function runBackgroundCallback(
  url: string,
  output: { id: string; property: string },
  input: { id: string; property: string; value: unknown },
): Promise<unknown> {
  const endId = await pageToken(url);
  const body = {
    output: `${output.id}.${output.property}`,
    outputs: output,
    inputs: [input],
    changedPropIds: [`${input.id}.${input.property}`],
  };
  const first = await postUpdate(url, body, `?endId=${endId}`);
  if (first.status !== 200) throw new Error(`the callback answered ${first.status}`);
  let answer = first.json!;
  const deadline = Date.now() + 30_000;
  while (!answer.response) {
    if (Date.now() > deadline) throw new Error(`no result after 30 s: ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const poll = await postUpdate(
      url,
      body,
      `?endId=${endId}&cacheKey=${first.json!.cacheKey}&job=${first.json!.job}`,
    );
    if (poll.status !== 200) throw new Error(`a poll answered ${poll.status}`);
    answer = poll.json!;
  }
  return answer.response[output.id]?.[output.property];
}
