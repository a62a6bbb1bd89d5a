/**
 * Pages as the app uses them: the pages folder is imported at start-up (folder.ts); registering
 * installs Dash's routing callbacks once; the index page gets the page's title and meta tags on
 * a direct load; `redirectFrom` paths redirect; and the validation layout lists every page, so
 * callbacks may target components of any page.
 */
import path from 'node:path';
import { holdAppStartup } from '../../app-module/startup.ts';
import { CallbackDefinitionError } from '../../base/errors.ts';
import type { Logger } from '../../base/log.ts';
import type { ClientsideCallbacks } from '../../callbacks/clientside.ts';
import type { Input, State } from '../../callbacks/dependencies.ts';
import type { CallbackRegistry } from '../../callbacks/registry.ts';
import type { Component } from '../../components/component.ts';
import * as html from '../../components/generated/html.ts';
import type { LayoutValue } from '../layout.ts';
import { layoutHasId, PAGE_IDS, pageContainer } from './container.ts';
import { assertPagesFolder, importPageModules, pageModuleFiles } from './folder.ts';
import { folderModuleName, moduleNameFor } from './inference.ts';
import { pageMetaTags, pageText } from './meta.ts';
import { announcePagesApp, type PageModuleHost, whileImportingPages } from './module-api.ts';
import type { PageOptions } from './page-options.ts';
import { type Page, type PageOrigin, PageRegistry } from './registry.ts';
import { installRoutingCallbacks, strippedPath } from './routing.ts';

/** The app options that concern pages (see DashOptions). */
export interface PagesOptions {
  usePages?: boolean;
  pagesFolder?: string;
  description?: string;
  routingCallbackInputs?: Record<string, Input | State>;
  includePagesMeta?: boolean;
}

export interface PagesDependencies {
  callbacks: CallbackRegistry;
  clientside: ClientsideCallbacks;
  logger: Logger;
  /** The folder of the app module: where a relative pagesFolder lives. */
  appDir: string;
  appTitle(): string;
  assetsFolder(): string;
  /** Dash's get_asset_url. */
  assetUrl(file: string): string;
  /** The prefix the browser requests under (Dash's requests_pathname_prefix). */
  requestsPrefix(): string;
  /** Where the routes live (Dash's routes_pathname_prefix): what the server sees in a request path. */
  routesPrefix(): string;
  /** The app's own callback methods, for page modules' module-level `callback` calls. */
  appCallbacks: Pick<PageModuleHost, 'callback' | 'clientsideCallback'>;
}

/** What the index page shows for a URL before the renderer starts: the page's title and meta tags. */
export interface PageHead {
  title: string;
  metaTags: Record<string, string>[];
}

export class Pages {
  readonly registry: PageRegistry;
  /** The pages folder when the app imports one (Dash's use_pages with a pages_folder). */
  readonly folder: string | undefined;
  readonly #usePages: boolean;
  readonly #imported: Promise<void>;
  #routingInstalled = false;
  #validationLayout: Promise<Component> | undefined;

  constructor(
    private readonly deps: PagesDependencies,
    private readonly options: PagesOptions = {},
  ) {
    this.registry = new PageRegistry({
      ...deps,
      appDescription: () => options.description,
      folderModule: () => (this.folder ? folderModuleName(deps.appDir, this.folder) : undefined),
    });
    const { pagesFolder } = options;
    // As Dash: naming a folder other than the default turns pages on.
    this.#usePages = options.usePages ?? (pagesFolder !== undefined && pagesFolder !== 'pages');
    const folderOption = pagesFolder ?? 'pages';
    if (folderOption !== '' && (this.#usePages || folderOption !== 'pages')) {
      this.folder = path.resolve(deps.appDir, folderOption);
      assertPagesFolder(this.folder, folderOption);
    }
    if (!this.#usePages) {
      this.#imported = Promise.resolve();
      return;
    }
    const host: PageModuleHost = {
      registerPage: (pageOptions, file) => this.register(pageOptions, file),
      ...deps.appCallbacks,
      owns: (file) => this.#inFolder(file),
    };
    announcePagesApp(host);
    this.#installRouting();
    const folder = this.folder;
    this.#imported = folder ? whileImportingPages(host, () => this.#importFolder(folder)) : Promise.resolve();
    holdAppStartup(this.#imported);
  }

  get enabled(): boolean {
    return this.#usePages || !this.registry.isEmpty;
  }

  /** Resolves once the pages folder's modules are imported; rejects with the first that failed. */
  ready(): Promise<void> {
    return this.#imported;
  }

  /** `file`: the module that called registerPage; a page module in the folder gets Dash's names. */
  register(options: PageOptions, file?: string): Page {
    const page = this.registry.register(options, this.#originOf(file));
    this.#installRouting();
    return page;
  }

  async #importFolder(folder: string): Promise<void> {
    await importPageModules(pageModuleFiles(folder), this.deps.logger, (file, exports) =>
      this.registry.takeLayoutsFrom(file, exports),
    );
    this.registry.assertLayouts();
  }

  /** A file in the pages folder is a page module: Dash infers its module name and path. */
  #originOf(file: string | undefined): PageOrigin {
    if (!file || !this.folder || !this.#inFolder(file)) return {};
    return { file, inferredModule: moduleNameFor(this.deps.appDir, this.folder, file) };
  }

  #inFolder(file: string | undefined): boolean {
    if (!file || !this.folder || !this.#usePages) return false;
    const relative = path.relative(this.folder, file);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  }

  #installRouting(): void {
    if (this.#routingInstalled) return;
    this.#routingInstalled = true;
    installRoutingCallbacks({
      ...this.deps,
      registry: this.deps.callbacks,
      pages: this.registry,
      routingInputs: this.options.routingCallbackInputs ?? {},
    });
  }

  /** The app's layout when it sets none: the page container alone, as in Dash. */
  defaultLayout(): LayoutValue {
    return pageContainer;
  }

  /**
   * Dash's validation layout for pages: every page's layout plus the app's, computed once (a
   * layout function is called with no params; one that throws without them is left out).
   * Refuses an app layout without the page container.
   */
  validationLayout(appLayout: () => Promise<LayoutValue>): Promise<Component> {
    this.#validationLayout ??= (async () => {
      const app = await appLayout();
      this.assertContainerIn(app);
      const layouts: LayoutValue[] = [];
      for (const page of this.registry.pages) {
        try {
          layouts.push(typeof page.layout === 'function' ? await page.layout({}) : page.layout);
        } catch (error) {
          this.deps.logger.warn(
            `page ${page.path}: its layout function failed without params (${(error as Error).message}); ` +
              'its components are left out of the validation layout',
          );
        }
      }
      return html.Div({ children: [...layouts.flat(), ...[app].flat()] }) as Component;
    })();
    this.#validationLayout.catch(() => {
      this.#validationLayout = undefined;
    });
    return this.#validationLayout;
  }

  /** Refuses (when pages exist) an app layout without the page container. */
  assertContainerIn(layout: LayoutValue): void {
    if (this.enabled && !layoutHasId(layout, PAGE_IDS.content)) {
      throw new CallbackDefinitionError('pageContainer is not in app.layout: pages have nowhere to appear');
    }
  }

  /** `redirectFrom`: the page a request path redirects to, if any. */
  redirectTarget(requestPath: string): string | undefined {
    return this.registry.redirectTarget(requestPath);
  }

  /**
   * Title and meta tags for a direct load of `url`, as the server sees it: Dash's
   * `_page_meta_tags`. The title is the one the tab shows once the page is routed (for an unknown
   * path, the 404 page's); Dash serves the app's title there and lets the routing change it.
   */
  head(url: URL): PageHead {
    const stripped = strippedPath(this.deps.routesPrefix(), url.pathname);
    const found = stripped === undefined ? undefined : this.registry.find(stripped);
    const env = { appTitle: this.deps.appTitle(), assetUrl: this.deps.assetUrl, logger: this.deps.logger };
    const meta = pageMetaTags(found?.page, found?.variables ?? {}, url, env);
    const notFound = found ? undefined : this.registry.notFoundPage();
    const title = (notFound && pageText(notFound, 'title', {}, env)) ?? meta.title;
    return { title, metaTags: this.options.includePagesMeta === false ? [] : meta.metaTags };
  }
}
