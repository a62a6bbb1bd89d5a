/**
 * The same app whatever copy of dash-ts runs it (issue 15, item 6): dash-ts linked into a project
 * with `npm link` (outside any node_modules, with source maps to its sources), on this Node and on
 * Node 24, with source maps off and on; and that linked copy's CLI given an app that imports a
 * project's own, second copy of dash-ts (installed from the tarball), of the same major (served)
 * and of another (refused, naming both copies).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  freePort,
  linkedProject,
  newProject,
  REPO,
  removeTempDirs,
  runBackgroundCallback,
  type Served,
  serve,
  userEnv,
} from './consumer.ts';

const NODE24 = join(homedir(), '.cache', 'dash-ts-node24', `node-linux-${process.arch}`, 'bin', 'node');
const RUNNING_ON_24 = process.versions.node.startsWith('24.');

const servers: Served[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  removeTempDirs();
});

function appSource(typescript: boolean, run = ''): string {
  const args = typescript ? '(clicks: number): Promise<string>' : '(clicks)';
  return `import { Dash, html, Input, Output } from 'dash-ts';

export const app = new Dash({ title: 'one app, any copy' });
app.layout = html.Div({
  children: [html.Button({ id: 'go', n_clicks: 0, children: 'go' }), html.Div({ id: 'out' })],
});
app.callback(
  { background: true, output: Output('out', 'children'), inputs: [Input('go', 'n_clicks')] },
  async ${args} => \`clicked \${clicks} on \${process.version}\`,
);
${run}`;
}
const APP = appSource(true);
/** Served by `node app.mjs`: the app's workers import the module that built the app. */
const STANDALONE_APP = appSource(false, "await app.run({ host: '127.0.0.1' });\n");

/** Serves the project with `command args`, runs its background callback, stops it; the value. */
async function backgroundValue(
  dir: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  const server = await serve(dir, command, args, { PORT: String(await freePort()), ...env });
  servers.push(server);
  try {
    const value = await runBackgroundCallback(
      server.url,
      { id: 'out', property: 'children' },
      { id: 'go', property: 'n_clicks', value: 1 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nserver output:\n${server.output()}`);
    });
    return String(value);
  } finally {
    await server.stop();
  }
}

let linked: Promise<{ dir: string; checkout: string }> | undefined;

/** One linked project for the tests below (each server is stopped before the next starts). */
async function linkedApp(): Promise<string> {
  const { dir, checkout } = await linkedCheckout();
  const installed = join(dir, 'node_modules', 'dash-ts');
  assert.ok(lstatSync(installed).isSymbolicLink(), 'npm link made no symlink');
  assert.equal(realpathSync(installed), realpathSync(checkout));
  return dir;
}

function linkedCheckout(): Promise<{ dir: string; checkout: string }> {
  linked ??= linkedProject({ 'app.ts': APP, 'app.mjs': STANDALONE_APP });
  return linked;
}

/** The CLI of the linked checkout, as `dash-ts` is where a user linked it (`npm link` puts it on PATH). */
async function checkoutCli(): Promise<{ bin: string; packageDir: string }> {
  const { checkout } = await linkedCheckout();
  return { bin: join(checkout, 'dist', 'cli', 'bin.js'), packageDir: realpathSync(checkout) };
}

/** And Node 24, where another Node runs this file (.ci/run runs it on 24 too) and 24 is at hand. */
const NODES = [
  { name: process.version, path: process.execPath, answers: process.version, skip: false as string | false },
  ...(RUNNING_ON_24
    ? []
    : [
        {
          name: 'Node 24',
          path: NODE24,
          answers: 'v24.',
          skip: !existsSync(NODE24) && `Node 24 is not at ${NODE24} (.ci/run fetches it)`,
        },
      ]),
];

describe(`dash-ts linked with npm link (Node ${process.version})`, { timeout: 600_000 }, () => {
  for (const node of NODES) {
    // npx, node and dash-ts's bin all run the first node on PATH.
    const env = { PATH: `${dirname(node.path)}:${userEnv().PATH}` };

    it(`${node.name}: \`npx dash-ts run app.ts\`; the background callback completes in a pool worker`, {
      skip: node.skip,
    }, async () => {
      const dir = await linkedApp();
      const value = await backgroundValue(dir, 'npx', ['dash-ts', 'run', 'app.ts'], env);
      assert.ok(value.startsWith(`clicked 1 on ${node.answers}`), value);
    });

    it(`${node.name}: \`node --enable-source-maps app.mjs\` (source maps on); the same`, {
      skip: node.skip,
    }, async () => {
      const dir = await linkedApp();
      const value = await backgroundValue(dir, 'node', ['--enable-source-maps', 'app.mjs'], env);
      assert.ok(value.startsWith(`clicked 1 on ${node.answers}`), value);
    });
  }
});

const run = promisify(execFile);

describe(`the linked checkout's CLI, given an app that imports a second copy of dash-ts (Node ${process.version})`, {
  timeout: 600_000,
}, () => {
  let project: Promise<string> | undefined;
  const installedProject = () => {
    project ??= newProject({ 'app.ts': APP });
    return project;
  };

  it('of the same major: serves it, and its background callback completes', async () => {
    const dir = await installedProject();
    const cli = await checkoutCli();
    const value = await backgroundValue(dir, process.execPath, [cli.bin, 'run', 'app.ts']);
    assert.equal(value, `clicked 1 on ${process.version}`);
  });

  it('of another major: exits 2 naming both copies, their versions and where they lie', async () => {
    const dir = await installedProject();
    // A folder whose own node_modules/dash-ts is that copy with the next major's version.
    const other = join(dir, 'other-major');
    const copy = join(other, 'node_modules', 'dash-ts');
    mkdirSync(dirname(copy), { recursive: true });
    cpSync(join(dir, 'node_modules', 'dash-ts'), copy, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as { version: string };
    const ours = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    manifest.version = `${Number(ours.version.split('.')[0]) + 1}.0.0`;
    writeFileSync(join(copy, 'package.json'), JSON.stringify(manifest));
    writeFileSync(join(other, 'app.ts'), APP);

    const cli = await checkoutCli();
    const failed = await run(process.execPath, [cli.bin, 'run', 'app.ts', '--port', '0'], {
      cwd: other,
      env: userEnv(),
      timeout: 60_000,
    }).then(
      () => assert.fail('the CLI served an app of another major'),
      (error: { code?: number; stderr?: string }) => error,
    );
    assert.equal(failed.code, 2, failed.stderr);
    const said = failed.stderr ?? '';
    assert.ok(said.includes(`dash-ts ${manifest.version} (${realpathSync(copy)})`), said);
    assert.ok(said.includes(`${ours.version} (${cli.packageDir})`), said);
    assert.match(said, /another major version/);
  });
});
