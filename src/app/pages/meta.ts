/**
 * The meta tags a direct load of a page URL carries, as Dash's `_page_meta_tags`
 * (dash/_pages.py): description, Twitter card and Open Graph tags, in Dash's order and with
 * Dash's content, so link previews look the same as for the Dash app.
 */
import type { Logger } from '../../base/log.ts';
import type { PageParams } from './paths.ts';
import type { Page } from './registry.ts';

export interface MetaEnvironment {
  appTitle: string;
  /** Dash's `get_asset_url`: the asset's path under the requests prefix. */
  assetUrl(file: string): string;
  logger: Logger;
}

/**
 * `page` is the page the URL's path names (undefined for any other path: Dash then uses the
 * app's title and no description or image, even where a 404 page exists); title and description
 * functions get the path variables, as in Dash.
 */
export function pageMetaTags(
  page: Page | undefined,
  pathVariables: PageParams,
  url: URL,
  env: MetaEnvironment,
): { title: string; metaTags: Record<string, string>[] } {
  const title = pageText(page, 'title', pathVariables, env) ?? env.appTitle;
  const description = pageText(page, 'description', pathVariables, env) ?? '';
  // Dash: request.root (scheme, host and "/") + the asset URL without its leading "/".
  const assetImage = page?.image
    ? `${url.origin}/${env.assetUrl(page.image).replace(/^\/+/, '')}`
    : undefined;
  const image = page?.imageUrl || assetImage || '';
  return {
    title,
    metaTags: [
      { name: 'description', content: description },
      { property: 'twitter:card', content: 'summary_large_image' },
      { property: 'twitter:url', content: url.href },
      { property: 'twitter:title', content: title },
      { property: 'twitter:description', content: description },
      { property: 'twitter:image', content: image },
      { property: 'og:title', content: title },
      { property: 'og:type', content: 'website' },
      { property: 'og:description', content: description },
      { property: 'og:image', content: image },
    ],
  };
}

/** The page's title or description, a function called with the path variables; undefined if it fails. */
export function pageText(
  page: Page | undefined,
  key: 'title' | 'description',
  pathVariables: PageParams,
  env: { logger: Logger },
): string | undefined {
  if (!page) return undefined;
  const value = page[key];
  if (typeof value !== 'function') return value;
  try {
    return String(value(pathVariables));
  } catch (error) {
    env.logger.warn(`page ${page.path}: its ${key} function failed (${(error as Error).message})`);
    return undefined;
  }
}
