/**
 * Dash's hot-reload protocol on the server side: `hot_reload` in the page config when on
 * (debug, the option, or DASH_HOT_RELOAD as `dash-ts run --watch` sets it), and `_reload-hash`
 * answers: a stable hash, then on an assets change a new hash with `hard` and the changed files,
 * reported once.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Dash, type DashOptions, html } from '../../src/index.ts';
import { recordingLogger } from '../support/http.ts';

const root = mkdtempSync(path.join(tmpdir(), 'dash-ts-hot-'));
const folder = path.join(root, 'assets');
mkdirSync(folder);
writeFileSync(path.join(folder, 'a.css'), '.a {}');
after(() => rmSync(root, { recursive: true, force: true }));

function newApp(options: DashOptions = {}): Dash {
  const app = new Dash({ logger: recordingLogger(), assetsFolder: folder, ...options });
  app.layout = html.Div();
  return app;
}

async function config(app: Dash): Promise<Record<string, unknown>> {
  const page = await (await app.fetch(new Request('http://localhost/sales/'))).text();
  return JSON.parse(/<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(page)![1]!);
}

interface ReloadAnswer {
  reloadHash: string | null;
  hard: boolean;
  packages: string[];
  files: { url: string; modified: number; is_css: boolean }[];
}

async function reloadHash(app: Dash, prefix = '/'): Promise<ReloadAnswer> {
  const res = await app.fetch(new Request(`http://localhost${prefix}_reload-hash`));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  return (await res.json()) as ReloadAnswer;
}

describe('hot reload', () => {
  it('is on with debug, with hotReload, or with DASH_HOT_RELOAD, and off otherwise', async () => {
    const opts = { urlBasePathname: '/sales/' };
    assert.equal((await config(newApp(opts))).hot_reload, undefined);
    assert.deepEqual((await config(newApp({ ...opts, debug: true }))).hot_reload, {
      interval: 3000,
      max_retry: 8,
    });
    assert.deepEqual((await config(newApp({ ...opts, hotReload: true }))).hot_reload, {
      interval: 3000,
      max_retry: 8,
    });
    assert.equal((await config(newApp({ ...opts, debug: true, hotReload: false }))).hot_reload, undefined);
    process.env.DASH_HOT_RELOAD = 'true';
    try {
      assert.deepEqual((await config(newApp(opts))).hot_reload, { interval: 3000, max_retry: 8 });
    } finally {
      delete process.env.DASH_HOT_RELOAD;
    }
  });

  it('answers a null hash when off, as Dash', async () => {
    assert.deepEqual(await reloadHash(newApp()), { reloadHash: null, hard: false, packages: [], files: [] });
  });

  it('keeps its hash until an asset changes, then reports the change once with a new hash', async () => {
    const app = newApp({ hotReload: true, urlBasePathname: '/sales/' });
    const first = await reloadHash(app, '/sales/');
    assert.match(first.reloadHash!, /^[0-9a-f]{32}$/);
    assert.equal(first.hard, false);
    assert.deepEqual(first.packages, ['dash', 'plotly']);
    assert.deepEqual(first.files, []);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal((await reloadHash(app, '/sales/')).reloadHash, first.reloadHash);

    writeFileSync(path.join(folder, 'a.css'), '.a { color: red }');
    let changed = await reloadHash(app, '/sales/');
    for (let i = 0; i < 40 && changed.reloadHash === first.reloadHash; i++) {
      await new Promise((r) => setTimeout(r, 100));
      changed = await reloadHash(app, '/sales/');
    }
    assert.notEqual(changed.reloadHash, first.reloadHash);
    assert.equal(changed.hard, true);
    assert.equal(changed.files.length, 1);
    assert.equal(changed.files[0]!.url, '/sales/assets/a.css');
    assert.equal(changed.files[0]!.is_css, true);
    assert.ok(Math.abs(changed.files[0]!.modified - Date.now() / 1000) < 60);

    const after = await reloadHash(app, '/sales/');
    assert.equal(after.reloadHash, changed.reloadHash);
    assert.equal(after.hard, false);
    assert.deepEqual(after.files, []);

    // A new file joins the page after the change.
    writeFileSync(path.join(folder, 'b.js'), 'window.b = 1;');
    let added = await reloadHash(app, '/sales/');
    for (let i = 0; i < 40 && added.files.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      added = await reloadHash(app, '/sales/');
    }
    assert.deepEqual(
      added.files.map((f) => [f.url, f.is_css]),
      [['/sales/assets/b.js', false]],
    );
    const page = await (await app.fetch(new Request('http://localhost/sales/'))).text();
    assert.match(page, /src="\/sales\/assets\/b.js\?m=/);
  });
});
