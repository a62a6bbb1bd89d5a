/**
 * `pageContainer`: where pages appear, as Dash's `page_container` (same component ids, so the
 * routing callback and Dash habits such as styling `#_pages_content` carry over).
 */
import { Component } from '../../components/component.ts';
import * as dcc from '../../components/generated/dcc.ts';
import * as html from '../../components/generated/html.ts';

export const PAGE_IDS = {
  content: '_pages_content',
  location: '_pages_location',
  store: '_pages_store',
  dummy: '_pages_dummy',
} as const;

export const pageContainer: Component = html.Div({
  children: [
    // "callback-nav": dcc.Link and callbacks change the URL without reloading the page.
    dcc.Location({ id: PAGE_IDS.location, refresh: 'callback-nav' }),
    html.Div({ id: PAGE_IDS.content, disable_n_clicks: true }),
    dcc.Store({ id: PAGE_IDS.store }),
    html.Div({ id: PAGE_IDS.dummy, disable_n_clicks: true }),
  ],
}) as Component;

/** Does a layout contain a component with this id (anywhere in its props)? */
export function layoutHasId(value: unknown, id: string): boolean {
  if (Array.isArray(value)) return value.some((item) => layoutHasId(item, id));
  if (!(value instanceof Component)) return false;
  const props = value.props as Record<string, unknown>;
  if (props.id === id) return true;
  return Object.values(props).some((prop) => layoutHasId(prop, id));
}
