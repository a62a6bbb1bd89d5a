/** The component builders (`html.Div`, `dcc.Graph`, ...) and what the index page's config needs from them. */
import { childrenProps as dccChildrenProps } from './generated/dcc.ts';
import { childrenProps as htmlChildrenProps } from './generated/html.ts';
import { suitesChildrenProps } from './suites/registry.ts';

export {
  type BaseProps,
  type Child,
  type Children,
  Component,
  type ComponentBuilder,
  type ComponentId,
  componentBuilder,
} from './component.ts';
export * as dcc from './generated/dcc.ts';
export * as html from './generated/html.ts';
export { registerSuite, Suite, SuiteNotInstalledError, type SuiteRegistration } from './suites/registry.ts';

/** `children_props` for `_dash-config`, keyed by JS namespace (dash-protocol.md 1.3), registered suites included. */
export function childrenPropsConfig(): Record<string, Record<string, string[]>> {
  return {
    dash_html_components: htmlChildrenProps,
    dash_core_components: dccChildrenProps,
    ...suitesChildrenProps(),
  };
}
