/**
 * Patch serialisation against Dash's own: the expected JSON below was produced by running Dash
 * 4.3's dash/_patch.py (plotly/dash@27c7f7f) in Python with the same operations, then
 * `json.dumps(p.to_plotly_json(), separators=(",", ":"))`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combinePropUpdates } from '../../src/callbacks/patch.ts';
import { html, Patch } from '../../src/index.ts';

const DASH_PATCH_JSON =
  '{"__dash_patch_update":"__dash_patch_update","operations":[' +
  '{"operation":"Append","location":["data",0,"y"],"params":{"value":4}},' +
  '{"operation":"Assign","location":["layout","title","text"],"params":{"value":"Updated"}},' +
  '{"operation":"Delete","location":["data",1],"params":{}},' +
  '{"operation":"Prepend","location":["items"],"params":{"value":"a"}},' +
  '{"operation":"Insert","location":["items"],"params":{"value":"b","index":2}},' +
  '{"operation":"Extend","location":["items"],"params":{"value":[1,2]}},' +
  '{"operation":"Remove","location":["items"],"params":{"value":"c"}},' +
  '{"operation":"Clear","location":["items"],"params":{}},' +
  '{"operation":"Reverse","location":["items"],"params":{}},' +
  '{"operation":"Merge","location":["obj"],"params":{"value":{"k":1}}},' +
  '{"operation":"Add","location":["n"],"params":{"value":5}},' +
  '{"operation":"Sub","location":["n"],"params":{"value":2}},' +
  '{"operation":"Mul","location":["n"],"params":{"value":3}},' +
  '{"operation":"Div","location":["n"],"params":{"value":4}},' +
  '{"operation":"Assign","location":["items",-1],"params":{"value":"last"}},' +
  '{"operation":"Append","location":[],"params":{"value":"root"}}]}';

describe('Patch', () => {
  it("serialises byte for byte as Dash's Patch", () => {
    const p = new Patch();
    p.at('data', 0, 'y').append(4);
    p.at('layout', 'title', 'text').assign('Updated');
    p.at('data', 1).delete();
    const items = p.at('items');
    items.prepend('a');
    items.insert(2, 'b');
    items.extend([1, 2]);
    items.remove('c');
    items.clear();
    items.reverse();
    p.at('obj').merge({ k: 1 });
    p.at('n').add(5).sub(2).mul(3).div(4);
    p.at('items', -1).assign('last');
    p.append('root');
    assert.equal(JSON.stringify(p), DASH_PATCH_JSON);
  });

  it('at() with no path is the patch itself; nested views share one operation list', () => {
    const p = new Patch();
    p.at().append(1);
    p.at('a').at('b', 2).assign('x');
    assert.deepEqual(p.toJSON().operations, [
      { operation: 'Append', location: [], params: { value: 1 } },
      { operation: 'Assign', location: ['a', 'b', 2], params: { value: 'x' } },
    ]);
    // Any view serialises the whole patch, as in Dash.
    assert.equal(JSON.stringify(p.at('a')), JSON.stringify(p));
  });

  it('serialises components inside values as layout JSON', () => {
    const p = new Patch().append(html.Li({ children: 'new' }));
    assert.deepEqual(JSON.parse(JSON.stringify(p)).operations[0].params.value, {
      props: { children: 'new' },
      type: 'Li',
      namespace: 'dash_html_components',
    });
  });

  it('refuses what Dash refuses: non-list extend, non-integer keys', () => {
    const p = new Patch();
    assert.throws(() => p.extend(5 as never), /should be an array/);
    assert.throws(() => p.at(1.5), /integer index/);
    assert.throws(() => p.at({} as never), /string or an integer/);
    assert.throws(() => p.merge([] as never), /must be an object/);
    assert.throws(() => p.insert(0.5, 'x'), /integer/);
  });
});

describe('combinePropUpdates (two updates of one prop in one answer)', () => {
  it('concatenates patches, in order, whether live or already JSON', () => {
    const first = new Patch().append(1);
    const second = JSON.parse(JSON.stringify(new Patch().append(2)));
    assert.deepEqual(combinePropUpdates(first, second), {
      __dash_patch_update: '__dash_patch_update',
      operations: [
        { operation: 'Append', location: [], params: { value: 1 } },
        { operation: 'Append', location: [], params: { value: 2 } },
      ],
    });
  });

  it('a patch after a plain value assigns the value whole, then patches it', () => {
    assert.deepEqual(combinePropUpdates([1, 2], new Patch().append(3)), {
      __dash_patch_update: '__dash_patch_update',
      operations: [
        { operation: 'Assign', location: [], params: { value: [1, 2] } },
        { operation: 'Append', location: [], params: { value: 3 } },
      ],
    });
  });

  it('a plain value replaces whatever came before; a first update is kept as it is', () => {
    assert.deepEqual(combinePropUpdates(new Patch().append(1), [9]), [9]);
    const p = new Patch().append(1);
    assert.equal(combinePropUpdates(undefined, p), p);
  });
});
