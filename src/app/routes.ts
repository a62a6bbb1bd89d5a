/** The Dash HTTP surface on Hono: index, layout, dependencies, callbacks, component suites. */
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { BackgroundUnavailableError, BadRequestError } from '../base/errors.ts';
import type { Logger } from '../base/log.ts';
import type { RequestInfo } from '../callbacks/context.ts';
import { faviconResponse, serveComponentSuite } from './assets.ts';
import { assertJsonContentType, assertJsonDepth } from './body-guards.ts';
import { isClientGone } from './client-gone.ts';
import { noteRequest } from './idle-collect.ts';
import { readBodyWithin } from './request-body.ts';
import { hasDotSegment, type UserAssets } from './user-assets.ts';

/** What the routes need from the app; the Dash class provides it. */
export interface DashHost {
  readonly logger: Logger;
  /** Every route lives under it (Dash's routes_pathname_prefix; `/` by default). */
  readonly routesPrefix: string;
  readonly maxRequestBodyBytes: number;
  /** The index page for a URL (pages give it their title and meta tags). */
  indexHtml(url: URL): Promise<string>;
  /** A page's `redirectFrom` target for a request path, if any. */
  redirectTarget(path: string): string | undefined;
  layoutJson(): Promise<string>;
  dependenciesJson(): string;
  updateComponent(bodyText: string, info: RequestInfo, query: URLSearchParams): Promise<Response>;
  /** Who sent a request (identity.ts); `cookies` are the request's. */
  userOf(request: Request, cookies: Record<string, string>): Promise<string | undefined>;
  /** The session cookie a page load sets, if the request needs one (identity.ts). */
  pageCookie(request: Request, cookies: Record<string, string>): Promise<string | undefined>;
  readonly assets: UserAssets;
  /** The `_reload-hash` answer (Dash's hot reload). */
  reloadHash(): unknown;
  /** Path of the health endpoint below the prefix (no leading slash), or null for none. */
  readonly healthEndpoint: string | null;
  health(): Promise<Response>;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' } as const;

export function createRoutes(host: DashHost): Hono {
  const routes = new Hono().basePath(host.routesPrefix);

  // Browsers resolve `..` before they send a URL; a raw target that still has one is a probe.
  routes.use('*', async (c, next) => {
    noteRequest();
    const raw = (c.env as { incoming?: { url?: string } } | undefined)?.incoming?.url;
    if (raw !== undefined && hasDotSegment(raw)) return c.json({ message: 'no such path' }, 404);
    await next();
  });

  routes.get('/_dash-layout', async () => new Response(await host.layoutJson(), { headers: JSON_HEADERS }));

  routes.get('/_dash-dependencies', () => new Response(host.dependenciesJson(), { headers: JSON_HEADERS }));

  const tooLarge = () =>
    new BadRequestError(
      `the request body is larger than the limit of ${host.maxRequestBodyBytes} bytes`,
      413,
    );
  routes.post('/_dash-update-component', async (c) => {
    // JSON only: a cross-site form post is refused before any callback runs (body-guards.ts).
    assertJsonContentType(c.req.header('Content-Type'));
    const body = await readBodyWithin(c.req.raw, host.maxRequestBodyBytes, tooLarge);
    assertJsonDepth(body);
    const url = new URL(c.req.url);
    const cookies = getCookie(c);
    const info: RequestInfo = {
      cookies,
      headers: c.req.header(),
      args: c.req.query(),
      path: url.pathname + url.search,
    };
    const user = await host.userOf(c.req.raw, cookies);
    if (user !== undefined) info.user = user;
    return host.updateComponent(body, info, url.searchParams);
  });

  routes.get('/_dash-component-suites/*', (c) => {
    const path = c.req.path.slice(`${host.routesPrefix}_dash-component-suites/`.length);
    return serveComponentSuite(path, c.req.header('If-None-Match'));
  });

  routes.get('/_favicon.ico', () => faviconResponse());

  const assetsRoot = `${host.routesPrefix}${host.assets.urlPath}/`;
  routes.on(['GET', 'HEAD'], `/${host.assets.urlPath}/*`, (c) => {
    const pathname = new URL(c.req.url).pathname;
    return host.assets.serve(pathname.slice(assetsRoot.length), c.req.raw);
  });

  routes.get('/_reload-hash', (c) => c.json(host.reloadHash()));

  if (host.healthEndpoint !== null) routes.get(`/${host.healthEndpoint}`, () => host.health());

  // Every other GET is the index, as in Dash (multi-page apps and dcc.Location rely on it).
  routes.get('*', async (c) => {
    const redirect = host.redirectTarget(c.req.path);
    if (redirect !== undefined) return c.redirect(redirect, 301);
    const [html, cookie] = await Promise.all([
      host.indexHtml(new URL(c.req.url)),
      host.pageCookie(c.req.raw, getCookie(c)),
    ]);
    const headers: Record<string, string> = {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
    };
    if (cookie !== undefined) headers['Set-Cookie'] = cookie;
    return new Response(html, { headers });
  });

  routes.notFound((c) => c.json({ message: `no route for ${c.req.method} ${c.req.path}` }, 404));

  routes.onError((error, c) => {
    if (error instanceof BackgroundUnavailableError) {
      return c.json({ message: error.message }, 503, { 'Retry-After': String(error.retryAfterSeconds) });
    }
    if (error instanceof BadRequestError) {
      host.logger.warn(`${c.req.method} ${c.req.path}: ${error.status} ${error.message}`);
      return c.json({ message: error.message }, error.status);
    }
    if (isClientGone(error, c.req.raw)) {
      host.logger.debug?.(`${c.req.method} ${c.req.path}: the client closed the connection`);
      return new Response(null, { status: 499 });
    }
    host.logger.error(`${c.req.method} ${c.req.path} failed`, error);
    return c.json({ message: 'internal server error' }, 500);
  });

  return routes;
}
