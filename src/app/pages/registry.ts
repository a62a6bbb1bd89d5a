/**
 * The page registry (Dash's `page_registry`): what `app.registerPage` records, in navigation
 * order, and which page a URL shows.
 */
import { CallbackDefinitionError } from '../../errors.ts';
import type { LayoutValue } from '../dash.ts';
import { relativePath } from '../prefixes.ts';
import {
  assertPathTemplate,
  matchPathTemplate,
  type PageParams,
  pathFromTemplate,
  stripSlashes,
} from './paths.ts';

export type PageLayout = LayoutValue | ((params: PageParams) => LayoutValue | Promise<LayoutValue>);
export type PageTitle = string | ((params: PageParams) => string);

export interface PageOptions {
  /** The URL path, e.g. `/` or `/reports`; inferred from `pathTemplate` when omitted. */
  path?: string;
  /** e.g. `/reports/<reportId>`: the variables reach `layout` (and `title`) in `params`. */
  pathTemplate?: string;
  name?: string;
  title?: PageTitle;
  description?: string;
  order?: number;
  /** Paths that answer with a 301 to this page. */
  redirectFrom?: string[];
  layout: PageLayout;
}

/** A registered page, as `app.pageRegistry` lists it. */
export interface Page {
  readonly path: string;
  readonly pathTemplate: string | undefined;
  readonly name: string;
  readonly title: PageTitle;
  readonly description: string;
  /** The order given, or 0 for `/` when no page gives one; undefined sorts last. */
  readonly order: number | undefined;
  readonly redirectFrom: readonly string[];
  /** `path` under the requests prefix: the href for links. */
  readonly relativePath: string;
  readonly layout: PageLayout;
}

export interface PageEnvironment {
  /** The app's title: a page's default title unless it is Dash's default "Dash". */
  appTitle(): string;
  requestsPrefix(): string;
  /** Where the server's routes live (differs from the requests prefix behind a stripping proxy). */
  routesPrefix(): string;
}

/** The path that replaces the default 404 page. */
export const NOT_FOUND_PATH = '/404';

export class PageRegistry {
  #pages: Page[] = [];
  /** The order each page was registered with, by path (a page's `order` may be the default 0 of `/`). */
  readonly #suppliedOrder = new Map<string, number | undefined>();

  constructor(private readonly env: PageEnvironment) {}

  /** In navigation order: pages with an order first (ascending), then by path. */
  get pages(): readonly Page[] {
    return this.#pages;
  }

  get isEmpty(): boolean {
    return this.#pages.length === 0;
  }

  register(options: PageOptions): Page {
    const supplied = checkedOptions(options);
    const path = supplied.path ?? pathFromTemplate(supplied.pathTemplate!);
    const clash = this.#pages.find((p) => stripSlashes(p.path) === stripSlashes(path));
    if (clash) throw new CallbackDefinitionError(`two pages have the path ${path}`);
    const name = supplied.name ?? nameFromPath(supplied.pathTemplate ?? path);
    const appTitle = this.env.appTitle();
    const page: Page = {
      path,
      pathTemplate: supplied.pathTemplate,
      name,
      title: supplied.title ?? (appTitle !== 'Dash' ? appTitle : name),
      description: supplied.description ?? '',
      order: supplied.order,
      redirectFrom: [...(supplied.redirectFrom ?? [])],
      relativePath: relativePath(this.env.requestsPrefix(), path),
      layout: supplied.layout,
    };
    const pages = [...this.#pages, page];
    const suppliedOrder = new Map(pages.map((p) => [p, this.#suppliedOrder.get(p.path)]));
    suppliedOrder.set(page, supplied.order);
    this.#suppliedOrder.set(path, supplied.order);
    this.#pages = sortPages(pages, suppliedOrder);
    return this.#pages.find((p) => p.path === path)!;
  }

  /**
   * The page a path (requests prefix and outer slashes already stripped) shows, with its path
   * variables; as Dash's `_path_to_page`, the first page in order whose template or path fits.
   */
  find(strippedPath: string): { page: Page; variables: PageParams } | undefined {
    for (const page of this.#pages) {
      if (page.pathTemplate) {
        const variables = matchPathTemplate(page.pathTemplate, strippedPath);
        if (variables && Object.keys(variables).length > 0) return { page, variables };
      }
      if (strippedPath === stripSlashes(page.path)) return { page, variables: {} };
    }
    return undefined;
  }

  /** The page registered at /404, if any: it replaces the default "404 - Page not found". */
  notFoundPage(): Page | undefined {
    return this.#pages.find((page) => page.path === NOT_FOUND_PATH);
  }

  /**
   * Where a request path (as the server sees it, under the routes prefix) redirects to, if a page
   * claims it in `redirectFrom`: the page's path as the browser requests it.
   */
  redirectTarget(requestPath: string): string | undefined {
    const routes = this.env.routesPrefix();
    for (const page of this.#pages) {
      for (const from of page.redirectFrom) {
        if (relativePath(routes, from) === requestPath) return page.relativePath;
      }
    }
    return undefined;
  }
}

/**
 * Dash's order: `/` is 0 when no page gives an order; then pages with an order (ascending), then
 * the rest; ties by path.
 */
function sortPages(pages: Page[], suppliedOrder: ReadonlyMap<Page, number | undefined>): Page[] {
  const anySupplied = [...suppliedOrder.values()].some((order) => order !== undefined);
  const ordered = pages.map((page) => {
    const supplied = suppliedOrder.get(page);
    const order = page.path === '/' && !anySupplied ? 0 : supplied;
    return order === page.order ? page : { ...page, order };
  });
  return ordered.sort((a, b) => {
    if ((a.order === undefined) !== (b.order === undefined)) return a.order === undefined ? 1 : -1;
    if (a.order !== undefined && b.order !== undefined && a.order !== b.order) return a.order - b.order;
    return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  });
}

function checkedOptions(options: PageOptions): PageOptions {
  if (typeof options !== 'object' || options === null) {
    throw new CallbackDefinitionError('app.registerPage(options): options must be an object');
  }
  const { path, pathTemplate, title, order, redirectFrom, layout } = options;
  if (layout === undefined)
    throw new CallbackDefinitionError(`page ${path ?? pathTemplate}: layout is required`);
  if (pathTemplate !== undefined) assertPathTemplate(pathTemplate);
  if (path === undefined && pathTemplate === undefined) {
    throw new CallbackDefinitionError('app.registerPage: give a path (e.g. "/reports") or a pathTemplate');
  }
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new CallbackDefinitionError(`page path ${JSON.stringify(path)} must start with "/"`);
  }
  if (title !== undefined && typeof title !== 'string' && typeof title !== 'function') {
    throw new CallbackDefinitionError('a page title must be a string or a function of the params');
  }
  if (order !== undefined && !Number.isFinite(order)) {
    throw new CallbackDefinitionError(`page order must be a number, got ${String(order)}`);
  }
  if (redirectFrom !== undefined) {
    if (
      !Array.isArray(redirectFrom) ||
      redirectFrom.some((r) => typeof r !== 'string' || !r.startsWith('/'))
    ) {
      throw new CallbackDefinitionError('redirectFrom must be a list of paths starting with "/"');
    }
  }
  return options;
}

/** `/weekly-analytics` → "Weekly analytics"; `/` → "Home"; template variables are skipped. */
function nameFromPath(path: string): string {
  const segments = stripSlashes(path)
    .split('/')
    .filter((segment) => segment !== '' && !segment.includes('<'));
  const last = segments.at(-1);
  if (!last) return 'Home';
  const words = last.replace(/[-_]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
