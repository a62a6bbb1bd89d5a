/**
 * dash-ts as users get it: this checkout packed with `npm pack`, installed from the tarball into
 * fresh projects outside the repository, run with the Node that runs these tests (CI: 20 and 24).
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startRedis } from '../support/redis.ts';
import {
  freePort,
  installDashTs,
  newProject,
  packedTarball,
  REPO,
  removeTempDirs,
  runBackgroundCallback,
  type Served,
  serve,
  sh,
  tempDir,
} from './consumer.ts';

const servers: Served[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  removeTempDirs();
});

async function started(
  dir: string,
  command: string,
  args: string[],
  env?: Record<string, string>,
  ready?: RegExp,
) {
  const server = await serve(dir, command, args, env, ready);
  servers.push(server);
  return server;
}

const LAYOUT = `app.layout = html.Div({
  children: [html.Button({ id: 'go', n_clicks: 0, children: 'go' }), html.Div({ id: 'out' })],
});`;
const GO = { id: 'go', property: 'n_clicks', value: 1 };
const OUT = { id: 'out', property: 'children' };

const TS_APP = `import { Dash, html, Input, Output, type CallbackContext } from 'dash-ts';
import { label } from './label.js';

export const app = new Dash({ title: 'typescript app' });
${LAYOUT}
app.callback(
  { background: true, output: Output('out', 'children'), inputs: [Input('go', 'n_clicks')] },
  async (clicks: number, _ctx: CallbackContext): Promise<string> => label(clicks, process.pid),
);
`;
const TS_LABEL = `export function label(clicks: number, pid: number): string {
  return \`clicked \${clicks} in \${pid}\`;
}
`;

/** A page module as Dash's: registerPage, a `layout` export, its own (background) callback. */
const PAGE_MODULE = `import { callback, html, Input, Output, registerPage, type CallbackContext } from 'dash-ts';

registerPage({ path: '/', description: 'the home page' });

export const layout = html.Div({
  children: [html.Button({ id: 'go', n_clicks: 0, children: 'go' }), html.Div({ id: 'out' })],
});

callback(
  { background: true, output: Output('out', 'children'), inputs: [Input('go', 'n_clicks')] },
  async (clicks: number, _ctx: CallbackContext): Promise<string> => \`clicked \${clicks} in \${process.pid}\`,
);
`;

const BULLMQ_APP = `import { BullMQManager, Dash, html, Input, Output, type CallbackContext } from 'dash-ts';
import { label } from './label.js';

export const app = new Dash({
  title: 'bullmq app',
  backgroundManager: new BullMQManager({ connection: process.env.REDIS_URL, queueName: 'packaged' }),
});
${LAYOUT}
app.callback(
  { background: true, output: Output('out', 'children'), inputs: [Input('go', 'n_clicks')] },
  async (clicks: number, _ctx: CallbackContext): Promise<string> => label(clicks, process.pid),
);
`;

function jsApp(run: string): string {
  return `import { Dash, html, Input, Output } from 'dash-ts';

export const app = new Dash({ title: 'javascript app' });
${LAYOUT}
app.callback(
  { background: true, output: Output('out', 'children'), inputs: [Input('go', 'n_clicks')] },
  async (clicks) => \`clicked \${clicks} in \${process.pid}\`,
);
${run}`;
}

/** The page loads, with the renderer from the tarball, and the background callback completes. */
async function assertServesApp(server: Served): Promise<void> {
  const page = await fetch(server.url);
  assert.equal(page.status, 200);
  const html = await page.text();
  const renderer = /src="([^"]*dash_renderer[^"]*\.js)"/.exec(html);
  assert.ok(renderer, `no renderer script on the page:\n${html}`);
  const script = await fetch(new URL(renderer[1]!, server.url));
  assert.equal(script.status, 200, `the renderer ${renderer[1]} is not served`);
  assert.ok((await script.arrayBuffer()).byteLength > 100_000);
  const value = await runBackgroundCallback(server.url, OUT, GO);
  assert.match(String(value), /^clicked 1 in \d+$/, server.output());
}

describe(`the packed package, installed (Node ${process.version})`, { timeout: 600_000 }, () => {
  it('a default npm init -y project serves app.ts with `npx dash-ts run`; its background callback runs in a pool worker', async () => {
    const dir = await newProject({ 'app.ts': TS_APP, 'label.ts': TS_LABEL });
    const server = await started(dir, 'npx', [
      'dash-ts',
      'run',
      'app.ts',
      '--port',
      String(await freePort()),
    ]);
    await assertServesApp(server);
  });

  it("a pages folder: `npx dash-ts run app.ts` imports pages/*.ts, and a page module's background callback runs in a pool worker", async () => {
    const dir = await newProject({
      'app.ts': `import { Dash } from 'dash-ts';\n\nexport const app = new Dash({ title: 'pages app', usePages: true });\n`,
      'pages/home.ts': PAGE_MODULE,
    });
    const server = await started(dir, 'npx', [
      'dash-ts',
      'run',
      'app.ts',
      '--port',
      String(await freePort()),
    ]);
    await assertServesApp(server);
    const head = await (await fetch(server.url)).text();
    assert.match(head, /<meta name="description" content="the home page">/);
  });

  it('`node app.mjs` serves a plain JavaScript app', async () => {
    const dir = await newProject({
      'app.mjs': jsApp("await app.run({ port: Number(process.env.PORT), host: '127.0.0.1' });\n"),
    });
    const server = await started(dir, process.execPath, ['app.mjs'], { PORT: String(await freePort()) });
    await assertServesApp(server);
  });

  it('`npx dash-ts run app.js` runs an ES-module app.js in a "type": "commonjs" project', async () => {
    const dir = await newProject({ 'app.js': jsApp('') });
    const server = await started(dir, 'npx', [
      'dash-ts',
      'run',
      'app.js',
      '--port',
      String(await freePort()),
    ]);
    await assertServesApp(server);
  });

  it('BullMQManager from the tarball: its Lua scripts are in dist/, and a background callback runs in `npx dash-ts worker`', async () => {
    const redis = await startRedis();
    try {
      const dir = await newProject({ 'app.ts': BULLMQ_APP, 'label.ts': TS_LABEL });
      const lua = join(dir, 'node_modules', 'dash-ts', 'dist', 'background', 'bullmq', 'lua');
      for (const script of ['submit.lua', 'take.lua', 'begin.lua', 'finish.lua', 'includes/order.lua']) {
        assert.ok(existsSync(join(lua, script)), `${script} is not in the installed dist/`);
      }
      const env = { REDIS_URL: redis.url };
      const worker = await started(dir, 'npx', ['dash-ts', 'worker', 'app.ts'], env, /running jobs of queue/);
      const server = await started(
        dir,
        'npx',
        ['dash-ts', 'run', 'app.ts', '--port', String(await freePort())],
        env,
      );
      assert.notEqual(server.url, '');
      const value = await runBackgroundCallback(server.url, OUT, GO);
      // A BullMQManager server runs no job itself: the worker ran it, with the scripts from dist/.
      assert.match(String(value), /^clicked 1 in \d+$/, `${server.output()}\n${worker.output()}`);
    } finally {
      // Stopped before their Redis goes.
      await Promise.all(servers.splice(0).map((served) => served.stop()));
      await redis.destroy();
    }
  });

  it('tsc --noEmit (strict, skipLibCheck false) reports no error with NodeNext, then with Bundler', async () => {
    const devDependencies = JSON.parse(await sh(REPO, 'npm', ['pkg', 'get', 'devDependencies'])) as Record<
      string,
      string
    >;
    const dir = await newProject({ 'app.ts': TS_APP, 'label.ts': TS_LABEL }, [
      `typescript@${devDependencies.typescript}`,
      `@types/node@${devDependencies['@types/node']}`,
    ]);
    for (const [module, moduleResolution] of [
      ['NodeNext', 'NodeNext'],
      ['ESNext', 'Bundler'],
    ]) {
      const compilerOptions = {
        strict: true,
        skipLibCheck: false,
        module,
        moduleResolution,
        target: 'ES2022',
        noEmit: true,
      };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }));
      const output = await sh(dir, 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
      assert.equal(output.trim(), '', `${moduleResolution}: ${output}`);
    }
  });

  it('a `dash-ts init` project type-checks and starts with `npm start`', async () => {
    const tools = await newProject({});
    const dir = join(tempDir('dash-ts-init-'), 'my-app');
    const said = await sh(tools, 'npx', ['dash-ts', 'init', dir]);
    assert.match(said, /npm install && npm start/);
    await installDashTs(dir);
    assert.equal((await sh(dir, 'npm', ['run', 'typecheck', '--silent'])).trim(), '');
    const server = await started(dir, 'npm', ['start'], { PORT: String(await freePort()) });
    assert.equal((await fetch(server.url)).status, 200);
    const value = await runBackgroundCallback(
      server.url,
      { id: 'result', property: 'children' },
      { id: 'run', property: 'n_clicks', value: 1 },
    );
    assert.equal(value, 'Counted to 5 (run #1)');
  });

  it('publint and @arethetypeswrong/cli (ESM-only profile) find no problem in the tarball', async () => {
    const tarball = await packedTarball();
    const bin = (name: string) => join(REPO, 'node_modules', '.bin', name);
    const publint = await sh(REPO, bin('publint'), ['run', tarball, '--strict']);
    assert.match(publint, /All good/, publint);
    // ESM-only: CommonJS code loads dash-ts with require() on Node 20.19+/22.12+ (README).
    const attw = await sh(REPO, bin('attw'), [tarball, '--profile', 'esm-only', '--no-color', '--no-emoji']);
    // attw exits non-zero on any problem the profile does not ignore; the table says why.
    assert.match(attw, /node16 \(from ESM\) │ OK \(ESM\)/, attw);
    assert.match(attw, /bundler +│ OK /, attw);
  });
});
