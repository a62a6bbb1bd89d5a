/** dash-ts: everything an app needs, from one import. */
export { Dash } from './app/dash.ts';
export type { Layout, LayoutValue } from './app/layout.ts';
export type { McpOptions } from './app/mcp/config.ts';
export { McpConfigError } from './app/mcp/config.ts';
export type { JobsMonitorOptions } from './app/monitor/config.ts';
export { JobsMonitorConfigError } from './app/monitor/config.ts';
export type { DashOptions, RunOptions } from './app/options.ts';
export { pageContainer } from './app/pages/container.ts';
export { PageModuleError } from './app/pages/errors.ts';
export { callback, clientsideCallback, registerPage } from './app/pages/module-api.ts';
export type { PageOrder } from './app/pages/order.ts';
export type { PageLayout, PageOptions, PageText, PageTitle } from './app/pages/page-options.ts';
export type { PagesOptions } from './app/pages/pages.ts';
export type { PageParams } from './app/pages/paths.ts';
export type { Page } from './app/pages/registry.ts';
export { InvalidConfigError, type Prefixes, UnsupportedRelativePathError } from './app/prefixes.ts';
export type { RunningServer } from './app/serve.ts';
export {
  BullMQManager,
  BullMQManagerError,
  type BullMQManagerOptions,
} from './background/bullmq/index.ts';
export type { CallbackSpec } from './background/callback-spec.ts';
export {
  InProcessManager,
  type InProcessManagerOptions,
} from './background/in-process/index.ts';
export type {
  JobContextSnapshot,
  JobOutcome,
  JobOwner,
  JobPolicy,
  JobState,
  JobSubmission,
  JobUpdate,
  KeptJobQuery,
  Manager,
  ManagerEnvironment,
  OnNews,
  QueuePlace,
  RemoteWorkerEnvironment,
  RunningWorker,
  Unsubscribe,
} from './background/manager.ts';
export type { ResponseWindows } from './background/orchestrator.ts';
export type {
  CancelReason,
  JobRecord,
  JobRecords,
  RecordedOutcome,
  RecordsSnapshot,
  RecordTotals,
  WorkerRecord,
} from './background/records.ts';
export { SqliteManager, type SqliteManagerOptions } from './background/sqlite/index.ts';
export {
  BackgroundCallbackError,
  BadRequestError,
  CallbackDefinitionError,
  InvalidCallbackReturnValue,
  NonRetryableError,
  NotSupportedError,
  PreventUpdate,
} from './base/errors.ts';
export type { Logger } from './base/log.ts';
export {
  type ClientsideCallbackSpec,
  ClientsideFunction,
  type ClientsideSource,
} from './callbacks/clientside.ts';
export {
  ALL,
  ALLSMALLER,
  type ConcreteId,
  type DependencyId,
  Input,
  MATCH,
  Output,
  type OutputOptions,
  State,
} from './callbacks/dependencies.ts';
export { type NoUpdate, noUpdate } from './callbacks/no-update.ts';
export { Patch, type PatchJson, type PatchKey, type PatchOperation } from './callbacks/patch.ts';
export {
  BackgroundResponseError,
  type CallbackResponse,
  type CookieOptions,
} from './callbacks/response.ts';
export type { CallbackContext, ErrorHandler } from './callbacks/spec.ts';
export {
  type Children,
  Component,
  type ComponentBuilder,
  type ComponentId,
  dcc,
  html,
  registerSuite,
  Suite,
  SuiteNotInstalledError,
  type SuiteRegistration,
} from './components/index.ts';
export { SuiteMetadataError } from './components/suites/errors.ts';
export { packageFileUrl } from './components/suites/package-files.ts';
