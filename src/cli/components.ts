/**
 * `dash-ts components add <package>[@version]`: installs the suite with the project's package
 * manager when it is not there yet (that is all it installs), then writes a TypeScript module of
 * typed builders that registers the suite when imported. A suite whose metadata cannot be read
 * leaves no file behind: the module is written in one rename, only after generation succeeded.
 * The package's code runs only in the confined extractor process (components/suites/extraction.ts),
 * stopped after `--timeout` seconds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { printable, SuiteMetadataError } from '../components/suites/errors.ts';
import { DEFAULT_TIMEOUT_MS } from '../components/suites/extraction.ts';
import { generateSuiteModule } from '../components/suites/generate.ts';
import { readPackageJson } from '../components/suites/package.ts';
import { UsageError } from './app-module.ts';

export async function componentsCommand(argv: string[]): Promise<void> {
  const [subcommand, ...rest] = argv;
  if (subcommand !== 'add')
    throw new UsageError(`unknown components command ${JSON.stringify(subcommand ?? '')}`);
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      out: { type: 'string' },
      namespace: { type: 'string' },
      'no-install': { type: 'boolean' },
      timeout: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('components add takes exactly one package');
  const { name, version } = parseSpec(positionals[0]!);
  const timeoutMs = values.timeout === undefined ? DEFAULT_TIMEOUT_MS : Number(values.timeout) * 1000;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new UsageError(`--timeout takes a number of seconds, not ${JSON.stringify(values.timeout)}`);
  }
  const project = process.cwd();
  let packageDir = installedPackage(project, name);
  const installedVersion = packageDir && readPackageJson(packageDir, name).version;
  if (!packageDir || (version !== undefined && installedVersion !== version)) {
    if (values['no-install']) {
      throw new SuiteMetadataError(
        `${positionals[0]} is not installed in ${project}` +
          (installedVersion ? ` (${installedVersion} is)` : '') +
          ': install it, or run without --no-install',
      );
    }
    install(project, positionals[0]!);
    packageDir = installedPackage(project, name);
    if (!packageDir)
      throw new SuiteMetadataError(`${name}: installed, but not found under ${project}/node_modules`);
  }

  const generated = generateSuiteModule(packageDir, { namespace: values.namespace, timeoutMs });
  const out = path.resolve(
    project,
    values.out ?? path.join('components', `${name.replace(/^@[^/]+\//, '')}.ts`),
  );
  writeAtomically(out, generated.text);
  const shown = path.relative(project, out) || out;
  const { suite, metadata } = generated;
  // The package's own strings are shown escaped: they may hold terminal escapes or line breaks.
  process.stdout.write(
    `wrote ${shown}: ${metadata.components.size} components of ${printable(`${suite.name}@${suite.version}`)} ` +
      `(namespace ${suite.namespace})\n` +
      `use it: import * as ${shortName(name)} from './${shown.split(path.sep).join('/')}';\n`,
  );
}

/** `name`, `name@1.2.3`, `@scope/name`, `@scope/name@1.2.3`. */
export function parseSpec(spec: string): { name: string; version: string | undefined } {
  const at = spec.indexOf('@', 1);
  const name = at < 0 ? spec : spec.slice(0, at);
  const version = at < 0 ? undefined : spec.slice(at + 1);
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name) || version === '') {
    throw new UsageError(`${JSON.stringify(spec)} is not an npm package name (with an optional @version)`);
  }
  return { name, version };
}

/** The package as Node would resolve it from the project: node_modules here or in a parent folder. */
function installedPackage(project: string, name: string): string | undefined {
  for (let dir = project; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Installs with the project's own package manager (pnpm or yarn when their lockfile is there, else npm). */
function install(project: string, spec: string): void {
  const [command, args] = existsSync(path.join(project, 'pnpm-lock.yaml'))
    ? ['pnpm', ['add', spec]]
    : existsSync(path.join(project, 'yarn.lock'))
      ? ['yarn', ['add', spec]]
      : ['npm', ['install', spec]];
  process.stderr.write(`dash-ts: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, {
    cwd: project,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) {
    throw new SuiteMetadataError(
      `\`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`,
    );
  }
}

function writeAtomically(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** `dash-bootstrap-components` → `dbc`, `dash_mantine_components` → `dmc`, `dash-table` → `dashTable`. */
function shortName(packageName: string): string {
  const words = packageName
    .replace(/^@[^/]+\//, '')
    .split(/[-_]/)
    .filter(Boolean);
  if (words.length >= 3)
    return words
      .map((word) => word[0])
      .join('')
      .toLowerCase();
  return words.map((word, i) => (i === 0 ? word : word[0]!.toUpperCase() + word.slice(1))).join('');
}
