/**
 * The endpoints beside the Dash routes, each imported and built at its first request: the jobs
 * monitor, the MCP endpoint, and the jobs API they share (one start path, one memory). Apart from
 * dash.ts because building them lazily, and what each is handed, is its own concern.
 */
import type { AppCallbackRegistry } from '../background/callback-spec.ts';
import type { HandleSigner } from '../background/handles.ts';
import { JobsApi } from '../background/jobs-api.ts';
import type { Orchestrator } from '../background/orchestrator.ts';
import type { ManagerProvider } from '../background/provider.ts';
import type { Logger } from '../base/log.ts';
import { runCallback } from '../callbacks/dispatch.ts';
import type { Identity } from './identity.ts';
import type { Layout, LayoutValue } from './layout.ts';
import type { McpConfig } from './mcp/config.ts';
import type { McpEndpoint } from './mcp/endpoint.ts';
import type { MonitorConfig } from './monitor/config.ts';
import type { JobsMonitor, MonitorHost } from './monitor/monitor.ts';
import type { DashOptions } from './options.ts';
import type { Pages } from './pages/pages.ts';

export interface SideEndpointsDeps {
  options: Readonly<DashOptions>;
  logger: Logger;
  registry: AppCallbackRegistry;
  provider: ManagerProvider;
  orchestrator: Orchestrator;
  signer: () => Promise<HandleSigner>;
  identity: Identity;
  pages: Pages;
  /** The app's layout (Dash.layout). */
  layout: () => Layout | undefined;
  /** The app's layout, a layout function called. */
  resolveLayout: () => Promise<LayoutValue>;
  /** A new Dash app, for the monitor's own page. */
  makeApp: MonitorHost['makeApp'];
}

export class SideEndpoints {
  #monitor: Promise<JobsMonitor> | undefined;
  #mcp: Promise<McpEndpoint> | undefined;
  #jobsApi: JobsApi | undefined;

  constructor(private readonly deps: SideEndpointsDeps) {}

  /** The jobs monitor, imported and built at its first request (see ./monitor/config.ts). */
  monitorReady(config: MonitorConfig): Promise<JobsMonitor> {
    this.#monitor ??= import('./monitor/monitor.ts').then(
      ({ JobsMonitor }) =>
        new JobsMonitor(config, {
          logger: this.deps.logger,
          managers: async () => {
            await this.deps.provider.startAll(this.deps.registry.callbacks).catch(() => {});
            return this.deps.provider.started();
          },
          makeApp: this.deps.makeApp,
          jobsApi: this.agentJobs(),
        }),
    );
    return this.#monitor;
  }

  /** Jobs started by name (the jobs API and the MCP server share it: one start path, one memory). */
  agentJobs(): JobsApi {
    this.#jobsApi ??= new JobsApi({
      registry: this.deps.registry,
      provider: this.deps.provider,
      orchestrator: this.deps.orchestrator,
      signer: this.deps.signer,
      // An API client has no page session: only the app's identify names its user.
      identify: this.deps.options.identify && ((request) => this.deps.identity.userOf(request, {})),
    });
    return this.#jobsApi;
  }

  /** The MCP endpoint, imported and built at its first request (see ./mcp/config.ts). */
  mcpReady(config: McpConfig): Promise<McpEndpoint> {
    this.#mcp ??= Promise.all([
      import('./mcp/endpoint.ts'),
      import('./mcp/props.ts'),
      this.deps.pages.ready(),
    ]).then(
      ([{ McpEndpoint }, { layoutSchemas }]) =>
        new McpEndpoint(
          config,
          {
            logger: this.deps.logger,
            jobs: this.agentJobs(),
            callbacks: () => this.deps.registry.callbacks,
            runCallback: (request, info) => runCallback(request, info, this.deps.options.onError),
            schemaOf: async () => layoutSchemas(await this.#agentLayout()),
          },
          this.deps.options.name,
        ),
    );
    return this.#mcp;
  }

  /** Every component an agent's callbacks may name: the validation layout, as a page gets it. */
  async #agentLayout(): Promise<LayoutValue | undefined> {
    if (this.deps.options.validationLayout !== undefined) return this.deps.options.validationLayout;
    if (this.deps.layout() === undefined) return undefined;
    if (this.deps.pages.enabled) return this.deps.pages.validationLayout(() => this.deps.resolveLayout());
    return this.deps.resolveLayout();
  }
}
