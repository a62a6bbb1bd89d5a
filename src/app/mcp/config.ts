/**
 * The `mcp` option, checked when the app is constructed (a bad one throws there), apart from the
 * MCP server itself (endpoint.ts, with the MCP SDK), which the app imports only at the first
 * request under its path: pool workers and `dash-ts worker` processes construct the app too, and
 * never serve it.
 */

/** `new Dash({ mcp })`: the app's callbacks as MCP tools (and tasks), over Streamable HTTP. */
export interface McpOptions {
  /** Below the app's prefix; default '/_mcp'. */
  path?: string;
  /** When set, every MCP request needs `Authorization: Bearer <token>` (else 401). */
  token?: string;
}

/** An mcp option that cannot work (an empty token, a bad path). */
export class McpConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'McpConfigError';
  }
}

export const DEFAULT_MCP_PATH = '/_mcp';

/** The checked option, with the endpoint's path below the app's routes prefix. */
export interface McpConfig {
  /** Where the endpoint lives, without a trailing slash (e.g. '/_mcp'). */
  readonly routesPath: string;
  readonly token: string | undefined;
}

export function mcpConfig(options: McpOptions, prefixes: { routes: string }): McpConfig {
  const { token } = options;
  if (token !== undefined && (typeof token !== 'string' || token.length === 0)) {
    throw new McpConfigError('mcp.token must be a non-empty string (or left out for no token)');
  }
  const path = options.path ?? DEFAULT_MCP_PATH;
  if (typeof path !== 'string' || !path.startsWith('/') || path === '/' || /[?#\s]/.test(path)) {
    throw new McpConfigError(
      `mcp.path must start with / and name a path below the app, e.g. '${DEFAULT_MCP_PATH}'`,
    );
  }
  return { routesPath: prefixes.routes + path.replace(/\/+$/, '').slice(1), token };
}

/** Whether a request is the MCP endpoint's to answer. */
export function mcpHandles(config: McpConfig, pathname: string): boolean {
  return pathname === config.routesPath || pathname === `${config.routesPath}/`;
}
