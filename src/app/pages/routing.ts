/**
 * The routing callbacks Dash's pages add: the URL (pathname, search) picks a page, whose layout
 * goes into the container and whose title into a store; a clientside callback puts that title on
 * the tab. Navigation with dcc.Link therefore swaps the page without a reload.
 */

import { CallbackDefinitionError } from '../../base/errors.ts';
import type { ClientsideCallbacks } from '../../callbacks/clientside.ts';
import { Input, Output, type State } from '../../callbacks/dependencies.ts';
import type { CallbackRegistry } from '../../callbacks/registry.ts';
import * as html from '../../components/generated/html.ts';
import type { LayoutValue } from '../layout.ts';
import { stripRelativePath, UnsupportedRelativePathError } from '../prefixes.ts';
import { PAGE_IDS } from './container.ts';
import { type PageParams, parseQuery } from './paths.ts';
import type { Page, PageRegistry } from './registry.ts';

/**
 * The page a URL shows: its own page, else the 404 page (see PageRegistry.notFoundPage), else
 * none (the default 404); with its path variables and query values.
 */
export function pageFor(
  pages: PageRegistry,
  prefix: string,
  pathname: string | null | undefined,
  search: string | null | undefined,
): { page: Page | undefined; variables: PageParams; query: PageParams } {
  const stripped = strippedPath(prefix, pathname ?? '/');
  const found = stripped === undefined ? undefined : pages.find(stripped);
  return {
    page: found?.page ?? pages.notFoundPage(),
    variables: found?.variables ?? {},
    query: parseQuery(search),
  };
}

/**
 * The layout and title a URL shows, as Dash's routing callback: the layout function gets the
 * path variables, the query values and the routing callback's extra inputs (later ones win on a
 * clash); the title function gets the path variables.
 */
export async function showPage(
  pages: PageRegistry,
  url: { pathname: string | null | undefined; search: string | null | undefined },
  routingValues: Record<string, unknown>,
  env: { appTitle: string; requestsPrefix: string },
): Promise<{ title: string; layout: LayoutValue }> {
  const { page, variables, query } = pageFor(pages, env.requestsPrefix, url.pathname, url.search);
  if (!page) return { title: env.appTitle, layout: html.H1({ children: '404 - Page not found' }) };
  const params = { ...variables, ...query, ...routingValues } as PageParams;
  const layout = typeof page.layout === 'function' ? await page.layout(params) : page.layout;
  return { title: typeof page.title === 'function' ? page.title(variables) : page.title, layout };
}

/** Dash's title callback source: the store's title onto the tab. */
const TITLE_SCRIPT = `function(data) {
    document.title = data.title
}`;

export function installRoutingCallbacks(deps: {
  registry: CallbackRegistry;
  clientside: ClientsideCallbacks;
  pages: PageRegistry;
  /** Dash's routing_callback_inputs: more inputs and states, whose values reach layout functions. */
  routingInputs: Record<string, Input | State>;
  appTitle(): string;
  requestsPrefix(): string;
}): void {
  for (const reserved of ['pathname_', 'search_']) {
    if (Object.hasOwn(deps.routingInputs, reserved)) {
      throw new CallbackDefinitionError(`routingCallbackInputs: the key ${reserved} is reserved for the URL`);
    }
  }
  deps.registry.add(
    {
      output: [Output(PAGE_IDS.content, 'children'), Output(PAGE_IDS.store, 'data')],
      inputs: {
        pathname_: Input(PAGE_IDS.location, 'pathname'),
        search_: Input(PAGE_IDS.location, 'search'),
        ...deps.routingInputs,
      },
      // dcc.Location sets its pathname when it mounts, which triggers this for the first page.
      preventInitialCall: true,
    },
    async ({ pathname_, search_, ...routingValues }: Record<string, unknown>) => {
      const url = { pathname: pathname_ as string | null, search: search_ as string | null };
      const shown = await showPage(deps.pages, url, routingValues, {
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
