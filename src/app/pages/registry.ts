/**
 * The page registry (Dash's `page_registry`): what `registerPage` records, with Dash's
 * defaults, in navigation order, and which page a URL shows.
 */
import { CallbackDefinitionError } from '../../base/errors.ts';
import { relativePath } from '../prefixes.ts';
import { PageModuleError } from './errors.ts';
import { inferImage, nameFromModule, nameFromPath, pathFromModule } from './inference.ts';
import { comparePages, effectiveOrder, type PageOrder } from './order.ts';
import { checkedOptions, type PageLayout, type PageOptions, type PageText } from './page-options.ts';
import { matchPathTemplate, type PageParams, pathFromTemplate, stripSlashes } from './paths.ts';

/** A registered page, as `app.pageRegistry` lists it (Dash's entry, keys in camelCase). */
export interface Page {
  /** Dash's module name: the page module's dotted path (`pages.reports`), the one given, or the path. */
  readonly module: string;
  readonly path: string;
  readonly suppliedPath: string | undefined;
  readonly pathTemplate: string | undefined;
  readonly name: string;
  readonly suppliedName: string | undefined;
  readonly title: PageText;
  readonly suppliedTitle: PageText | undefined;
  /** The page's description, else the app's, else ''. */
  readonly description: PageText;
  /** The order given, or 0 for `/` when no page gives one; undefined sorts last. */
  readonly order: PageOrder | undefined;
  readonly suppliedOrder: PageOrder | undefined;
  /** A file in the assets folder for social-media cards: the one given, else Dash's inference. */
  readonly image: string | undefined;
  readonly suppliedImage: string | undefined;
  /** A full image URL that overrides `image` in the meta tags. */
  readonly imageUrl: string | undefined;
  readonly redirectFrom: readonly string[];
  /** `path` under the requests prefix: the href for links. */
  readonly relativePath: string;
  readonly layout: PageLayout;
  readonly suppliedLayout: PageLayout | undefined;
  /** Any other key given to registerPage, kept as Dash keeps `**kwargs`. */
  readonly [extra: string]: unknown;
}

export interface PageEnvironment {
  /** The app's title: a page's default title unless it is Dash's default "Dash". */
  appTitle(): string;
  /** The app's description: a page's default description. */
  appDescription(): string | undefined;
  /** Where image inference looks (Dash's assets folder). */
  assetsFolder(): string | undefined;
  /** The pages folder's dotted name (`pages`), if the app has one: stripped when inferring paths. */
  folderModule(): string | undefined;
  requestsPrefix(): string;
  /** Where the server's routes live (differs from the requests prefix behind a stripping proxy). */
  routesPrefix(): string;
}

/** Where a registration comes from: a page module's file and inferred names, if any. */
export interface PageOrigin {
  /** The page module's dotted name, as Dash infers it from its file. */
  inferredModule?: string;
  /** The file that called registerPage: a page without `layout` takes that module's `layout` export. */
  file?: string;
}

/** The path that replaces the default 404 page (and Dash's module name that does). */
export const NOT_FOUND_PATH = '/404';
const NOT_FOUND_MODULE = 'not_found_404';

/** Dash's own keys (camelCased); any other key is an extra, kept as given. */
const OWN_KEYS = new Set([
  'module',
  'path',
  'pathTemplate',
  'name',
  'order',
  'title',
  'description',
  'image',
  'imageUrl',
  'redirectFrom',
  'layout',
]);

export class PageRegistry {
  #pages: Page[] = [];
  /** Pages registered from a page module without `layout`, waiting for its `layout` export. */
  readonly #awaitingLayout = new Map<string, string>();

  constructor(private readonly env: PageEnvironment) {}

  /** In navigation order (see order.ts). */
  get pages(): readonly Page[] {
    return this.#pages;
  }

  get isEmpty(): boolean {
    return this.#pages.length === 0;
  }

  register(options: PageOptions, origin: PageOrigin = {}): Page {
    const supplied = checkedOptions(options, origin.file !== undefined);
    const module = supplied.module ?? origin.inferredModule;
    const path = supplied.path ?? inferredPath(supplied.pathTemplate, module, this.env.folderModule());
    if (path === undefined) {
      throw new CallbackDefinitionError(
        'registerPage: give a path (e.g. "/reports"), a pathTemplate or a module',
      );
    }
    const key = module ?? path;
    const clash = this.#pages.find((p) => stripSlashes(p.path) === stripSlashes(path) || p.module === key);
    if (clash) {
      throw new CallbackDefinitionError(
        clash.module === key
          ? `two pages have the module name ${key}: give each registerPage call its own \`module\``
          : `pages ${clash.module} and ${key} have the same path ${path}`,
      );
    }
    const name =
      supplied.name ??
      (module !== undefined ? nameFromModule(module) : nameFromPath(supplied.pathTemplate ?? path));
    const appTitle = this.env.appTitle();
    const extras = Object.fromEntries(Object.entries(supplied).filter(([k]) => !OWN_KEYS.has(k)));
    const image = supplied.image ?? inferImage(this.env.assetsFolder(), module);
    const page: Page = {
      ...extras,
      module: key,
      path,
      suppliedPath: supplied.path,
      pathTemplate: supplied.pathTemplate,
      name,
      suppliedName: supplied.name,
      title: supplied.title ?? (appTitle !== 'Dash' ? appTitle : name),
      suppliedTitle: supplied.title,
      // As Dash: an empty description falls back to the app's.
      description: supplied.description || this.env.appDescription() || '',
      order: supplied.order,
      suppliedOrder: supplied.order,
      image,
      suppliedImage: supplied.image,
      imageUrl: supplied.imageUrl,
      redirectFrom: [...(supplied.redirectFrom ?? [])],
      relativePath: relativePath(this.env.requestsPrefix(), path),
      layout: supplied.layout as PageLayout,
      suppliedLayout: supplied.layout,
    };
    if (supplied.layout === undefined) this.#awaitingLayout.set(key, origin.file!);
    this.#pages = sorted([...this.#pages, page]);
    return this.#pages.find((p) => p.module === key)!;
  }

  /**
   * After a page module is imported: its pages registered without `layout` take the module's
   * `layout` export, as Dash's `_import_layouts_from_pages`; none is a PageModuleError.
   */
  takeLayoutsFrom(file: string, exports: Record<string, unknown>): void {
    for (const [module, from] of this.#awaitingLayout) {
      if (from !== file) continue;
      const layout = exports.layout as PageLayout | undefined;
      if (layout === undefined) {
        throw new PageModuleError(
          file,
          `no layout found in module ${module}: export a variable or a function named "layout", ` +
            'or give registerPage a layout',
        );
      }
      this.#pages = this.#pages.map((p) => (p.module === module ? { ...p, layout } : p));
      this.#awaitingLayout.delete(module);
    }
  }

  /** Refuses pages still without a layout (registered by a module that was not a page module). */
  assertLayouts(): void {
    for (const [module, file] of this.#awaitingLayout) {
      throw new PageModuleError(file, `page ${module} has no layout: give registerPage a layout`);
    }
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

  /**
   * The page that replaces the default "404 - Page not found": Dash's module named
   * `not_found_404` (e.g. `pages/not_found_404.ts`), else the page registered at /404.
   */
  notFoundPage(): Page | undefined {
    return (
      this.#pages.find((page) => page.module.split('.').at(-1) === NOT_FOUND_MODULE) ??
      this.#pages.find((page) => page.path === NOT_FOUND_PATH)
    );
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

/** Dash's `_infer_path`: from the template (variables as "none"), else from the module name. */
function inferredPath(
  template: string | undefined,
  module: string | undefined,
  folderModule: string | undefined,
): string | undefined {
  if (template !== undefined) return pathFromTemplate(template);
  return module === undefined ? undefined : pathFromModule(module, folderModule);
}

/** Every page with its effective order, sorted as Dash sorts them. */
function sorted(pages: Page[]): Page[] {
  const anySupplied = pages.some((page) => page.suppliedOrder !== undefined);
  return pages
    .map((page) => {
      const order = effectiveOrder(page, anySupplied);
      return order === page.order ? page : { ...page, order };
    })
    .sort(comparePages);
}
