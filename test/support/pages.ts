/** Calls an app's page routing callback as dcc.Location does when the URL changes. */
import assert from 'node:assert/strict';
import type { Dash } from '../../src/index.ts';

/** The routing callback's output id, as Dash's enable_pages registers it. */
export const ROUTING = '.._pages_content.children..._pages_store.data..';

/**
 * Posts the routing callback (where the server's routes live, under the routes prefix); `inputs`
 * and `state` are the values of routingCallbackInputs, after pathname and search.
 */
export async function route(
  app: Dash,
  pathname: string,
  search = '',
  extra: { inputs?: object[]; state?: object[] } = {},
): Promise<{ content: unknown; store: unknown }> {
  const res = await app.fetch(
    new Request(`http://localhost${app.prefixes.routes}_dash-update-component`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        output: ROUTING,
        outputs: [
          { id: '_pages_content', property: 'children' },
          { id: '_pages_store', property: 'data' },
        ],
        inputs: [
          { id: '_pages_location', property: 'pathname', value: pathname },
          { id: '_pages_location', property: 'search', value: search },
          ...(extra.inputs ?? []),
        ],
        state: extra.state ?? [],
        changedPropIds: ['_pages_location.pathname'],
      }),
    }),
  );
  assert.equal(res.status, 200, await res.clone().text());
  const answer = (await res.json()) as { response: Record<string, Record<string, unknown>> };
  return { content: answer.response._pages_content?.children, store: answer.response._pages_store?.data };
}
