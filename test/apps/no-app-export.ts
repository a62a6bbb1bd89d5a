/** A module without an app export: `dash-ts run` must refuse it with a clear message. */
import { html } from '../../src/index.ts';

export const layout = html.Div({ children: 'a layout, but no app' });
