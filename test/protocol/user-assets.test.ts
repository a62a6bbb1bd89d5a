import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Dash, type DashOptions, html } from '../../src/index.ts';
import { recordingLogger } from '../support/http.ts';

const root = mkdtempSync(path.join(tmpdir(), 'dash-ts-assets-'));
const folder = path.join(root, 'assets');
const FILES: Record<string, string> = {
  'b.css': 'body { color: rgb(1, 2, 3); }',
  'a.css': '.a {}',
  'sub/c.css': '.c {}',
  'sub/deeper/d.css': '.d {}',
  'sub2/e.css': '.e {}',
  'z.js': 'window.z = 1;',
  'sub/m.mjs': 'export const m = 1;',
  'ignored.css': '.ignored {}',
  'favicon.ico': 'ICO',
  'logo.png': 'PNG',
  'data.json': '{"a":1}',
  'font.woff2': 'WOFF2',
  'page.svg': '<svg/>',
  'no-extension': 'plain',
};
// Beside the folder, where no request may reach.
writeFileSync(path.join(root, 'secret.txt'), 'TOPSECRET');
for (const [file, text] of Object.entries(FILES)) {
  mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
  writeFileSync(path.join(folder, file), text);
}
const mtime = new Date('2024-05-01T12:00:00.250Z');
utimesSync(path.join(folder, 'a.css'), mtime, mtime);

after(() => rmSync(root, { recursive: true, force: true }));

function newApp(options: DashOptions = {}): Dash {
  const app = new Dash({
    logger: recordingLogger(),
    assetsFolder: folder,
    assetsIgnore: /^ignored/,
    ...options,
  });
  app.layout = html.Div({ id: 'root' });
  return app;
}

const get = (app: Dash, target: string, headers: Record<string, string> = {}) =>
  app.fetch(new Request(`http://localhost${target}`, { headers }));

describe('user assets in the index page', () => {
  it('links external stylesheets, then every CSS file in sorted path order, with ?m= stamps', async () => {
    const app = newApp({
      externalStylesheets: [
        'https://cdn.example/x.css',
        { href: 'https://cdn.example/y.css', rel: 'stylesheet', crossorigin: 'anonymous' },
      ],
    });
    const page = await (await get(app, '/')).text();
    const links = [...page.matchAll(/<link ([^>]+)>/g)].map((m) => m[1]!).filter((l) => !l.includes('icon'));
    assert.deepEqual(
      links.map((l) => /href="([^"?]+)/.exec(l)![1]),
      [
        'https://cdn.example/x.css',
        'https://cdn.example/y.css',
        '/assets/a.css',
        '/assets/b.css',
        '/assets/sub/c.css',
        '/assets/sub/deeper/d.css',
        '/assets/sub2/e.css',
      ],
    );
    assert.match(links[1]!, /crossorigin="anonymous"/);
    assert.match(page, new RegExp(`href="/assets/a.css\\?m=${mtime.getTime() / 1000}"`));
    assert.doesNotMatch(page, /ignored\.css/);
  });

  it('loads external scripts then assets JS after React and before the renderer and components; .mjs as a module', async () => {
    const app = newApp({
      externalScripts: ['https://cdn.example/lib.js', { src: 'https://cdn.example/mod.js', defer: 'defer' }],
    });
    const page = await (await get(app, '/')).text();
    const scripts = [...page.matchAll(/<script ([^>]*src="[^"]+"[^>]*)>/g)].map((m) => m[1]!);
    const srcOf = (s: string) => /src="([^"]+)"/.exec(s)![1]!;
    const at = (needle: string) => scripts.findIndex((s) => srcOf(s).includes(needle));
    assert.ok(at('react-dom@') < at('cdn.example/lib.js'));
    assert.ok(at('prop-types@') < at('cdn.example/lib.js'));
    assert.ok(at('cdn.example/lib.js') < at('cdn.example/mod.js'));
    assert.ok(at('cdn.example/mod.js') < at('/assets/z.js?m='));
    assert.ok(at('/assets/z.js') < at('/assets/sub/m.mjs?m='));
    assert.ok(at('/assets/sub/m.mjs') < at('dash_renderer'));
    assert.ok(at('dash_renderer') < at('dash_core_components'));
    assert.match(scripts[at('m.mjs')]!, /type="module"/);
    assert.match(scripts[at('mod.js')]!, /defer="defer"/);
  });

  it('uses the folder favicon with a stamp, else the built-in one', async () => {
    const page = await (await get(newApp(), '/')).text();
    assert.match(page, /<link rel="icon" type="image\/x-icon" href="\/assets\/favicon.ico\?m=[\d.]+">/);
    const bare = new Dash({ logger: recordingLogger(), assetsFolder: path.join(root, 'none') });
    bare.layout = html.Div();
    assert.match(await (await get(bare, '/')).text(), /href="\/_favicon.ico\?v=/);
  });

  it("adds Dash's default metas unless the app gives its own", async () => {
    const page = await (
      await get(newApp({ metaTags: [{ name: 'description', content: 'Sales <dash>' }] }), '/')
    ).text();
    assert.match(page, /<meta http-equiv="X-UA-Compatible" content="IE=edge">/);
    assert.match(page, /<meta charset="UTF-8">/);
    assert.match(page, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(page, /<meta name="description" content="Sales &lt;dash&gt;">/);
    const own = await (
      await get(
        newApp({ metaTags: [{ charset: 'ISO-8859-1' }, { name: 'viewport', content: 'width=500' }] }),
        '/',
      )
    ).text();
    assert.equal(own.match(/charset=/g)!.length, 1);
    assert.equal(own.match(/name="viewport"/g)!.length, 1);
  });

  it('honours assetsUrlPath and the prefixes', async () => {
    const app = newApp({
      assetsUrlPath: '/static/files/',
      routesPathnamePrefix: '/sales/',
      requestsPathnamePrefix: '/edge/sales/',
    });
    const page = await (await get(app, '/sales/')).text();
    assert.match(page, /href="\/edge\/sales\/static\/files\/a.css\?m=/);
    assert.match(page, /src="\/edge\/sales\/static\/files\/z.js\?m=/);
    const res = await get(app, '/sales/static/files/a.css');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '.a {}');
    assert.equal((await get(app, '/static/files/a.css')).status, 404);
  });
});

describe('user assets served', () => {
  const app = newApp();

  it('with their content types and nosniff', async () => {
    const types: Record<string, RegExp> = {
      'a.css': /^text\/css/,
      'z.js': /^text\/javascript/,
      'sub/m.mjs': /^text\/javascript/,
      'favicon.ico': /^image\/x-icon$/,
      'logo.png': /^image\/png$/,
      'data.json': /^application\/json/,
      'font.woff2': /^font\/woff2$/,
      'page.svg': /^image\/svg\+xml/,
      'no-extension': /^application\/octet-stream$/,
      'ignored.css': /^text\/css/,
    };
    for (const [file, type] of Object.entries(types)) {
      const res = await get(app, `/assets/${file}`);
      assert.equal(res.status, 200, file);
      assert.match(res.headers.get('content-type')!, type, file);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(await res.text(), FILES[file]);
    }
  });

  it('cached for a year under the current stamp, revalidated otherwise (ETag and Last-Modified)', async () => {
    const stamped = await get(app, `/assets/a.css?m=${mtime.getTime() / 1000}`);
    assert.equal(stamped.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    await stamped.arrayBuffer();
    const stale = await get(app, '/assets/a.css?m=123');
    assert.equal(stale.headers.get('cache-control'), 'no-cache');
    await stale.arrayBuffer();
    const plain = await get(app, '/assets/a.css');
    assert.equal(plain.headers.get('cache-control'), 'no-cache');
    assert.equal(plain.headers.get('last-modified'), mtime.toUTCString());
    const etag = plain.headers.get('etag')!;
    await plain.arrayBuffer();
    const byTag = await get(app, '/assets/a.css', { 'If-None-Match': etag });
    assert.equal(byTag.status, 304);
    assert.equal(await byTag.text(), '');
    const byDate = await get(app, '/assets/a.css', { 'If-Modified-Since': mtime.toUTCString() });
    assert.equal(byDate.status, 304);
    const older = await get(app, '/assets/a.css', {
      'If-Modified-Since': new Date(mtime.getTime() - 60_000).toUTCString(),
    });
    assert.equal(older.status, 200);
    await older.arrayBuffer();
  });

  it('answers HEAD without a body and 404 for a missing file or a folder', async () => {
    const head = await app.fetch(new Request('http://localhost/assets/a.css', { method: 'HEAD' }));
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(FILES['a.css']!.length));
    for (const target of ['/assets/missing.css', '/assets/sub', '/assets/sub/', '/assets/']) {
      const res = await get(app, target);
      assert.equal(res.status, 404, target);
      await res.arrayBuffer();
    }
  });

  it('serves a file added after the page was built (the page includes it after a rescan)', async () => {
    writeFileSync(path.join(folder, 'late.css'), '.late {}');
    const res = await get(app, '/assets/late.css');
    assert.equal(await res.text(), '.late {}');
    rmSync(path.join(folder, 'late.css'));
  });
});

describe('user assets: paths that leave the folder are 404, in every encoding', () => {
  let url: URL;
  let close: () => Promise<void>;
  before(async () => {
    const server = await newApp().run({ port: 0, host: '127.0.0.1' });
    url = new URL(server.url);
    close = server.close;
  });
  after(() => close());

  /** Sends the request target exactly as written (no client-side normalisation). */
  function raw(target: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: target, method: 'GET' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  const ATTEMPTS = [
    '/assets/../secret.txt',
    '/assets/sub/../../secret.txt',
    '/assets/./../secret.txt',
    '/assets/%2e%2e/secret.txt',
    '/assets/%2E%2E/secret.txt',
    '/assets/.%2e/secret.txt',
    '/assets/..%2fsecret.txt',
    '/assets/..%2Fsecret.txt',
    '/assets/%2e%2e%2fsecret.txt',
    '/assets/sub/..%2f..%2fsecret.txt',
    '/assets/..%5csecret.txt',
    '/assets/%252e%252e/secret.txt',
    '/assets/%2e%2e%252fsecret.txt',
    '/assets/%c0%ae%c0%ae/secret.txt',
    '/assets/secret.txt%00.css',
    '/assets/%2fetc%2fpasswd',
    '/assets//etc/passwd',
    `/assets/${encodeURIComponent(path.join(root, 'secret.txt'))}`,
  ];

  for (const target of ATTEMPTS) {
    it(target, async () => {
      const res = await raw(target);
      assert.equal(res.status, 404, `${target}: ${res.status} ${res.body.slice(0, 80)}`);
      assert.doesNotMatch(res.body, /TOPSECRET|root:/);
    });
  }

  it('a raw backslash is refused before routing', async () => {
    const res = await raw('/assets/..\\secret.txt');
    assert.ok(res.status >= 400 && res.status < 500, String(res.status));
    assert.doesNotMatch(res.body, /TOPSECRET/);
  });

  it('a sane path over the same socket path still works', async () => {
    const res = await raw('/assets/sub/c.css');
    assert.equal(res.status, 200);
    assert.equal(res.body, '.c {}');
  });
});
