/**
 * Pages as the app uses them: registering installs Dash's routing callbacks once; the index page
 * gets the page's title and meta tags on a direct load; `redirectFrom` paths redirect; and the
 * validation layout lists every page, so callbacks may target components of any page.
 */
import type { ClientsideCallbacks } from '../../callbacks/clientside.ts';
import type { CallbackRegistry } from '../../callbacks/registry.ts';
import type { Component } from '../../components/component.ts';
import * as html from '../../components/generated/html.ts';
import { CallbackDefinitionError } from '../../errors.ts';
import type { LayoutValue } from '../dash.ts';
import type { Logger } from '../log.ts';
import { layoutHasId, PAGE_IDS, pageContainer } from './container.ts';
import { type Page, type PageOptions, PageRegistry } from './registry.ts';
import { installRoutingCallbacks, pageFor } from './routing.ts';

export interface PagesDependencies {
  callbacks: CallbackRegistry;
  clientside: ClientsideCallbacks;
  logger: Logger;
  appTitle(): string;
  /** The prefix the browser requests under (Dash's requests_pathname_prefix). */
  requestsPrefix(): string;
  /** Where the routes live (Dash's routes_pathname_prefix): what the server sees in a request path. */
  routesPrefix(): string;
}

/** What the index page shows for a URL before the renderer starts: the page's title and meta tags. */
export interface PageHead {
  title: string;
  metaTags: Record<string, string>[];
}

export class Pages {
  readonly registry: PageRegistry;
  #routingInstalled = false;
  #validationLayout: Promise<Component> | undefined;

  constructor(private readonly deps: PagesDependencies) {
    this.registry = new PageRegistry(deps);
  }

  get enabled(): boolean {
    return !this.registry.isEmpty;
  }

  register(options: PageOptions): Page {
    const page = this.registry.register(options);
    if (!this.#routingInstalled) {
      this.#routingInstalled = true;
      installRoutingCallbacks({ ...this.deps, registry: this.deps.callbacks, pages: this.registry });
    }
    return page;
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

  /** Title and meta tags for a direct load of `url`, as the server sees it (Dash's `_page_meta_tags`). */
  head(url: URL): PageHead {
    const { page, params } = pageFor(this.registry, this.deps.routesPrefix(), url.pathname, url.search);
    let title = this.deps.appTitle();
    const description = page?.description ?? '';
    try {
      if (page) title = typeof page.title === 'function' ? page.title(params) : page.title;
    } catch (error) {
      this.deps.logger.warn(`page ${page?.path}: its title function failed (${(error as Error).message})`);
    }
    return {
      title,
      metaTags: [
        { name: 'description', content: description },
        { property: 'twitter:card', content: 'summary_large_image' },
        { property: 'twitter:url', content: url.href },
        { property: 'twitter:title', content: title },
        { property: 'twitter:description', content: description },
        { property: 'twitter:image', content: '' },
        { property: 'og:title', content: title },
        { property: 'og:type', content: 'website' },
        { property: 'og:description', content: description },
        { property: 'og:image', content: '' },
      ],
    };
  }
}
