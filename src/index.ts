/** dash-ts: everything an app needs, from one import. */
export { Dash, type DashOptions, type Layout, type LayoutValue, type RunOptions } from './app/dash.ts';
export type { Logger } from './app/log.ts';
export type { RunningServer } from './app/serve.ts';
export type { Manager } from './background/manager.ts';
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
export type { CallbackContext, CallbackSpec, ErrorHandler } from './callbacks/spec.ts';
export { type Children, Component, type ComponentId, dcc, html } from './components/index.ts';
export {
  BadRequestError,
  CallbackDefinitionError,
  InvalidCallbackReturnValue,
  NotSupportedError,
  PreventUpdate,
} from './errors.ts';
