/**
 * A Redis connection as logs, errors, `/health` and the jobs monitor show it: where it goes, never
 * what opens it. User names, passwords and every query parameter that may carry a secret are
 * replaced by `***`, whatever form the connection was given in: a URL (`redis://`, `rediss://`,
 * a unix socket path), or ioredis options (with sentinels, or a list of cluster nodes).
 */

/** What replaces a secret. */
const MASK = '***';

/**
 * Query parameters and option names that may carry a credential: ioredis reads `password`,
 * `username` and `sentinelPassword` from a URL's query, and users write the others in their
 * own URLs (`?pass=`, `?token=`, `?auth=`, `?apiKey=`, `?secret=`...).
 */
const SECRET_NAME = /pass|pwd|secret|token|auth|key|cred|user/i;

/** The connection for logs and answers, with every credential masked. */
export function describeConnection(connection: unknown): string {
  if (connection === undefined || connection === null) return 'redis://127.0.0.1:6379/0';
  if (typeof connection === 'string') return describeUrl(connection);
  if (Array.isArray(connection)) return `redis cluster [${connection.map(describeNode).join(', ')}]`;
  if (typeof connection === 'object') return describeOptions(connection as Record<string, unknown>);
  return 'redis (unreadable connection option)';
}

function describeUrl(text: string): string {
  // A bare path is a unix socket (ioredis accepts one in place of a URL).
  if (text.startsWith('/')) {
    const [socket = '', query] = splitOnce(text, '?');
    return `unix:${socket}${query === undefined ? '' : `?${maskQuery(query)}`}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // An unparsable string may still hold a password: nothing of it is shown.
    return 'redis (unparsable URL)';
  }
  if (url.username) url.username = MASK;
  if (url.password) url.password = MASK;
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_NAME.test(name)) url.searchParams.set(name, MASK);
  }
  // URLSearchParams percent-encodes the mask; it reads better plain.
  return url.toString().replaceAll('%2A%2A%2A', MASK);
}

function describeOptions(options: Record<string, unknown>): string {
  const credentials = credentialsOf(options);
  const db = typeof options.db === 'number' ? options.db : 0;
  if (typeof options.path === 'string') return `unix:${credentials}${options.path}`;
  if (Array.isArray(options.sentinels)) {
    const sentinels = options.sentinels.map(describeNode).join(',');
    const master = typeof options.name === 'string' ? options.name : 'mymaster';
    const sentinelAuth = SECRET_OPTIONS_OF_SENTINELS.some((name) => options[name] !== undefined)
      ? ` (sentinel credentials ${MASK})`
      : '';
    return `redis-sentinel://${credentials}${sentinels}/${master}/${db}${sentinelAuth}`;
  }
  const scheme = options.tls ? 'rediss' : 'redis';
  return `${scheme}://${credentials}${hostPort(options)}/${db}`;
}

const SECRET_OPTIONS_OF_SENTINELS = ['sentinelPassword', 'sentinelUsername'] as const;

/** `***:***@` when the options carry a user name and a password, `:***@` for a password alone. */
function credentialsOf(options: Record<string, unknown>): string {
  const user = options.username !== undefined && options.username !== '' ? MASK : '';
  const password = options.password !== undefined && options.password !== '' ? `:${MASK}` : '';
  return user || password ? `${user}${password}@` : '';
}

/** A sentinel or cluster node: `{ host, port }`, or a URL / `host:port` string. */
function describeNode(node: unknown): string {
  if (typeof node === 'string')
    return node.includes('://') ? describeUrl(node) : node.replace(/^.*@/, `${MASK}@`);
  if (typeof node === 'number') return `127.0.0.1:${node}`;
  if (node && typeof node === 'object') {
    const options = node as Record<string, unknown>;
    return `${credentialsOf(options)}${hostPort(options)}`;
  }
  return '?';
}

function hostPort(options: Record<string, unknown>): string {
  const host = typeof options.host === 'string' ? options.host : '127.0.0.1';
  const port = typeof options.port === 'number' || typeof options.port === 'string' ? options.port : 6379;
  return `${host}:${port}`;
}

/** A raw query string with the values of secret-bearing names masked. */
function maskQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const [name = ''] = splitOnce(pair, '=');
      return SECRET_NAME.test(decodeSafely(name)) ? `${name}=${MASK}` : pair;
    })
    .join('&');
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
