/** The `mcp` option is checked when the app is constructed: a bad path or an empty token throws there. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Dash, McpConfigError } from '../../src/index.ts';

describe('mcp option', () => {
  it('refuses an empty token and a path that is not below the app', () => {
    assert.throws(() => new Dash({ mcp: { token: '' } }), McpConfigError);
    for (const path of ['mcp', '/', '/a?b', '/a b']) {
      assert.throws(() => new Dash({ mcp: { path } }), /mcp\.path must start with \//, path);
    }
  });

  it('serves at its path below the routes prefix, and nothing elsewhere', async () => {
    const app = new Dash({ mcp: { path: '/agents/' }, routesPathnamePrefix: '/app/' });
    const get = await app.fetch(new Request('http://localhost/app/agents'));
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('Allow'), 'POST');
    // Without the option the path is the app's index page, as any other.
    const plain = new Dash({});
    plain.layout = 'hello';
    const index = await plain.fetch(new Request('http://localhost/_mcp'));
    assert.equal(index.status, 200);
    assert.match(await index.text(), /_dash-config/);
  });
});
