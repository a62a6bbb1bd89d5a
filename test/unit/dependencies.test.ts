import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idMatches, idToString, splitPropId } from '../../src/callbacks/dependencies.ts';
import { ALL, ALLSMALLER, CallbackDefinitionError, Input, MATCH, Output, State } from '../../src/index.ts';

describe('dependency ids', () => {
  it('stringifies pattern ids with sorted keys and wildcards as one-element arrays', () => {
    assert.equal(idToString({ type: 'pm', index: 0 }), '{"index":0,"type":"pm"}');
    assert.equal(idToString({ type: 'pm', index: MATCH }), '{"index":["MATCH"],"type":"pm"}');
    assert.equal(idToString({ b: ALL, a: 'x' }), '{"a":"x","b":["ALL"]}');
    assert.equal(idToString('plain'), 'plain');
  });

  it('formats <id>.<prop> for plain and pattern ids', () => {
    assert.equal(String(Input('run', 'n_clicks')), 'run.n_clicks');
    assert.equal(
      String(State({ index: ALLSMALLER, type: 'x' }, 'value')),
      '{"index":["ALLSMALLER"],"type":"x"}.value',
    );
  });

  it('matches concrete ids against wildcards', () => {
    assert.ok(idMatches({ type: 'item', index: ALL }, { type: 'item', index: 3 }));
    assert.ok(idMatches({ type: 'item', index: MATCH }, { index: 'a', type: 'item' }));
    assert.ok(!idMatches({ type: 'item', index: ALL }, { type: 'other', index: 3 }));
    assert.ok(!idMatches({ type: 'item', index: ALL }, { type: 'item', index: 3, extra: 1 }));
    assert.ok(!idMatches({ type: 'item', index: ALL }, 'item'));
    assert.ok(idMatches('a', 'a'));
    assert.ok(!idMatches('a', 'b'));
  });

  it('splits prop ids, including pattern ids that contain dots in values', () => {
    assert.deepEqual(splitPropId('in.value'), { id: 'in', property: 'value' });
    assert.deepEqual(splitPropId('{"index":1.5,"type":"a.b"}.n_clicks'), {
      id: { index: 1.5, type: 'a.b' },
      property: 'n_clicks',
    });
  });

  it('rejects ids and wildcards Dash rejects', () => {
    assert.throws(() => Input('a.b', 'value'), CallbackDefinitionError);
    assert.throws(() => Input('', 'value'), CallbackDefinitionError);
    assert.throws(() => Input('a', ''), CallbackDefinitionError);
    assert.throws(() => Output({ index: ALLSMALLER }, 'children'), /ALLSMALLER/);
    assert.throws(() => Input({} as never, 'x'), CallbackDefinitionError);
  });
});
