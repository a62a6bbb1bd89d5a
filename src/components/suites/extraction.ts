/**
 * Runs the metadata extractor (extract/child.ts) on a suite's files without executing any of the
 * package's code in this process: the extractor is a child process under Node's permission model
 * that may only read the package folder (and its own code), may not write a file, start a process
 * or a worker, load an addon or use WASI, and is SIGKILLed by this process when its time is up,
 * whatever it is doing (a synchronous loop, a microtask or promise loop, `Atomics.wait`). What it
 * answers on stdout is parsed and checked here (wire.ts); an answer larger than MAX_OUTPUT is refused.
 *
 * Network: the permission model has no network switch before Node 25 (`--allow-net`), so on Node
 * 20, 22 and 24 what stops a bundle from opening a socket is that nothing in its vm realm leads
 * out of it (extract/realm.ts), that code cannot be made from strings outside that realm
 * (`--disallow-code-generation-from-strings`), and that the extractor drops
 * `process.getBuiltinModule` and `process.binding` (the latter is also refused by the model).
 */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SuiteMetadataError } from './errors.ts';
import type { ExtractionRequest } from './extract/protocol.ts';

/** Default wall-clock limit of one extraction (dash_mantine_components takes about 3 s). */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** The largest answer accepted (dash_mantine_components answers about 1 MiB). */
export const MAX_OUTPUT = 32 * 1024 * 1024;
/** The extractor's heap limit, so that a bundle that allocates without end fails fast. */
const HEAP_MB = 1536;

/** `.js` in the installed package; `.ts` when running from the repository's sources through tsx. */
const OWN_EXTENSION = path.extname(fileURLToPath(import.meta.url));
const CHILD_DIR = fileURLToPath(new URL('./extract/', import.meta.url));
const CHILD_ENTRY = path.join(CHILD_DIR, `child${OWN_EXTENSION}`);

/** The flags that confine the extractor: permission model, reads of `readable` folders only, no code from strings. */
export function sandboxFlags(readable: string[]): string[] {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const stable = major > 22 || (major === 22 && minor >= 13);
  // One flag per folder: a comma-separated list is not read as a list (Node 20.20 and 24 alike).
  const flags = [
    stable ? '--permission' : '--experimental-permission',
    ...readable.map((dir) => `--allow-fs-read=${dir}`),
  ];
  flags.push('--disallow-code-generation-from-strings', '--no-warnings', `--max-old-space-size=${HEAP_MB}`);
  return flags;
}

export interface ExtractionOptions {
  /** Wall-clock limit in milliseconds (default DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** Runs the extractor on `request` and returns what it wrote (JSON text, not yet checked). */
export function runExtractor(request: ExtractionRequest, options: ExtractionOptions = {}): string {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const program = childProgram();
  const readable = [...new Set([realpathSync(request.root), ...program.readable])];
  const result = spawnSync(
    process.execPath,
    [...sandboxFlags(readable), ...program.args, JSON.stringify(request)],
    {
      input: program.input ?? '',
      // Nothing of the user's environment (tokens, NODE_OPTIONS) reaches the extractor; Windows
      // processes need SystemRoot to start.
      env: process.platform === 'win32' ? { SystemRoot: process.env.SystemRoot } : {},
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: MAX_OUTPUT,
      encoding: 'utf8',
    },
  );
  const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ETIMEDOUT') {
    throw new SuiteMetadataError(
      `${request.label}: reading its component metadata did not finish within ${timeoutMs / 1000} s, so the ` +
        `package's code was stopped (a large suite on a busy machine may need a longer --timeout)`,
    );
  }
  if (code === 'ENOBUFS') {
    throw new SuiteMetadataError(
      `${request.label}: its component metadata is larger than ${MAX_OUTPUT / 1024 / 1024} MiB; refused`,
    );
  }
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const denied = /ERR_ACCESS_DENIED/.test(result.stderr) ? ' (it did something the sandbox forbids)' : '';
    throw new SuiteMetadataError(
      `${request.label}: the metadata extractor failed (${result.signal ?? `exit ${result.status}`})${denied}: ` +
        result.stderr.trim().split('\n').slice(-3).join(' '),
    );
  }
  return result.stdout;
}

/**
 * The compiled extractor runs as a file (its folder is readable). From the repository's TypeScript
 * sources it is bundled to one script and fed on stdin: tsx cannot run under the permission model
 * (its compiler is a child process), and Node 20 has no type stripping.
 */
function childProgram(): { args: string[]; input?: string; readable: string[] } {
  if (OWN_EXTENSION === '.js') {
    // Real paths: under pnpm, dash-ts's folder is a link, and the model checks the path it is given.
    const dir = realpathSync(CHILD_DIR);
    return { args: [path.join(dir, path.basename(CHILD_ENTRY))], readable: [dir] };
  }
  bundled ??= bundleSources();
  return { args: ['--input-type=module', '-'], input: bundled, readable: [] };
}

let bundled: string | undefined;

function bundleSources(): string {
  // esbuild comes with tsx, which running from sources needs anyway.
  const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx'));
  const esbuild = fromTsx('esbuild') as {
    buildSync(options: Record<string, unknown>): { outputFiles: { text: string }[] };
  };
  return esbuild.buildSync({
    entryPoints: [CHILD_ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // realmPrelude's source text is evaluated in the realm: no helpers may be injected into it.
    keepNames: false,
    minify: false,
  }).outputFiles[0]!.text;
}
