/**
 * Pages as Dash 4.3 has them, over HTTP, against test/apps/multi-page (Dash's
 * tests/integration/multi_page, ported file by file): the pages folder imported at start-up,
 * Dash's inferred module names, paths, names and images, extra keys, `order` with Dash's
 * tie-break (test_paor001), the app's description (test_pala007), the meta tags of a direct load
 * (test_pala002/003) and the routing callback's extra inputs.
 *
 * The expected meta tags are written out from Dash's source (dash/_pages.py `_page_meta_tags`,
 * dash/dash.py `index` and `_generate_meta`, dash/_utils.py `format_tag` with `sanitize=True`,
 * i.e. html.escape): `<meta ` + the attributes as `key="escaped value"` joined by spaces + `>`;
 * the page's ten tags first, then X-UA-Compatible, charset and viewport, then the app's own.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CallbackDefinitionError,
  Dash,
  html,
  Input,
  InvalidConfigError,
  PageModuleError,
  registerPage,
} from '../../src/index.ts';
import { bareApp, multiPageApp, routingInputsApp } from '../apps/multi-page/app.ts';
import { getJson, recordingLogger } from '../support/http.ts';
import { ROUTING, route } from '../support/pages.ts';

const FIXTURE = fileURLToPath(new URL('../apps/multi-page/', import.meta.url));
/** Handles are signed with this instead of a secret kept in a background store: no manager starts. */
const quiet = { secret: 'pages-folder-test', logger: recordingLogger() };

async function metaTags(app: Dash, url: string): Promise<string[]> {
  const page = await (await app.fetch(new Request(url))).text();
  return page.match(/<meta [^>]*>/g) ?? [];
}

/** Dash's format_tag("meta", attributes, opened=True, sanitize=True). */
function dashMeta(attributes: Record<string, string>): string {
  const pythonHtmlEscape = (text: string) =>
    text
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&#x27;');
  return `<meta ${Object.entries(attributes)
    .map(([key, value]) => `${key}="${pythonHtmlEscape(value)}"`)
    .join(' ')}>`;
}

/** Dash's `_page_meta_tags` list for a page, then `_generate_meta`'s three defaults. */
function dashPageMetas(page: { url: string; title: string; description: string; image: string }): string[] {
  const tags: Record<string, string>[] = [
    { name: 'description', content: page.description },
    { property: 'twitter:card', content: 'summary_large_image' },
    { property: 'twitter:url', content: page.url },
    { property: 'twitter:title', content: page.title },
    { property: 'twitter:description', content: page.description },
    { property: 'twitter:image', content: page.image },
    { property: 'og:title', content: page.title },
    { property: 'og:type', content: 'website' },
    { property: 'og:description', content: page.description },
    { property: 'og:image', content: page.image },
    { 'http-equiv': 'X-UA-Compatible', content: 'IE=edge' },
    { charset: 'UTF-8' },
    { name: 'viewport', content: 'width=device-width, initial-scale=1' },
  ];
  return tags.map(dashMeta);
}

describe('the pages folder', () => {
  it('imports every page module, nested ones too; skips _ and . names and files without registerPage', async () => {
    const app = multiPageApp(quiet);
    const pages = await app.pagesReady();
    assert.deepEqual(
      pages.map((page) => [page.module, page.path, page.name]),
      [
        ['multi_layout1', '/', 'Supplied name'],
        ['multi_layout2', '/layout2', 'Multi layout2'],
        ['pages.defaults', '/defaults', 'Defaults'],
        ['pages.home', '/home', 'Home'],
        ['pages.job', '/job', 'Job'],
        ['pages.metas', '/supplied-path', 'Supplied name'],
        ['pages.not_found_404', '/404', 'Not found 404'],
        ['pages.page1', '/page1', 'Page1'],
        ['pages.page2', '/page2', 'Page2'],
        ['pages.path_variables', '/a/none/b/none', 'Path variables'],
        ['pages.query_string', '/query-string', 'Query string'],
        ['pages.redirect', '/redirect', 'Redirect'],
        ['pages.reports.weekly_sales', '/reports/weekly-sales', 'Weekly sales'],
      ],
    );
    // A page module's `layout` export is its layout, a value or a function.
    const metas = pages.find((page) => page.module === 'pages.metas')!;
    assert.equal(typeof metas.layout, 'function');
    assert.equal(metas.suppliedLayout, undefined);
    // Its own callback (page1.ts: btn1 → url) and background callback (job.ts) are the app's.
    const entries = (await getJson(app, '/_dash-dependencies')) as { output: string }[];
    assert.ok(entries.some((entry) => entry.output === 'url.pathname'));
    assert.ok(entries.some((entry) => entry.output === 'job-result.children'));
  });

  it('keeps extra keys and what was supplied, as Dash keeps **kwargs and supplied_<key>', async () => {
    const app = multiPageApp(quiet);
    const pages = await app.pagesReady();
    const metas = pages.find((page) => page.id === 'metas')!;
    assert.equal(metas.suppliedPath, '/supplied-path');
    assert.equal(metas.suppliedName, 'Supplied name');
    assert.equal(metas.suppliedTitle, 'Supplied Title');
    assert.equal(metas.suppliedImage, 'birds.jpeg');
    assert.equal(metas.suppliedOrder, undefined);
    assert.equal(metas.image, 'birds.jpeg');
    assert.deepEqual(
      pages.map((page) => page.id),
      [
        'multi_layout1',
        'multi_layout2',
        'defaults',
        'home',
        'job',
        'metas',
        'not_found_404',
        'page1',
        'page2',
        'register_page',
        'query_string',
        'redirect',
        'weekly_sales',
      ],
    );
  });

  it('routes to folder pages: path variables, query values, redirects and the not_found_404 module', async () => {
    const app = multiPageApp(quiet);
    const vars = await route(app, '/a/var1/b/var2');
    assert.match(JSON.stringify(vars.content), /variables from pathname:var1 var2/);
    const query = await route(app, '/query-string', '?velocity=10');
    assert.match(JSON.stringify(query.content), /"id":"velocity","value":"10"/);
    const lost = await route(app, '/find_me');
    assert.match(JSON.stringify(lost.content), /text for not_found_404/);
    assert.deepEqual(lost.store, { title: 'Not found 404' });
    const moved = await app.fetch(new Request('http://localhost/v2', { redirect: 'manual' }));
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.get('location'), '/redirect');
  });

  it('names the page module that throws, in pagesReady() and in the answers', async () => {
    const app = bareApp({ ...quiet, pagesFolder: 'pages_throws' });
    await assert.rejects(app.pagesReady(), (error: Error) => {
      assert.ok(error instanceof PageModuleError);
      assert.equal(
        error.message,
        `page module ${FIXTURE}pages_throws/broken.ts: failed to import: this page module is broken`,
      );
      return true;
    });
    const res = await app.fetch(new Request('http://localhost/'));
    assert.equal(res.status, 500);
  });

  it('refuses a page module without a layout (test_pala004), and a pages folder that is not there', async () => {
    const app = bareApp({ ...quiet, pagesFolder: 'pages_error' });
    await assert.rejects(
      app.pagesReady(),
      /no layout found in module pages_error.no_layout_page: export a variable or a function named "layout"/,
    );
    assert.throws(() => bareApp({ ...quiet, pagesFolder: 'no_such_folder' }), InvalidConfigError);
    // usePages with `pagesFolder: ''`: pages come from registerPage calls only.
    const none = bareApp({ ...quiet, pagesFolder: '' });
    assert.deepEqual(await none.pagesReady(), []);
  });
});

describe('order, as Dash sorts page_registry (test_paor001)', () => {
  it('numbers first, then strings, then no order; ties by module name', async () => {
    const app = bareApp({ ...quiet, suppressCallbackExceptions: true });
    const page = (module: string, order?: number | string) =>
      registerPage({ module, layout: html.Div({ id: `text_${module}` }), order, id: module });
    page('multi_layout1', 2);
    page('multi_layout2', 1);
    page('multi_layout3', 0);
    for (let order = 3; order < 13; order++) page(`multi_layout${order + 1}`, order);
    page('multi_layout3.5', 3.5);
    page('multi_layout14');
    page('multi_layout15');
    page('first_string_order', '2a');
    page('aaa_first_with_no_order');
    page('yyy_last_string_order', 'zzz');
    const pages = await app.pagesReady();
    assert.deepEqual(
      pages.map((p) => p.module),
      [
        'multi_layout3',
        'multi_layout2',
        'multi_layout1',
        'multi_layout4',
        'multi_layout3.5',
        'multi_layout5',
        'multi_layout6',
        'multi_layout7',
        'multi_layout8',
        'multi_layout9',
        'multi_layout10',
        'multi_layout11',
        'multi_layout12',
        'multi_layout13',
        'first_string_order',
        'yyy_last_string_order',
        'aaa_first_with_no_order',
        'multi_layout14',
        'multi_layout15',
        // Dash's list has these folder modules; this fixture adds home, job and reports.weekly_sales.
        'pages.defaults',
        'pages.home',
        'pages.job',
        'pages.metas',
        'pages.not_found_404',
        'pages.page1',
        'pages.page2',
        'pages.path_variables',
        'pages.query_string',
        'pages.redirect',
        'pages.reports.weekly_sales',
      ],
    );
    // An order given anywhere: / keeps none of its own (Dash gives it 0 only when none is given).
    assert.equal(pages.find((p) => p.module === 'multi_layout3.5')!.order, 3.5);
    assert.equal(pages.find((p) => p.module === 'pages.defaults')!.order, undefined);
  });
});

describe('meta tags of a direct load, as Dash serves them', () => {
  it('test_pala003: supplied title, description and image; the page tags before the defaults', async () => {
    const app = multiPageApp(quiet);
    assert.deepEqual(
      await metaTags(app, 'http://127.0.0.1:8050/'),
      dashPageMetas({
        url: 'http://127.0.0.1:8050/',
        title: 'Supplied Title',
        description: 'This is the supplied description',
        image: 'http://127.0.0.1:8050/assets/birds.jpeg',
      }),
    );
  });

  it("test_pala002: inferred defaults (the name as title, the app's image from assets/app.*)", async () => {
    const app = multiPageApp(quiet, { path1: '/layout1', path2: '/' });
    assert.deepEqual(
      await metaTags(app, 'http://127.0.0.1:8050/'),
      dashPageMetas({
        url: 'http://127.0.0.1:8050/',
        title: 'Multi layout2',
        description: '',
        image: 'http://127.0.0.1:8050/assets/app.jpeg',
      }),
    );
  });

  it("a page module's own image (assets/home.jpeg), the full URL with its query, escaping as html.escape", async () => {
    const app = multiPageApp({ ...quiet, description: `Tom's <b>"best"</b> & more` });
    assert.deepEqual(
      await metaTags(app, 'http://localhost:9000/home?a=1&b=%C3%A9'),
      dashPageMetas({
        url: 'http://localhost:9000/home?a=1&b=%C3%A9',
        title: 'Home',
        description: `Tom's <b>"best"</b> & more`,
        image: 'http://localhost:9000/assets/home.jpeg',
      }),
    );
    assert.ok(
      (await metaTags(app, 'http://localhost:9000/home')).includes(
        '<meta name="description" content="Tom&#x27;s &lt;b&gt;&quot;best&quot;&lt;/b&gt; &amp; more">',
      ),
    );
  });

  it("an unknown path: the app's title, no description or image (Dash's _page_meta_tags finds no page)", async () => {
    const app = multiPageApp({ ...quiet, title: 'Multi', description: 'App description' });
    assert.deepEqual(
      (await metaTags(app, 'http://localhost/find_me')).slice(0, 10),
      dashPageMetas({ url: 'http://localhost/find_me', title: 'Multi', description: '', image: '' }).slice(
        0,
        10,
      ),
    );
  });

  it('includePagesMeta: false leaves the page tags out, as Dash', async () => {
    const app = multiPageApp({ ...quiet, includePagesMeta: false });
    assert.deepEqual(
      await metaTags(app, 'http://localhost/'),
      dashPageMetas({ url: '', title: '', description: '', image: '' }).slice(10),
    );
  });

  it("imageUrl overrides the image; under a prefix the image URL carries it; the app's metaTags come last", async () => {
    const app = bareApp({
      ...quiet,
      pagesFolder: '',
      urlBasePathname: '/app1/',
      metaTags: [{ charset: 'latin-1' }, { name: 'author', content: 'me' }],
    });
    registerPage({ module: 'card', path: '/card', imageUrl: 'https://cdn.example/card.png', layout: 'card' });
    registerPage({ module: 'plain', path: '/plain', layout: 'plain' });
    const card = await metaTags(app, 'http://localhost/app1/card');
    assert.equal(card[5], dashMeta({ property: 'twitter:image', content: 'https://cdn.example/card.png' }));
    assert.deepEqual(card.slice(10), [
      dashMeta({ 'http-equiv': 'X-UA-Compatible', content: 'IE=edge' }),
      dashMeta({ name: 'viewport', content: 'width=device-width, initial-scale=1' }),
      dashMeta({ charset: 'latin-1' }),
      dashMeta({ name: 'author', content: 'me' }),
    ]);
    const plain = await metaTags(app, 'http://localhost/app1/plain');
    assert.equal(
      plain[9],
      dashMeta({ property: 'og:image', content: 'http://localhost/app1/assets/app.jpeg' }),
    );
  });

  it('image inference: the page module own image, else app.*, else logo.*, else none; extensions as Dash', () => {
    const assets = mkdtempSync(join(tmpdir(), 'dash-ts-pages-images-'));
    const infer = (files: string[], module: string) => {
      const folder = join(assets, String(Math.random()).slice(2));
      mkdirSync(folder);
      for (const file of files) writeFileSync(join(folder, file), 'x');
      const app = new Dash({ ...quiet, assetsFolder: folder });
      return app.registerPage({ module, path: '/x', layout: 'x' }).image;
    };
    assert.equal(
      infer(['logo.svg', 'app.PNG', 'weekly-analytics.webp'], 'pages.weekly_analytics'),
      'weekly-analytics.webp',
    );
    assert.equal(infer(['logo.svg', 'app.PNG'], 'pages.weekly_analytics'), 'app.PNG');
    assert.equal(infer(['logo.svg', 'app.txt', 'app.min.png'], 'pages.reports'), 'logo.svg');
    assert.equal(infer(['readme.md'], 'pages.reports'), undefined);
  });
});

describe('app description and titles (test_pala007)', () => {
  it("pages take the app's title and description unless they give their own", async () => {
    const app = bareApp({ ...quiet, pagesFolder: '', title: 'App Title', description: 'App Description' });
    registerPage({ module: 'home', layout: html.Div({ children: 'Home' }), path: '/' });
    registerPage({
      module: 'page1',
      layout: html.Div({ children: 'Page1' }),
      title: 'Page 1 Title',
      description: 'Page 1 Description',
    });
    const [home, page1] = await app.pagesReady();
    assert.equal(home!.title, 'App Title');
    assert.equal(page1!.title, 'Page 1 Title');
    assert.equal(home!.description, 'App Description');
    assert.equal(page1!.description, 'Page 1 Description');
    assert.equal(page1!.path, '/page1');
  });
});

describe('routingCallbackInputs (test_pala005)', () => {
  const routingApp = () => routingInputsApp(quiet);

  it('adds the inputs and states to the routing callback, as Dash does', async () => {
    const entries = (await getJson(routingApp(), '/_dash-dependencies')) as Record<string, unknown>[];
    const routing = entries.find((entry) => entry.output === ROUTING)!;
    assert.deepEqual(routing.inputs, [
      { id: '_pages_location', property: 'pathname' },
      { id: '_pages_location', property: 'search' },
      { id: 'language', property: 'value' },
    ]);
    assert.deepEqual(routing.state, [{ id: '_pages_location', property: 'hash' }]);
  });

  it('passes their values to layout functions; a layout value is not affected', async () => {
    const app = routingApp();
    const language = { id: 'language', property: 'value', value: 'fr' };
    const hash = { id: '_pages_location', property: 'hash', value: '#123' };
    const page = await route(app, '/function-layout', '', { inputs: [language], state: [hash] });
    assert.equal((page.content as { props: { children: string } }).props.children, 'Le hash dit: #123');
    const home = await route(app, '/', '', { inputs: [language], state: [hash] });
    assert.equal((home.content as { props: { children: string } }).props.children, 'Home');
  });

  it('refuses the reserved keys', () => {
    assert.throws(
      () => bareApp({ ...quiet, pagesFolder: '', routingCallbackInputs: { pathname_: Input('x', 'value') } }),
      CallbackDefinitionError,
    );
  });
});
