import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  COMPONENT_SUITES,
  componentSuitePaths,
  faviconResponse,
  fingerprint,
  indexScriptPaths,
  serveComponentSuite,
  stripFingerprint,
  vendorDir,
} from '../../src/app/assets.ts';

const suitePath = (indexPath: string) => indexPath.slice(COMPONENT_SUITES.length);

describe('fingerprints', () => {
  test('are inserted at the first dot, as Dash does', () => {
    assert.equal(
      fingerprint('dash/deps/polyfill@7.12.1.min.js', '7.12.1', 1700000000),
      'dash/deps/polyfill@7.v7_12_1m1700000000.12.1.min.js',
    );
    assert.equal(
      fingerprint('dash/dcc/dash_core_components-shared.js', '4.5.0-rc.1', 5),
      'dash/dcc/dash_core_components-shared.v4_5_0_rc_1m5.js',
    );
  });

  test('round-trip', () => {
    for (const plain of componentSuitePaths()) {
      const printed = fingerprint(plain, '1.2.3', 1700000000);
      assert.notEqual(printed, plain);
      assert.deepEqual(stripFingerprint(printed), { path: plain, fingerprinted: true });
      assert.deepEqual(stripFingerprint(plain), { path: plain, fingerprinted: false });
    }
  });

  test('only a second dot-part of the form v<word>m<hex> counts', () => {
    assert.equal(stripFingerprint('dash/dcc/a.vxm12.js').fingerprinted, true);
    assert.equal(stripFingerprint('dash/dcc/a.vxmzz.js').fingerprinted, false);
    assert.equal(stripFingerprint('dash/dcc/a.b.vxm12.js').fingerprinted, false);
    assert.equal(stripFingerprint('dash/dcc/a.vxm12').fingerprinted, false);
  });
});

describe('index scripts', () => {
  test('come in the order the renderer needs, all fingerprinted', () => {
    const paths = indexScriptPaths();
    const plain = paths.map((p) => stripFingerprint(suitePath(p)));
    assert.ok(plain.every((p) => p.fingerprinted));
    assert.deepEqual(
      plain.map((p) => p.path),
      [
        'dash/deps/polyfill@7.12.1.min.js',
        'dash/deps/react@18.3.1.min.js',
        'dash/deps/react-dom@18.3.1.min.js',
        'dash/deps/prop-types@15.8.1.min.js',
        'dash/dash-renderer/build/dash_renderer.min.js',
        'dash/dcc/dash_core_components.js',
        'dash/dcc/dash_core_components-shared.js',
        'dash/html/dash_html_components.min.js',
      ],
    );
    assert.match(paths[0]!, /^_dash-component-suites\/dash\/deps\/polyfill@7\.v7_12_1m\d+\.12\.1\.min\.js$/);
  });

  test('every one serves 200 as immutable JavaScript', async () => {
    for (const indexPath of indexScriptPaths()) {
      const response = await serveComponentSuite(suitePath(indexPath), undefined);
      assert.equal(response.status, 200, indexPath);
      assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.ok((await response.arrayBuffer()).byteLength > 1000, indexPath);
    }
  });
});

describe('component suites', () => {
  test('the vendor folder is resolved from the package, not the cwd', () => {
    assert.ok(path.isAbsolute(vendorDir()));
    assert.ok(
      existsSync(path.join(vendorDir(), 'dash-renderer@3.4.1')),
      'run `npm install` to vendor the front end',
    );
  });

  test('every dcc lazy chunk serves unfingerprinted from the dcc folder', async () => {
    const chunks = componentSuitePaths().filter((p) => /^dash\/dcc\/async-[\w-]+\.js$/.test(p));
    assert.deepEqual(chunks.map((p) => p.slice('dash/dcc/'.length)).sort(), [
      'async-datepicker.js',
      'async-dropdown.js',
      'async-graph.js',
      'async-highlight.js',
      'async-markdown.js',
      'async-mathjax.js',
      'async-slider.js',
      'async-upload.js',
    ]);
    for (const chunk of [...chunks, 'dash/dcc/dash_core_components-shared.js']) {
      const response = await serveComponentSuite(chunk, undefined);
      assert.equal(response.status, 200, chunk);
      assert.equal(response.headers.get('cache-control'), 'no-cache');
      assert.match(response.headers.get('etag') ?? '', /^"[\w-]+"$/);
      await response.body?.cancel();
    }
  });

  test('plotly.js is served where the renderer looks for it', async () => {
    const response = await serveComponentSuite('plotly/package_data/plotly.min.js', undefined);
    assert.equal(response.status, 200);
    assert.match(new TextDecoder().decode((await response.arrayBuffer()).slice(0, 200)), /plotly/i);
  });

  test('a matching If-None-Match gets 304 with no body', async () => {
    const first = await serveComponentSuite('dash/dcc/async-graph.js', undefined);
    const etag = first.headers.get('etag')!;
    await first.body?.cancel();
    for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const again = await serveComponentSuite('dash/dcc/async-graph.js', header);
      assert.equal(again.status, 304, header);
      assert.equal(again.headers.get('etag'), etag);
      assert.equal(await again.text(), '');
    }
    const stale = await serveComponentSuite('dash/dcc/async-graph.js', '"something-else"');
    assert.equal(stale.status, 200);
    await stale.body?.cancel();
  });

  test('the ETag is a content hash: different files differ, the same file is stable', async () => {
    const etag = async (p: string) => (await serveComponentSuite(p, undefined)).headers.get('etag');
    assert.equal(await etag('dash/dcc/async-slider.js'), await etag('dash/dcc/async-slider.js'));
    assert.notEqual(await etag('dash/dcc/async-slider.js'), await etag('dash/dcc/async-upload.js'));
  });

  test('anything off the allow-list is a JSON 404', async () => {
    const attempts = [
      '../package.json',
      '../../frontend.lock.json',
      'dash/dcc/../../../package.json',
      'dash/dcc/%2e%2e/%2e%2e/package.json',
      '/etc/passwd',
      'dash/dcc/proptypes.js',
      'dash/dcc/async-graph.js.map',
      'dash/dcc/async-nope.js',
      'dash/dcc/dash_core_components.v1m1.js/../x',
      'dash/dcc/',
      '',
      'dash/dcc/async-graph.JS',
      'dash/dcc/%E0%A4%A',
      'dash-core-components@4.5.0/dash_core_components/async-graph.js',
    ];
    for (const attempt of attempts) {
      const response = await serveComponentSuite(attempt, undefined);
      assert.equal(response.status, 404, attempt);
      assert.equal(response.headers.get('content-type'), 'application/json');
      const body = (await response.json()) as { message: unknown };
      assert.equal(typeof body.message, 'string');
    }
  });

  test('a fingerprinted lazy chunk is immutable too', async () => {
    const response = await serveComponentSuite('dash/dcc/async-graph.v4_5_0m1.js', undefined);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    await response.body?.cancel();
  });
});

describe('favicon', () => {
  test('is a valid 16x16 ICO with a long cache', async () => {
    const response = faviconResponse();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/x-icon');
    assert.match(response.headers.get('cache-control') ?? '', /max-age=31536000/);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const view = new DataView(bytes.buffer);
    assert.equal(view.getUint16(2, true), 1, 'ICO type');
    assert.equal(view.getUint16(4, true), 1, 'one image');
    assert.equal(bytes[6], 16);
    assert.equal(bytes[7], 16);
    const size = view.getUint32(14, true);
    const offset = view.getUint32(18, true);
    assert.equal(offset + size, bytes.length);
    assert.equal(view.getUint32(offset, true), 40, 'BITMAPINFOHEADER');
    assert.equal(view.getInt32(offset + 8, true), 32, 'height counts the AND mask');
    // Serving it twice must not hand out a consumed body.
    assert.equal((await faviconResponse().arrayBuffer()).byteLength, bytes.length);
  });
});
