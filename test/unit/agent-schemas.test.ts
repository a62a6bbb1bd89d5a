/**
 * What agents read of a callback: applyPatch (a stream's yielded Patches applied to the value
 * before them, as the renderer applies them), propSchema (a prop type as JSON Schema) and
 * layoutSchemas (which component an id is, from the layout).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutSchemas } from '../../src/app/mcp/props.ts';
import { applyPatch, Patch } from '../../src/callbacks/patch.ts';
import { propSchema } from '../../src/components/suites/json-schema.ts';
import { dcc, html } from '../../src/index.ts';

describe('applyPatch', () => {
  it('applies every operation as the renderer does', () => {
    const list = new Patch().append(3).prepend(0).insert(1, 'x').extend([4, 5]).remove('x');
    assert.deepEqual(applyPatch([1, 2], list), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(applyPatch([1, 2, 3], new Patch().reverse()), [3, 2, 1]);
    assert.deepEqual(applyPatch([1, 2], new Patch().clear()), []);
    const nested = new Patch();
    nested.at('a', 'b').assign(1);
    nested.at('list', -1).add(10);
    nested.at('gone').delete();
    nested.merge({ c: 3 });
    assert.deepEqual(applyPatch({ list: [1, 2], gone: true }, nested), { list: [1, 12], a: { b: 1 }, c: 3 });
    assert.equal(applyPatch('abc', new Patch().add('d' as never)), 'abcd');
    assert.equal(applyPatch(10, new Patch().sub(2).mul(3).div(4)), 6);
  });

  it('applies the JSON of a patch (as it comes from a job process)', () => {
    const json = JSON.parse(JSON.stringify(new Patch().append('b')));
    assert.deepEqual(applyPatch(['a'], json), ['a', 'b']);
    assert.deepEqual(applyPatch(undefined, json), ['b']);
  });
});

describe('propSchema', () => {
  it('says each prop type in JSON Schema terms, null allowed unless required', () => {
    assert.deepEqual(propSchema('value', { kind: 'string' }), { type: ['string', 'null'] });
    assert.deepEqual(propSchema('value', { kind: 'number', required: true }), { type: 'number' });
    assert.deepEqual(propSchema('mode', { kind: 'oneOf', values: ['a', 'b'] }), { enum: ['a', 'b', null] });
    assert.deepEqual(
      propSchema('v', {
        kind: 'oneOfType',
        types: [{ kind: 'string' }, { kind: 'arrayOf', of: { kind: 'number' } }],
      }),
      { anyOf: [{ type: ['string', 'null'] }, { type: 'array', items: { type: 'number' } }] },
    );
    assert.deepEqual(
      propSchema('s', { kind: 'exact', required: true, shape: { a: { kind: 'bool', required: true } } }),
      {
        type: 'object',
        properties: { a: { type: 'boolean' } },
        required: ['a'],
        additionalProperties: false,
      },
    );
    // Nothing JSON-shaped to say: open.
    assert.deepEqual(propSchema('children', { kind: 'node' }), {});
    assert.deepEqual(propSchema('f', { kind: 'func' }), {});
    assert.deepEqual(
      propSchema('v', { kind: 'oneOfType', types: [{ kind: 'string' }, { kind: 'any' }] }),
      {},
    );
  });
});

describe('layoutSchemas', () => {
  it("finds each id's component in the layout, props of props included", () => {
    const schemaOf = layoutSchemas(
      html.Div({
        children: [
          dcc.Slider({ id: 'slider' }),
          dcc.Tabs({ children: [dcc.Tab({ label: dcc.Input({ id: { kind: 'box' } }) })] }),
        ],
      }),
    );
    assert.deepEqual(schemaOf({ id: 'slider', property: 'value' }), { type: ['number', 'null'] });
    assert.deepEqual(schemaOf({ id: { kind: 'box' }, property: 'value' }), {
      type: ['string', 'number', 'null'],
    });
    assert.equal(schemaOf({ id: 'nowhere', property: 'value' }), undefined);
    assert.equal(schemaOf({ id: 'slider', property: 'not-a-prop' }), undefined);
  });
});
