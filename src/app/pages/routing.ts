/**
 * The routing callbacks Dash's pages add: the URL (pathname, search) picks a page, whose layout
 * goes into the container and whose title into a store; a clientside callback puts that title on
 * the tab. Navigation with dcc.Link therefore swaps the page without a reload.
 */
import type { ClientsideCallbacks } from '../../callbacks/clientside.ts';
import { Input, Output } from '../../callbacks/dependencies.ts';
import type { CallbackRegistry } from '../../callbacks/registry.ts';
import * as html from '../../components/generated/html.ts';
import type { LayoutValue } from '../dash.ts';
import { stripRelativePath, UnsupportedRelativePathError } from '../prefixes.ts';
import { PAGE_IDS } from './container.ts';
import { type PageParams, parseQuery } from './paths.ts';
import type { Page, PageRegistry } from './registry.ts';

/**
 * The page a URL shows: its own page, else the page registered at /404, else none (the default
 * 404); with its params (path variables, then query values, which win on a clash, as in Dash).
 */
export function pageFor(
  pages: PageRegistry,
  prefix: string,
  pathname: string | null | undefined,
  search: string | null | undefined,
): { page: Page | undefined; params: PageParams } {
  const stripped = strippedPath(prefix, pathname ?? '/');
  const found = stripped === undefined ? undefined : pages.find(stripped);
  return {
    page: found?.page ?? pages.notFoundPage(),
    params: { ...found?.variables, ...parseQuery(search) },
  };
}

/** The layout and title a URL shows, layout and title functions called with its params. */
export async function showPage(
  pages: PageRegistry,
  pathname: string | null | undefined,
  search: string | null | undefined,
  env: { appTitle: string; requestsPrefix: string },
): Promise<{ title: string; layout: LayoutValue }> {
  const { page, params } = pageFor(pages, env.requestsPrefix, pathname, search);
  if (!page) return { title: env.appTitle, layout: html.H1({ children: '404 - Page not found' }) };
  const layout = typeof page.layout === 'function' ? await page.layout(params) : page.layout;
  return { title: typeof page.title === 'function' ? page.title(params) : page.title, layout };
}

/** Dash's title callback source: the store's title onto the tab. */
const TITLE_SCRIPT = `function(data) {
    document.title = data.title
}`;

export function installRoutingCallbacks(deps: {
  registry: CallbackRegistry;
  clientside: ClientsideCallbacks;
  pages: PageRegistry;
  appTitle(): string;
  requestsPrefix(): string;
}): void {
  deps.registry.add(
    {
      output: [Output(PAGE_IDS.content, 'children'), Output(PAGE_IDS.store, 'data')],
      inputs: {
        pathname_: Input(PAGE_IDS.location, 'pathname'),
        search_: Input(PAGE_IDS.location, 'search'),
      },
      // dcc.Location sets its pathname when it mounts, which triggers this for the first page.
      preventInitialCall: true,
    },
    async ({ pathname_, search_ }: { pathname_: string | null; search_: string | null }) => {
      const shown = await showPage(deps.pages, pathname_, search_, {
        appTitle: deps.appTitle(),
        requestsPrefix: deps.requestsPrefix(),
      });
      return [shown.layout, { title: shown.title }];
    },
    { hidden: true },
  );
  // Registered after Dash's hidden-defaulting pass, so Dash emits `hidden: null` for it.
  deps.clientside.add(
    TITLE_SCRIPT,
    { output: Output(PAGE_IDS.dummy, 'children'), inputs: [Input(PAGE_IDS.store, 'data')] },
    { hidden: null },
  );
}

/**
 * The page part of a pathname: Dash's strip_relative_path. A path outside the prefix (which Dash
 * refuses with an error) matches no page, so the 404 page shows.
 */
export function strippedPath(prefix: string, pathname: string): string | undefined {
  try {
    return stripRelativePath(prefix, pathname) ?? '';
  } catch (error) {
    if (error instanceof UnsupportedRelativePathError) return undefined;
    throw error;
  }
}
