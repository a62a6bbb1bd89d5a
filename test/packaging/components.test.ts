/**
 * `npx dash-ts components add` in a fresh project with the packed dash-ts (issue 10's "done"):
 * the CLI installs each suite with npm and writes its module; an app using dbc, dmc and DataTable
 * type-checks (strict, skipLibCheck false, NodeNext), serves their bundles and Bootstrap's CSS from
 * the project's node_modules, renders styled in Chromium without console errors, and a background
 * job in a pool worker returns a dbc component. A package that is not a suite leaves no module.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { launchBrowser, waitForText } from '../support/browser.ts';
import {
  freePort,
  newProject,
  REPO,
  removeTempDirs,
  runBackgroundCallback,
  type Served,
  serve,
  sh,
} from './consumer.ts';

const SUITES = ['dash-bootstrap-components@1.6.0', 'dash_mantine_components@2.2.0', 'dash-table@7.4.1'];

const APP = `import { type CallbackContext, Dash, html, Input, Output, packageFileUrl } from 'dash-ts';
import * as dbc from './components/dash-bootstrap-components.js';
import * as dmc from './components/dash_mantine_components.js';
import * as dashTable from './components/dash-table.js';

export const app = new Dash({
  title: 'suites',
  externalStylesheets: [packageFileUrl('bootstrap/dist/css/bootstrap.min.css')],
});

app.layout = dbc.Container({
  children: [
    dbc.Button({ id: 'go', children: 'Go', color: 'primary', n_clicks: 0 }),
    html.Div({ id: 'out' }),
    dmc.MantineProvider({ children: dmc.Badge({ id: 'mantine', children: 'Mantine' }) }),
    dashTable.DataTable({ id: 'table', columns: [{ id: 'a', name: 'A' }], data: [{ a: 'cell' }] }),
  ],
});

app.callback(
  { background: true, output: Output('out', 'children'), inputs: [Input('go', 'n_clicks')], preventInitialCall: true },
  async (clicks: number, _ctx: CallbackContext) => dbc.Badge({ id: 'badge', children: \`clicked \${clicks}\` }),
);
`;

const servers: Served[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  removeTempDirs();
});

describe('dash-ts components add, in a fresh project', { timeout: 900_000 }, () => {
  it('adds dbc, dmc and dash-table; the app type-checks, serves and renders them, and a worker returns dbc', async () => {
    const devDependencies = JSON.parse(await sh(REPO, 'npm', ['pkg', 'get', 'devDependencies'])) as Record<
      string,
      string
    >;
    const dir = await newProject({ 'app.ts': APP }, [
      `bootstrap@${devDependencies.bootstrap}`,
      `typescript@${devDependencies.typescript}`,
      `@types/node@${devDependencies['@types/node']}`,
    ]);
    for (const spec of SUITES) {
      const said = await sh(dir, 'npx', ['dash-ts', 'components', 'add', spec]);
      const name = spec.slice(0, spec.lastIndexOf('@'));
      assert.match(said, new RegExp(`wrote components/${name}\\.ts: \\d+ components of ${spec}`));
    }
    const dependencies = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies;
    for (const spec of SUITES) assert.ok(dependencies[spec.slice(0, spec.lastIndexOf('@'))], `${spec} saved`);

    const compilerOptions = {
      strict: true,
      skipLibCheck: false,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      noEmit: true,
    };
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions, include: ['*.ts', 'components'] }),
    );
    assert.equal((await sh(dir, 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'])).trim(), '');

    const server = await serve(dir, 'npx', ['dash-ts', 'run', 'app.ts', '--port', String(await freePort())]);
    servers.push(server);
    const index = await (await fetch(server.url)).text();
    for (const file of [
      /_dash-component-suites\/dash_bootstrap_components\/dash_bootstrap_components\.v1_6_0m\d+\.min\.js/,
      /_dash-component-suites\/dash_mantine_components\/dash_mantine_components\.v2_2_0m\d+\.js/,
      /_dash-component-suites\/dash_table\/bundle\.v7_4_1m\d+\.js/,
      /_dash-component-suites\/npm\/bootstrap\/dist\/css\/bootstrap\.v5_3_9m\d+\.min\.css/,
    ]) {
      const path = file.exec(index)?.[0];
      assert.ok(path, `the index page links ${file}`);
      const response = await fetch(new URL(path, server.url));
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    }

    const badge = await runBackgroundCallback(
      server.url,
      { id: 'out', property: 'children' },
      { id: 'go', property: 'n_clicks', value: 1 },
    );
    assert.deepEqual(badge, {
      type: 'Badge',
      namespace: 'dash_bootstrap_components',
      props: { id: 'badge', children: 'clicked 1' },
    });

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(server.url);
      await page.locator('#go').waitFor();
      assert.equal(
        await page.locator('#go').evaluate((el) => getComputedStyle(el).backgroundColor),
        'rgb(13, 110, 253)',
      );
      assert.match((await page.locator('#mantine').getAttribute('class')) ?? '', /mantine-Badge-root/);
      await waitForText(page, '#table td[data-dash-column="a"]', 'cell', 15_000);
      await page.click('#go');
      await waitForText(page, '#badge', 'clicked 1', 20_000);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }

    // Not a suite: a clear error, exit 1, and no module.
    const refused = await sh(dir, 'npx', ['dash-ts', 'components', 'add', 'bootstrap', '--no-install']).then(
      () => 'exit 0',
      (error: Error) => error.message,
    );
    assert.match(refused, /bootstrap@5\.3\.9 is not a Dash component suite/);
    assert.ok(!existsSync(join(dir, 'components', 'bootstrap.ts')));
  });
});
