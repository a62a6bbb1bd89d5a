/**
 * URL prefixes, as Dash's url_base_pathname / routes_pathname_prefix / requests_pathname_prefix
 * (dash/_configs.py pathname_configs, dash/_get_paths.py).
 *
 * - `routes`: where this server listens (every route lives under it).
 * - `requests`: what the browser puts before every URL it builds (the index's scripts, the
 *   renderer's API calls, dcc's lazy chunks, assets). It differs from `routes` behind a proxy
 *   that strips or adds a prefix.
 */

/** A prefix combination Dash refuses (its InvalidConfig); thrown by `new Dash()`. */
export class InvalidConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidConfigError';
  }
}

/** `getRelativePath` / `stripRelativePath` got a path they cannot handle (Dash's UnsupportedRelativePath). */
export class UnsupportedRelativePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedRelativePathError';
  }
}

export interface PrefixOptions {
  urlBasePathname?: string;
  requestsPathnamePrefix?: string;
  routesPathnamePrefix?: string;
}

export interface Prefixes {
  /** As configured (or from DASH_URL_BASE_PATHNAME); null when unset, as Dash sends it in the config. */
  readonly urlBasePathname: string | null;
  /** Where the routes are served; starts and ends with `/`. */
  readonly routes: string;
  /** What the browser requests; starts and ends with `/`. */
  readonly requests: string;
}

const AMBIGUOUS = `This is ambiguous. To fix this, set \`routesPathnamePrefix\` instead of \`urlBasePathname\`.
\`requestsPathnamePrefix\` is the prefix of the requests the browser makes, \`routesPathnamePrefix\` the prefix of
the routes this server serves; \`urlBasePathname\` sets both to the same value. If they must differ, set
\`requestsPathnamePrefix\` and \`routesPathnamePrefix\`, not \`urlBasePathname\`.`;

/**
 * Dash's rules: an option wins over its DASH_* environment variable; `urlBasePathname` excludes
 * the other two; routes default to the base (else `/`) and must start and end with `/`; requests
 * default to `/<DASH_APP_NAME><routes>` when DASH_APP_NAME is set, else to routes, and must start with `/`.
 */
export function resolvePrefixes(options: PrefixOptions, env: NodeJS.ProcessEnv = process.env): Prefixes {
  const base = options.urlBasePathname ?? nonEmpty(env.DASH_URL_BASE_PATHNAME);
  let routes = options.routesPathnamePrefix ?? nonEmpty(env.DASH_ROUTES_PATHNAME_PREFIX);
  let requests = options.requestsPathnamePrefix ?? nonEmpty(env.DASH_REQUESTS_PATHNAME_PREFIX);

  if (base !== undefined && requests !== undefined) {
    throw new InvalidConfigError(
      `You supplied \`urlBasePathname\` and \`requestsPathnamePrefix\`. ${AMBIGUOUS}`,
    );
  }
  if (base !== undefined && routes !== undefined) {
    throw new InvalidConfigError(
      `You supplied \`urlBasePathname\` and \`routesPathnamePrefix\`. ${AMBIGUOUS}`,
    );
  }
  routes = base ?? routes ?? '/';
  if (!routes.startsWith('/')) throw new InvalidConfigError('`routesPathnamePrefix` needs to start with `/`');
  if (!routes.endsWith('/')) throw new InvalidConfigError('`routesPathnamePrefix` needs to end with `/`');

  const appName = nonEmpty(env.DASH_APP_NAME);
  if (!requests && appName) requests = `/${appName}${routes}`;
  else requests ??= routes;
  if (!requests.startsWith('/'))
    throw new InvalidConfigError('`requestsPathnamePrefix` needs to start with `/`');
  // Dash accepts '/proxy' and the renderer adds the slash itself; every URL built here needs it too.
  if (!requests.endsWith('/')) requests += '/';

  return { urlBasePathname: base ?? null, routes, requests };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** `path` with the requests prefix before it: Dash's get_relative_path. */
export function relativePath(requests: string, path: string): string {
  if (path === '') return requests;
  if (!path.startsWith('/')) {
    throw new UnsupportedRelativePathError(
      `Paths that aren't prefixed with a leading / are not supported. You supplied: ${path}`,
    );
  }
  return `${trimEnd(requests)}/${path.replace(/^\/+/, '')}`;
}

/**
 * `path` without the requests prefix and without leading and trailing slashes: Dash's
 * strip_relative_path (`/sales/page-1/` → `page-1`). null stays null.
 */
export function stripRelativePath(requests: string, path: string | null): string | null {
  if (path === null) return null;
  const bare = trimEnd(requests);
  if ((requests !== '/' && !path.startsWith(bare)) || (requests === '/' && !path.startsWith('/'))) {
    throw new UnsupportedRelativePathError(
      `Paths that aren't prefixed with requestsPathnamePrefix are not supported. You supplied: ${path} and requestsPathnamePrefix was ${requests}`,
    );
  }
  const rest = requests === '/' ? path : path.slice(bare.length);
  return rest.replace(/^\/+|\/+$/g, '');
}

function trimEnd(prefix: string): string {
  return prefix.replace(/\/+$/, '');
}
