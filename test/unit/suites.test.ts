/**
 * The suite generator on three real suites from npm (devDependencies): component counts, prop
 * types by name, namespaces and bundles; the clear error, and no file, for a package that is not
 * a suite; the committed generated modules match a fresh run; a registered suite's files are
 * served from node_modules like dcc's, and nothing else in the package is.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { indexScriptPaths, serveComponentSuite } from '../../src/app/assets.ts';
import { childrenPropsConfig } from '../../src/components/index.ts';
import { generateSuiteModule } from '../../src/components/suites/generate.ts';
import { SuiteMetadataError } from '../../src/components/suites/metadata.ts';
import { packageFileUrl } from '../../src/components/suites/package-files.ts';
import { registerSuite, SuiteNotInstalledError } from '../../src/components/suites/registry.ts';
import * as dashTable from '../apps/components/dash-table.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const installed = (name: string) => path.join(ROOT, 'node_modules', name);

/** The TypeScript type of `prop` in `<type>Props`, as written in the module. */
function propType(text: string, type: string, prop: string): string | undefined {
  const start = text.indexOf(`export type ${type}Props = {\n`);
  assert.ok(start >= 0, `${type}Props is in the module`);
  const body = text.slice(start, text.indexOf('\n};', start));
  const line = body.split('\n').find((l) => l.startsWith(`  ${prop}?: `) || l.startsWith(`  ${prop}: `));
  return line?.slice(line.indexOf(': ') + 2, -1);
}

describe('generating suite modules', () => {
  test('dash-bootstrap-components: prop types come from its shipped propTypes sources (the bundle has shims)', () => {
    const { suite, metadata, text } = generateSuiteModule(installed('dash-bootstrap-components'));
    assert.equal(metadata.components.size, 66);
    assert.equal(suite.namespace, 'dash_bootstrap_components');
    assert.equal(`${suite.bundleDir}/${suite.bundle}`, 'dist/dash_bootstrap_components.min.js');
    assert.equal(propType(text, 'Button', 'n_clicks'), 'number | null');
    assert.equal(propType(text, 'Button', 'type'), "'button' | 'reset' | 'submit' | null");
    assert.equal(propType(text, 'Progress', 'value'), 'string | number | null');
    assert.equal(propType(text, 'Progress', 'striped'), 'boolean | null');
    assert.equal(propType(text, 'Card', 'children'), 'Children');
    assert.match(text, /\n {4}Checklist: \['options\[\]\.label'\],\n/);
    assert.match(text, /export const Button = suite\.component<ButtonProps>\('Button'\);/);
  });

  test("dash_mantine_components: Dash's proptypes.js, repaired where it is not valid JavaScript", () => {
    const { suite, metadata, text } = generateSuiteModule(installed('dash_mantine_components'));
    assert.equal(metadata.components.size, 174);
    assert.equal(suite.namespace, 'dash_mantine_components');
    assert.equal(suite.propTypesFile, 'proptypes.js');
    assert.ok(metadata.components.has('MantineProvider'));
    assert.ok(!metadata.components.has('ChipGroupContext'), 'types the bundle does not export are left out');
    assert.equal(propType(text, 'Button', 'leftSection'), 'Children');
    assert.equal(propType(text, 'Select', 'label'), 'Children');
    assert.equal(propType(text, 'Select', 'value'), 'string | null');
    assert.match(text, /\n {4}Accordion: \['chevron'\],\n/);
    // `data-*` became a template-literal index signature, not a syntax error.
    assert.match(text, /\[attribute: `data-\$\{string\}`\]/);
  });

  test('dash-table: DataTable from its bundle, chunks beside it', () => {
    const { suite, metadata, text } = generateSuiteModule(installed('dash-table'));
    assert.deepEqual([...metadata.components.keys()], ['DataTable']);
    assert.equal(suite.namespace, 'dash_table');
    assert.equal(`${suite.bundleDir}/${suite.bundle}`, 'dash_table/bundle.js');
    assert.equal(propType(text, 'DataTable', 'sort_action'), "'custom' | 'native' | 'none' | null");
    assert.equal(propType(text, 'DataTable', 'editable'), 'boolean | null');
    assert.equal(propType(text, 'DataTable', 'page_size'), 'number | null');
  });

  test('the committed modules are what the generator writes today', () => {
    for (const [name, file] of [
      ['dash-bootstrap-components', 'examples/components/dash-bootstrap-components.ts'],
      ['dash_mantine_components', 'test/apps/components/dash_mantine_components.ts'],
      ['dash-table', 'test/apps/components/dash-table.ts'],
    ] as const) {
      const fresh = generateSuiteModule(installed(name)).text;
      assert.ok(fresh === readFileSync(path.join(ROOT, file), 'utf8'), `${file} is stale: regenerate it`);
    }
  });

  test('a package that is not a Dash suite: an error naming it and what is missing', () => {
    assert.throws(
      () => generateSuiteModule(installed('bootstrap')),
      (error: Error) =>
        error instanceof SuiteMetadataError &&
        error.message.startsWith('bootstrap@5.3.9 is not a Dash component suite') &&
        error.message.includes('window.bootstrap'),
    );
    assert.throws(
      () => generateSuiteModule(installed('@popperjs/core')),
      (error: Error) => error instanceof SuiteMetadataError && /^@popperjs\/core@[\d.]+ /.test(error.message),
    );
  });

  test('the CLI exits 1 with that message and writes no module', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dash-ts-suites-'));
    try {
      const out = path.join(dir, 'components', 'bootstrap.ts');
      const result = spawnSync(
        process.execPath,
        [path.join(ROOT, 'bin/dash-ts.js'), 'components', 'add', 'bootstrap', '--no-install', '--out', out],
        { cwd: ROOT, encoding: 'utf8' },
      );
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /^dash-ts: bootstrap@5\.3\.9 is not a Dash component suite/);
      assert.ok(!existsSync(out), 'no module written');
      assert.ok(!existsSync(path.dirname(out)) || readFileSync(out, 'utf8') === '', 'nothing half-written');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a registered suite', () => {
  test('serialises with its namespace', () => {
    const table = dashTable.DataTable({ id: 't', data: [] });
    assert.deepEqual(JSON.parse(JSON.stringify(table)), {
      type: 'DataTable',
      namespace: 'dash_table',
      props: { id: 't', data: [] },
    });
  });

  test('loads after the renderer and html, and its children_props reach the config', () => {
    const scripts = indexScriptPaths();
    const table = scripts.findIndex((p) =>
      /^_dash-component-suites\/dash_table\/bundle\.v7_4_1m\d+\.js$/.test(p),
    );
    const html = scripts.findIndex((p) => p.includes('dash_html_components'));
    assert.ok(table > html && html > 0, scripts.join('\n'));
    assert.deepEqual(childrenPropsConfig().dash_table, { DataTable: [] });
  });

  test('serves its bundle and chunks from node_modules, fingerprinted and cached like dcc', async () => {
    const bundle = await serveComponentSuite('dash_table/bundle.v7_4_1m1700000000.js', undefined);
    assert.equal(bundle.status, 200);
    assert.equal(bundle.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(bundle.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const body = Buffer.from(await bundle.arrayBuffer());
    assert.ok(body.equals(readFileSync(installed('dash-table/dash_table/bundle.js'))));
    const chunk = await serveComponentSuite('dash_table/async-table.js', undefined);
    assert.equal(chunk.status, 200);
    assert.equal(chunk.headers.get('cache-control'), 'no-cache');
    const revalidated = await serveComponentSuite('dash_table/async-table.js', chunk.headers.get('etag')!);
    assert.equal(revalidated.status, 304);
    for (const outside of [
      'dash_table/../package.json',
      'dash_table/%2e%2e/package.json',
      'dash_table/x.js',
    ]) {
      assert.equal((await serveComponentSuite(outside, undefined)).status, 404, outside);
    }
  });

  test('registering a suite that is not installed, or under a reserved or taken namespace, fails clearly', () => {
    const base = { version: '1.0.0', bundleDir: '.', bundle: 'x.js', childrenProps: {} };
    assert.throws(
      () => registerSuite({ ...base, packageName: 'no-such-suite', namespace: 'no_such_suite' }),
      (error: Error) =>
        error instanceof SuiteNotInstalledError &&
        error.message.includes('component suite no-such-suite is not installed') &&
        error.message.includes('npm install no-such-suite@1.0.0'),
    );
    assert.throws(
      () => registerSuite({ ...base, packageName: 'x', namespace: 'dash' }),
      /namespace dash is not usable/,
    );
    assert.throws(
      () => registerSuite({ ...base, packageName: 'other-table', namespace: 'dash_table' }),
      /dash-table and other-table both use namespace dash_table/,
    );
  });

  test('packageFileUrl serves one file of an installed package (Bootstrap CSS for dbc)', async () => {
    const url = packageFileUrl('bootstrap/dist/css/bootstrap.min.css');
    assert.match(
      url,
      /^\/_dash-component-suites\/npm\/bootstrap\/dist\/css\/bootstrap\.v5_3_9m\d+\.min\.css$/,
    );
    const response = await serveComponentSuite(url.slice('/_dash-component-suites/'.length), undefined);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal((await serveComponentSuite('npm/bootstrap/package.json', undefined)).status, 404);
    assert.throws(() => packageFileUrl('bootstrap/../../etc/passwd'), /is not <package>\/<path inside it>/);
    assert.throws(() => packageFileUrl('not-installed-pkg/x.css'), /not-installed-pkg is not installed/);
    assert.match(
      packageFileUrl('bootstrap/dist/css/bootstrap.min.css', { prefix: '/sales/' }),
      /^\/sales\/_dash/,
    );
  });
});
