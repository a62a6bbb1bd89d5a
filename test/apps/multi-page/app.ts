/**
 * Dash's tests/integration/multi_page app, ported file by file: `pages/` holds the page modules
 * (each calls `registerPage` and exports `layout`, as Dash's call `dash.register_page(__name__)`),
 * `assets/` the images Dash infers for meta tags, and this module registers two more pages itself,
 * as Dash's get_app does with `dash.register_page("multi_layout1", ...)`.
 *
 * `app` is what `dash-ts run` / `dash-ts worker` and the pool workers import; the tests build
 * variants with `multiPageApp(options)`, from this module, so the pages folder is found beside it.
 */
import {
  Dash,
  type DashOptions,
  dcc,
  html,
  Input,
  type Layout,
  type Page,
  pageContainer,
  registerPage,
  State,
} from '../../../src/index.ts';
import { fixtureManager } from '../bg-support.ts';

/** Dash's get_app: the two pages registered here, links to every page, the page container. */
export function multiPageApp(options: DashOptions = {}, paths = { path1: '/', path2: '/layout2' }): Dash {
  const app = new Dash({ usePages: true, backgroundManager: fixtureManager('multi-page'), ...options });
  registerPage({
    module: 'multi_layout1',
    layout: html.Div({ id: 'text_multi_layout1', children: 'text for multi_layout1' }),
    path: paths.path1,
    title: 'Supplied Title',
    description: 'This is the supplied description',
    name: 'Supplied name',
    image: 'birds.jpeg',
    id: 'multi_layout1',
  });
  registerPage({
    module: 'multi_layout2',
    layout: html.Div({ id: 'text_multi_layout2', children: 'text for multi_layout2' }),
    path: paths.path2,
    id: 'multi_layout2',
  });
  app.layout = navigationLayout(app);
  return app;
}

/** Links to every page (built per page load, so pages from the folder are in), the container, a Location. */
export function navigationLayout(app: Dash): Layout {
  return () =>
    html.Div({
      children: [
        html.Div({
          children: app.pageRegistry.map((page: Page) =>
            html.Div({
              children: dcc.Link({
                id: String(page.id),
                href: page.relativePath,
                children: `${page.name} - ${page.path}`,
              }),
            }),
          ),
        }),
        pageContainer,
        dcc.Location({ id: 'url', refresh: true }),
      ],
    });
}

export const app = multiPageApp();

/** An app with this folder's pages and nothing else, for tests that register their own. */
export function bareApp(options: DashOptions = {}): Dash {
  return new Dash({ usePages: true, ...options });
}

/**
 * Dash's get_routing_inputs_app (test_pala005): the URL hash (a State) and a language dropdown
 * (an Input) reach a page's layout function; a page with a layout value ignores them.
 */
export function routingInputsApp(options: DashOptions = {}): Dash {
  const app = bareApp({
    pagesFolder: '',
    routingCallbackInputs: { hash: State('_pages_location', 'hash'), language: Input('language', 'value') },
    ...options,
  });
  registerPage({ module: 'home', layout: html.Div({ id: 'contents', children: 'Home' }), path: '/' });
  registerPage({
    module: 'function_layout',
    path: '/function-layout',
    layout: ({ hash, language = 'en' }: { hash?: string | null; language?: string }) =>
      html.Div({
        id: 'contents',
        children: `${language === 'fr' ? 'Le hash dit' : 'Hash says'}: ${hash ?? ''}`,
      }),
  });
  app.layout = html.Div({
    children: [dcc.Dropdown({ id: 'language', options: ['en', 'fr'], value: 'en' }), pageContainer],
  });
  return app;
}
