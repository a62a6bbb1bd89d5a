import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolvePrefixes } from '../../src/app/prefixes.ts';
import { Dash, type DashOptions, html, Input, InvalidConfigError, Output } from '../../src/index.ts';
import { callBody, recordingLogger } from '../support/http.ts';

const ASSETS = fileURLToPath(new URL('../apps/prefixed-assets', import.meta.url));

function newApp(options: DashOptions): Dash {
  const app = new Dash({ logger: recordingLogger(), assetsFolder: ASSETS, hotReload: true, ...options });
  app.layout = html.Div({ children: [html.Div({ id: 'in' }), html.Div({ id: 'out' })] });
  app.callback({ output: Output('out', 'children'), inputs: [Input('in', 'children')] }, (v) => `got ${v}`);
  return app;
}

function get(app: Dash, path: string): Promise<Response> {
  return app.fetch(new Request(`http://localhost${path}`));
}

function configOf(html: string): Record<string, unknown> {
  return JSON.parse(/<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!);
}

/** Each prefix mode: what the server listens under, and what the page tells the browser to request. */
const MODES: { name: string; options: DashOptions; routes: string; requests: string; base: string | null }[] =
  [
    { name: 'no prefix', options: {}, routes: '/', requests: '/', base: null },
    {
      name: 'urlBasePathname',
      options: { urlBasePathname: '/sales/' },
      routes: '/sales/',
      requests: '/sales/',
      base: '/sales/',
    },
    {
      name: 'routesPathnamePrefix only',
      options: { routesPathnamePrefix: '/app/' },
      routes: '/app/',
      requests: '/app/',
      base: null,
    },
    {
      name: 'requestsPathnamePrefix behind a stripping proxy',
      options: { requestsPathnamePrefix: '/proxy/sales/' },
      routes: '/',
      requests: '/proxy/sales/',
      base: null,
    },
    {
      name: 'both, as behind a proxy that adds a segment',
      options: { routesPathnamePrefix: '/sales/', requestsPathnamePrefix: '/edge/sales/' },
      routes: '/sales/',
      requests: '/edge/sales/',
      base: null,
    },
  ];

describe('URL prefixes: every route under each mode', () => {
  for (const mode of MODES) {
    describe(mode.name, () => {
      const app = newApp(mode.options);

      it('serves the index at the prefix and at any path below it', async () => {
        for (const path of [mode.routes, `${mode.routes}reports/2024`]) {
          const res = await get(app, path);
          assert.equal(res.status, 200, path);
          assert.match(res.headers.get('content-type')!, /text\/html/);
        }
      });

      it('tells the renderer the requests prefix and puts it before every script and the favicon', async () => {
        const page = await (await get(app, mode.routes)).text();
        const config = configOf(page);
        assert.equal(config.requests_pathname_prefix, mode.requests);
        assert.equal(config.url_base_pathname, mode.base);
        const srcs = [...page.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
        assert.ok(srcs.length >= 5);
        for (const src of srcs) {
          const under = [`${mode.requests}_dash-component-suites/`, `${mode.requests}assets/`];
          assert.ok(
            under.some((start) => src.startsWith(start)),
            src,
          );
        }
        assert.match(
          page,
          new RegExp(`<link rel="icon" type="image/x-icon" href="${mode.requests}_favicon.ico`),
        );
      });

      it('serves layout, dependencies, callbacks, suites (incl. dcc chunks and plotly.js) and favicon under the routes prefix', async () => {
        assert.equal((await get(app, `${mode.routes}_dash-layout`)).status, 200);
        const deps = (await (await get(app, `${mode.routes}_dash-dependencies`)).json()) as unknown[];
        assert.equal(deps.length, 1);
        const update = await app.fetch(
          new Request(`http://localhost${mode.routes}_dash-update-component`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(
              callBody('out.children', { id: 'out', property: 'children' }, [
                { id: 'in', property: 'children', value: 'x' },
              ]),
            ),
          }),
        );
        assert.deepEqual(await update.json(), { multi: true, response: { out: { children: 'got x' } } });
        // The index's scripts, as the browser asks for them once the proxy (if any) stripped its part.
        const page = await (await get(app, mode.routes)).text();
        for (const [, src] of page.matchAll(/<script src="([^"]+_dash-component-suites[^"]+)"/g)) {
          const res = await get(app, mode.routes + src!.slice(mode.requests.length));
          assert.equal(res.status, 200, src);
          await res.arrayBuffer();
        }
        const chunk = await get(app, `${mode.routes}_dash-component-suites/dash/dcc/async-graph.js`);
        assert.equal(chunk.status, 200);
        await chunk.arrayBuffer();
        const plotly = await get(
          app,
          `${mode.routes}_dash-component-suites/plotly/package_data/plotly.min.js`,
        );
        assert.equal(plotly.status, 200);
        await plotly.arrayBuffer();
        assert.equal((await get(app, `${mode.routes}_favicon.ico`)).status, 200);
        const reload = (await (await get(app, `${mode.routes}_reload-hash`)).json()) as {
          reloadHash: string;
        };
        assert.match(reload.reloadHash, /^[0-9a-f]{32}$/);
        assert.equal(await (await get(app, `${mode.routes}health`)).text(), 'OK');
        const css = await get(app, `${mode.routes}assets/style.css`);
        assert.equal(css.status, 200);
        assert.match(await css.text(), /#title/);
      });

      it('links the assets under the requests prefix', async () => {
        const page = await (await get(app, mode.routes)).text();
        assert.match(page, new RegExp(`<link rel="stylesheet" href="${mode.requests}assets/style.css\\?m=`));
        assert.match(page, new RegExp(`<script src="${mode.requests}assets/app.js\\?m=`));
      });

      if (mode.routes !== '/') {
        it('answers nothing outside the routes prefix', async () => {
          for (const path of ['/', '/_dash-layout', '/_dash-dependencies', `${mode.routes.slice(0, -1)}x/`]) {
            const res = await get(app, path);
            assert.equal(res.status, 404, path);
            assert.match(((await res.json()) as { message: string }).message, /no route/);
          }
          const post = await app.fetch(
            new Request('http://localhost/_dash-update-component', { method: 'POST', body: '{}' }),
          );
          assert.equal(post.status, 404);
        });
      }

      it('getRelativePath and stripRelativePath use the requests prefix', () => {
        assert.equal(app.getRelativePath('/page-2'), `${mode.requests}page-2`);
        assert.equal(app.getRelativePath(''), mode.requests);
        assert.equal(app.stripRelativePath(`${mode.requests}page-1/sub/`), 'page-1/sub');
        assert.equal(app.stripRelativePath(mode.requests), '');
        assert.equal(app.stripRelativePath(null), null);
      });
    });
  }
});

describe("URL prefixes: Dash's rules", () => {
  it('refuses urlBasePathname with either other prefix, as Dash does', () => {
    assert.throws(
      () => new Dash({ urlBasePathname: '/a/', requestsPathnamePrefix: '/a/' }),
      (e: Error) =>
        e instanceof InvalidConfigError && /urlBasePathname` and `requestsPathnamePrefix/.test(e.message),
    );
    assert.throws(
      () => new Dash({ urlBasePathname: '/a/', routesPathnamePrefix: '/a/' }),
      (e: Error) =>
        e instanceof InvalidConfigError && /urlBasePathname` and `routesPathnamePrefix/.test(e.message),
    );
  });

  it('needs routes to start and end with a slash and requests to start with one', () => {
    assert.throws(() => new Dash({ routesPathnamePrefix: 'sales/' }), /needs to start with `\/`/);
    assert.throws(() => new Dash({ routesPathnamePrefix: '/sales' }), /needs to end with `\/`/);
    assert.throws(() => new Dash({ urlBasePathname: '/sales' }), /needs to end with `\/`/);
    assert.throws(
      () => new Dash({ requestsPathnamePrefix: 'sales/' }),
      /`requestsPathnamePrefix` needs to start/,
    );
  });

  it('reads DASH_* environment variables when the option is absent, and DASH_APP_NAME', () => {
    assert.deepEqual(resolvePrefixes({}, { DASH_URL_BASE_PATHNAME: '/env/' }), {
      urlBasePathname: '/env/',
      routes: '/env/',
      requests: '/env/',
    });
    assert.deepEqual(
      resolvePrefixes({ routesPathnamePrefix: '/r/' }, { DASH_ROUTES_PATHNAME_PREFIX: '/x/' }),
      {
        urlBasePathname: null,
        routes: '/r/',
        requests: '/r/',
      },
    );
    assert.equal(resolvePrefixes({ requestsPathnamePrefix: '/proxy' }, {}).requests, '/proxy/');
    assert.deepEqual(resolvePrefixes({ routesPathnamePrefix: '/r/' }, { DASH_APP_NAME: 'my-app' }), {
      urlBasePathname: null,
      routes: '/r/',
      requests: '/my-app/r/',
    });
  });

  it('getRelativePath refuses a path without a leading slash; stripRelativePath one outside the prefix', () => {
    const app = new Dash({ urlBasePathname: '/sales/' });
    assert.throws(() => app.getRelativePath('page'), /leading \//);
    assert.throws(() => app.stripRelativePath('/other/page'), /requestsPathnamePrefix/);
    assert.equal(app.stripRelativePath('/sales'), '');
  });
});
