/**
 * The MCP endpoint (`new Dash({ mcp })`): the official TypeScript SDK's server over its Web
 * Standard Streamable HTTP transport, in stateless mode: every POST gets a fresh SDK Server and
 * transport, and everything that must outlive a request (a task) lives in the manager's store
 * (calls.ts, task-store.ts), so any server process behind a load balancer answers any request.
 * Stateless, there are no server-initiated messages: GET (the standalone SSE stream) and DELETE
 * (ending a session) answer 405, as the transport spec allows.
 *
 * Before the SDK sees a request: with a token, `Authorization: Bearer <token>` (compared in
 * constant time, else 401); a browser request from another origin is refused (403), so a page
 * elsewhere cannot drive the app's callbacks through a user's browser (DNS rebinding).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { RequestInfo } from '../../callbacks/context.ts';
import { DASH_TS_VERSION } from '../version.ts';
import { AgentCalls, type McpHost } from './calls.ts';
import type { McpConfig } from './config.ts';
import { JobTaskStore } from './task-store.ts';

export type { McpHost };

export class McpEndpoint {
  readonly #calls: AgentCalls;
  readonly #taskStore: JobTaskStore;
  readonly #tokenDigest: Buffer | undefined;
  readonly #serverName: string;
  readonly #host: McpHost;

  constructor(config: McpConfig, host: McpHost, appName: string | undefined) {
    this.#host = host;
    this.#calls = new AgentCalls(host);
    this.#taskStore = new JobTaskStore(this.#calls);
    this.#tokenDigest = config.token === undefined ? undefined : digest(config.token);
    this.#serverName = appName ?? 'dash-ts app';
  }

  async fetch(request: Request): Promise<Response> {
    if (!this.#authorised(request)) {
      return message(401, 'the MCP endpoint needs its token: Authorization: Bearer <token>', {
        'WWW-Authenticate': 'Bearer realm="dash-ts mcp"',
      });
    }
    if (!sameOrigin(request)) return message(403, 'requests from another origin are refused');
    if (request.method !== 'POST') {
      return message(405, 'this MCP endpoint is stateless: POST JSON-RPC messages to it', { Allow: 'POST' });
    }
    const server = this.#server(await this.#host.jobs.requestInfo(request));
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    return transport.handleRequest(request);
  }

  #server(info: RequestInfo): Server {
    const server = new Server(
      { name: this.#serverName, version: DASH_TS_VERSION },
      {
        capabilities: {
          tools: {},
          tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
        },
        taskStore: this.#taskStore,
      },
    );
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await this.#calls.listTools() }));
    server.setRequestHandler(CallToolRequestSchema, (call, extra) => {
      const { name, arguments: args = {}, task, _meta } = call.params;
      const token = _meta?.progressToken;
      return this.#calls.call(name, args, info, {
        task,
        signal: extra.signal,
        progress:
          token === undefined
            ? undefined
            : (progress, text) =>
                extra.sendNotification({
                  method: 'notifications/progress',
                  params: { progressToken: token, progress, message: text },
                }),
      });
    });
    return server;
  }

  #authorised(request: Request): boolean {
    if (!this.#tokenDigest) return true;
    const match = /^Bearer (.+)$/i.exec(request.headers.get('Authorization')?.trim() ?? '');
    return match !== null && timingSafeEqual(digest(match[1]!), this.#tokenDigest);
  }
}

/** No Origin (an agent's HTTP client), or the app's own: browsers elsewhere are kept out. */
function sameOrigin(request: Request): boolean {
  const origin = request.headers.get('Origin');
  if (origin === null) return true;
  try {
    return new URL(origin).host === new URL(request.url).host;
  } catch {
    return false;
  }
}

/** Equal-length digests compared in constant time: neither the token nor its length leaks. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function message(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ message: text }), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}
