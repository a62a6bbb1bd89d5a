/**
 * The reattach option as a callback defines it (callback-spec.ts, job-options/page-leave.ts): its
 * keep (default 3600 s), bad values failing at definition with the option's name, a reattach job
 * always finishing (a stream's default 'cancel' does not apply; an explicit 'cancel' is refused),
 * and the page's initial call always served (prevent_initial_call false in the dependencies).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { dependencyEntry } from '../../src/callbacks/dependency-json.ts';
import { Dash, html, Input, Output } from '../../src/index.ts';

function define(options: Record<string, unknown>, fn: (...args: never[]) => unknown = (v: unknown) => v) {
  const app = new Dash();
  app.layout = html.Div();
  app.callback(
    { output: Output('out', 'children'), inputs: [Input('in', 'value')], ...options },
    fn as () => unknown,
  );
  return app.registry.get('out.children')!;
}

const stream = async function* (v: unknown) {
  yield v;
};

it('keeps a finished job 3600 s by default, or `keep` seconds', () => {
  assert.deepEqual(define({ background: true, reattach: true }).background!.reattach, { keepSeconds: 3600 });
  assert.deepEqual(define({ background: true, reattach: { keep: 60 } }).background!.reattach, {
    keepSeconds: 60,
  });
  assert.deepEqual(define({ background: true, reattach: {} }).background!.reattach, { keepSeconds: 3600 });
  assert.equal(define({ background: true, reattach: false }).background!.reattach, undefined);
  assert.equal(define({ background: true }).background!.reattach, undefined);
});

it('refuses bad values, and reattach on a callback that is not a background one', () => {
  assert.throws(
    () => define({ background: true, reattach: { keep: 0 } }),
    /reattach.keep must be a number of seconds > 0, got 0/,
  );
  assert.throws(
    () => define({ background: true, reattach: 'yes' }),
    /reattach must be true, false or \{ keep/,
  );
  assert.throws(() => define({ reattach: true }), /reattach only apply to background callbacks/);
  assert.throws(() => define({ reattach: true }, stream), /reattach: an ordinary streaming callback/);
});

it("a reattach job always finishes: a stream's default becomes 'finish', an explicit 'cancel' is refused", () => {
  assert.equal(
    define({ background: true, reattach: true }, stream).background!.page.whenPageLeaves,
    'finish',
  );
  assert.throws(
    () => define({ background: true, reattach: true, whenPageLeaves: 'cancel' }),
    /whenPageLeaves: 'cancel' does not go with reattach/,
  );
});

it('serves the initial call of a reattach callback even with preventInitialCall', () => {
  const reattach = define({ background: true, reattach: true, preventInitialCall: true });
  assert.equal(dependencyEntry(reattach).prevent_initial_call, false);
  assert.equal(reattach.preventInitialCall, true, 'the server still knows the callback asked for none');
  const plain = define({ background: true, preventInitialCall: true });
  assert.equal(dependencyEntry(plain).prevent_initial_call, true);
});
