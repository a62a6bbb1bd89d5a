/**
 * whenPageLeaves and supersede as a callback defines them (job-options/page-leave.ts): bad values
 * fail at definition with the option's name, the defaults (streams cancel, others finish;
 * supersede on), and the silence after which a page counts as left.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PAGE_LEFT_FLOOR_MS, pageLeftAfterMs } from '../../src/background/job-options/page-leave.ts';
import { Dash, html, Input, Output } from '../../src/index.ts';

function define(options: Record<string, unknown>, fn: (...args: never[]) => unknown = (v: unknown) => v) {
  const app = new Dash();
  app.layout = html.Div();
  app.callback(
    { output: Output('out', 'children'), inputs: [Input('in', 'value')], ...options },
    fn as () => unknown,
  );
  return app.registry.get('out.children')!.background;
}

it('checks whenPageLeaves and supersede when the callback is defined', () => {
  assert.throws(
    () => define({ background: true, whenPageLeaves: 'close' }),
    /whenPageLeaves must be 'finish' or 'cancel', got "close"/,
  );
  assert.throws(
    () => define({ background: true, supersede: 'no' }),
    /supersede must be true or false, got "no"/,
  );
  assert.throws(
    () => define({ whenPageLeaves: 'cancel' }),
    /whenPageLeaves only apply to background callbacks/,
  );
  assert.throws(() => define({ supersede: false }), /supersede only apply to background callbacks/);
});

it("defaults: 'finish' and supersede for a background callback, 'cancel' for a stream", () => {
  assert.deepEqual(define({ background: true })!.page, { whenPageLeaves: 'finish', supersede: true });
  assert.deepEqual(define({ background: true, whenPageLeaves: 'cancel', supersede: false })!.page, {
    whenPageLeaves: 'cancel',
    supersede: false,
  });
  const stream = async function* (v: unknown) {
    yield v;
  };
  assert.deepEqual(define({ background: true }, stream)!.page, { whenPageLeaves: 'cancel', supersede: true });
  assert.deepEqual(define({}, stream)!.page, { whenPageLeaves: 'cancel', supersede: true });
  assert.equal(define({ background: true, whenPageLeaves: 'finish' }, stream)!.page.whenPageLeaves, 'finish');
});

it('a page counts as left after three missed polls, and never sooner than the floor', () => {
  assert.equal(pageLeftAfterMs(1000, 500), PAGE_LEFT_FLOOR_MS);
  assert.equal(pageLeftAfterMs(50, 500), PAGE_LEFT_FLOOR_MS);
  assert.equal(pageLeftAfterMs(10_000, 500), 31_500);
});
