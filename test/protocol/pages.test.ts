/**
 * Pages over HTTP: the registry, the routing callbacks in /_dash-dependencies (as Dash 4.3's
 * enable_pages registers them), the routing callback's answers, direct loads, redirects, 404.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallbackDefinitionError, Dash, dcc, html, pageContainer } from '../../src/index.ts';
import { getJson, recordingLogger } from '../support/http.ts';
import { ROUTING, route } from '../support/pages.ts';

function pagesApp(options: ConstructorParameters<typeof Dash>[0] = {}): Dash {
  const app = new Dash({ logger: recordingLogger(), ...options });
  app.registerPage({ path: '/', name: 'Home', layout: html.Div({ id: 'home', children: 'home' }) });
  app.registerPage({
    path: '/reports',
    pathTemplate: '/reports/<reportId>',
    title: (params) => `Report ${params.reportId}`,
    description: 'One report',
    redirectFrom: ['/old-reports'],
    layout: (params) =>
      html.Div({ id: 'report', children: `report ${params.reportId} tab ${params.tab ?? '-'}` }),
  });
  app.registerPage({ path: '/about', order: 5, layout: html.Div({ id: 'about' }) });
  return app;
}

async function load(app: Dash, path: string): Promise<Response> {
  return app.fetch(new Request(`http://localhost${path}`, { redirect: 'manual' }));
}

describe('pages: registry', () => {
  it('lists pages in order, with Dash defaults for name, title, order and relative path', () => {
    const app = pagesApp({ title: 'Sales' });
    assert.deepEqual(
      app.pageRegistry.map((p) => [p.path, p.name, typeof p.title === 'function' ? 'fn' : p.title, p.order]),
      [
        ['/about', 'About', 'Sales', 5],
        ['/', 'Home', 'Sales', undefined],
        ['/reports', 'Reports', 'fn', undefined],
      ],
    );
    assert.equal(app.pageRegistry[0]!.relativePath, '/about');
    assert.deepEqual(app.pageRegistry[2]!.redirectFrom, ['/old-reports']);
  });

  it('gives / order 0 when no page has an order, and titles default to the name under the default app title', () => {
    const app = new Dash({ logger: recordingLogger() });
    app.registerPage({ path: '/zeta', layout: html.Div() });
    app.registerPage({ path: '/', layout: html.Div() });
    app.registerPage({ path: '/weekly_analytics', layout: html.Div() });
    assert.deepEqual(
      app.pageRegistry.map((p) => [p.path, p.order, p.title]),
      [
        ['/', 0, 'Home'],
        ['/weekly_analytics', undefined, 'Weekly analytics'],
        ['/zeta', undefined, 'Zeta'],
      ],
    );
  });

  it('infers a path from the template and refuses bad pages', () => {
    const app = new Dash({ logger: recordingLogger() });
    app.registerPage({ pathTemplate: '/asset/<assetId>', layout: html.Div() });
    assert.equal(app.pageRegistry[0]!.path, '/asset/none');
    assert.equal(app.pageRegistry[0]!.name, 'Asset');
    assert.throws(
      () => app.registerPage({ path: '/asset/none/', layout: html.Div() }),
      CallbackDefinitionError,
    );
    assert.throws(() => app.registerPage({ path: 'x', layout: html.Div() }), /must start with/);
    assert.throws(
      () => app.registerPage({ pathTemplate: '/a/<not valid>', layout: html.Div() }),
      /not a valid/,
    );
    assert.throws(() => app.registerPage({ path: '/n' } as never), /layout is required/);
    assert.throws(() => app.registerPage({ layout: html.Div() }), /give a path/);
  });
});

describe('pages: routing callbacks', () => {
  it("registers Dash's routing callback and clientside title callback", async () => {
    const app = pagesApp();
    const entries = (await getJson(app, '/_dash-dependencies')) as Record<string, unknown>[];
    const routing = entries.find((e) => e.output === ROUTING)!;
    assert.deepEqual(routing, {
      output: ROUTING,
      inputs: [
        { id: '_pages_location', property: 'pathname' },
        { id: '_pages_location', property: 'search' },
      ],
      state: [],
      clientside_function: null,
      prevent_initial_call: true,
      background: null,
      dynamic_creator: null,
      no_output: false,
      optional: false,
      hidden: true,
      websocket: false,
      persistent: false,
    });
    const title = entries.find((e) => e.output === '_pages_dummy.children')!;
    assert.deepEqual(title.inputs, [{ id: '_pages_store', property: 'data' }]);
    assert.equal(
      (title.clientside_function as { namespace: string }).namespace,
      '_dashprivate_clientside_funcs',
    );
    assert.equal(title.hidden, null);
    assert.equal(entries.length, 2, 'one routing callback however many pages');
  });

  it('answers the page layout and title; path variables and query values reach the layout together', async () => {
    const app = pagesApp();
    const home = await route(app, '/');
    assert.deepEqual(home.content, {
      props: { id: 'home', children: 'home' },
      type: 'Div',
      namespace: 'dash_html_components',
    });
    assert.deepEqual(home.store, { title: 'Home' });
    const report = await route(app, '/reports/q3%202026/', '?tab=costs');
    assert.equal(
      (report.content as { props: { children: string } }).props.children,
      'report q3 2026 tab costs',
    );
    assert.deepEqual(report.store, { title: 'Report q3 2026' });
    const plain = await route(app, '/reports');
    assert.equal((plain.content as { props: { children: string } }).props.children, 'report undefined tab -');
  });

  it('shows the default 404 page, or the page registered at /404', async () => {
    const app = pagesApp({ title: 'Sales' });
    assert.deepEqual(await route(app, '/nowhere'), {
      content: { props: { children: '404 - Page not found' }, type: 'H1', namespace: 'dash_html_components' },
      store: { title: 'Sales' },
    });
    app.registerPage({
      path: '/404',
      title: 'Lost',
      layout: html.P({ id: 'lost', children: 'No such page' }),
    });
    const custom = await route(app, '/nowhere');
    assert.equal((custom.content as { props: { id: string } }).props.id, 'lost');
    assert.deepEqual(custom.store, { title: 'Lost' });
  });
});

describe('pages: direct loads', () => {
  it('serves every page URL with that page title and meta tags; redirectFrom answers 301', async () => {
    const app = pagesApp({ title: 'Sales' });
    const res = await load(app, '/reports/7?tab=a');
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /<title>Report 7<\/title>/);
    assert.match(page, /<meta property="og:title" content="Report 7">/);
    assert.match(page, /<meta name="description" content="One report">/);
    assert.match(await (await load(app, '/nowhere')).text(), /<title>Sales<\/title>/);
    const moved = await load(app, '/old-reports');
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.get('location'), '/reports');
  });

  it('uses pageContainer as the layout when none is set; lists every page in the validation layout', async () => {
    const app = pagesApp();
    assert.deepEqual(await getJson(app, '/_dash-layout'), JSON.parse(JSON.stringify(pageContainer)));
    const page = await (await load(app, '/')).text();
    const config = JSON.parse(
      /<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(page)![1]!,
    );
    const ids = JSON.stringify(config.validation_layout);
    for (const id of ['home', 'report', 'about', '_pages_content'])
      assert.ok(ids.includes(`"id":"${id}"`), id);
  });

  it('refuses an app layout without the page container', async () => {
    const errors: string[] = [];
    const logger = {
      ...recordingLogger(),
      error: (m: string, e?: unknown) => errors.push(`${m}: ${String(e)}`),
    };
    const app = new Dash({ logger });
    app.registerPage({ path: '/', layout: html.Div() });
    app.layout = html.Div({ children: [dcc.Location({ id: 'url' })] });
    assert.throws(() => app.run({ port: 0 }), /pageContainer is not in app.layout/);
    const res = await load(app, '/');
    assert.equal(res.status, 500);
    assert.ok(
      errors.some((line) => line.includes('pageContainer is not in app.layout')),
      errors.join('\n'),
    );
  });
});

describe('pages under prefixes', () => {
  it('serve, route and redirect under urlBasePathname', async () => {
    const app = pagesApp({ urlBasePathname: '/sales/' });
    assert.equal(app.pageRegistry.find((p) => p.path === '/reports')!.relativePath, '/sales/reports');
    const report = await route(app, '/sales/reports/7');
    assert.deepEqual(report.store, { title: 'Report 7' });
    assert.match(await (await load(app, '/sales/reports/7')).text(), /<title>Report 7<\/title>/);
    const moved = await load(app, '/sales/old-reports');
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.get('location'), '/sales/reports');
    // A pathname outside the prefix matches no page.
    assert.deepEqual((await route(app, '/reports/7')).store, { title: 'Dash' });
  });

  it('behind a proxy that strips the prefix: the server sees bare paths, the browser the prefixed ones', async () => {
    const app = pagesApp({ requestsPathnamePrefix: '/proxy/', routesPathnamePrefix: '/' });
    assert.deepEqual((await route(app, '/proxy/reports/9')).store, { title: 'Report 9' });
    assert.match(await (await load(app, '/reports/9')).text(), /<title>Report 9<\/title>/);
    const moved = await load(app, '/old-reports');
    assert.equal(moved.headers.get('location'), '/proxy/reports');
  });
});
