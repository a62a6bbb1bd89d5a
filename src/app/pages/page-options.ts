/** What `registerPage` takes (Dash's `register_page` arguments, camelCased), and its checks. */
import { CallbackDefinitionError } from '../../base/errors.ts';
import type { LayoutValue } from '../layout.ts';
import type { PageOrder } from './order.ts';
import { assertPathTemplate, type PageParams } from './paths.ts';

export type PageLayout = LayoutValue | ((params: PageParams) => LayoutValue | Promise<LayoutValue>);
/** A title or description: text, or a function of the path variables (as Dash calls it). */
export type PageText = string | ((params: PageParams) => string);
export type PageTitle = PageText;

export interface PageOptions {
  /**
   * Dash's module name (its first argument): identifies the page, breaks ties in order and names
   * its inferred image (`assets/<last part>.png`). Default: a page module's dotted path
   * (`pages.reports`); a page registered elsewhere is identified by its path.
   */
  module?: string;
  /** The URL path, e.g. `/` or `/reports`; inferred from `pathTemplate` or the page module's file. */
  path?: string;
  /** e.g. `/reports/<reportId>`: the variables reach `layout` (and `title`) in `params`. */
  pathTemplate?: string;
  name?: string;
  title?: PageText;
  /** The page's meta description; default the app's `description`. */
  description?: PageText;
  /** Numbers first (ascending), then strings, then pages without one; ties by module name. */
  order?: PageOrder;
  /** A file in the assets folder for social-media cards (og:image, twitter:image). */
  image?: string;
  /** A full URL for those cards instead of `image`. */
  imageUrl?: string;
  /** Paths that answer with a 301 to this page. */
  redirectFrom?: string[];
  /** Required, except in a page module that exports `layout` instead. */
  layout?: PageLayout;
  /** Any other key is kept in the page's registry entry, as Dash keeps `**kwargs`. */
  [extra: string]: unknown;
}

/** Refuses options Dash would refuse, with the reason; `fromPageModule` lets `layout` come later. */
export function checkedOptions(options: PageOptions, fromPageModule: boolean): PageOptions {
  if (typeof options !== 'object' || options === null) {
    throw new CallbackDefinitionError('registerPage(options): options must be an object');
  }
  const { module, path, pathTemplate, title, description, order, redirectFrom, layout } = options;
  const label = module ?? path ?? pathTemplate ?? 'registerPage';
  if (layout === undefined && !fromPageModule) {
    throw new CallbackDefinitionError(`page ${label}: layout is required`);
  }
  if (module !== undefined && (typeof module !== 'string' || module === '')) {
    throw new CallbackDefinitionError('a page module name must be a non-empty string');
  }
  if (pathTemplate !== undefined) assertPathTemplate(pathTemplate);
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new CallbackDefinitionError(`page path ${JSON.stringify(path)} must start with "/"`);
  }
  for (const [key, value] of [
    ['title', title],
    ['description', description],
  ] as const) {
    if (value !== undefined && typeof value !== 'string' && typeof value !== 'function') {
      throw new CallbackDefinitionError(`page ${label}: ${key} must be a string or a function of the params`);
    }
  }
  if (order !== undefined && typeof order !== 'string' && !Number.isFinite(order)) {
    throw new CallbackDefinitionError(`page order must be a number or a string, got ${String(order)}`);
  }
  for (const key of ['image', 'imageUrl', 'name'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'string') {
      throw new CallbackDefinitionError(`page ${label}: ${key} must be a string`);
    }
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
