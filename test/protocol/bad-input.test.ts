import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL, Dash, html, Input, Output, State } from '../../src/index.ts';
import { callBody, getJson, postUpdate, recordingLogger } from '../support/http.ts';

function newApp(options: { maxRequestBodyBytes?: number } = {}) {
  const logger = recordingLogger();
  const app = new Dash({ logger, ...options });
  app.layout = html.Div({ id: 'root' });
  app.callback(
    { output: Output('out', 'children'), inputs: [Input('in', 'value')], state: [State('s', 'value')] },
    (v: unknown) => v,
  );
  app.callback(
    { output: Output('sum', 'children'), inputs: [Input({ type: 'item', index: ALL }, 'value')] },
    (values: number[]) => values.length,
  );
  return { app, logger };
}

const good = () =>
  callBody('out.children', { id: 'out', property: 'children' }, [{ id: 'in', property: 'value', value: 1 }], {
    state: [{ id: 's', property: 'value', value: 2 }],
  });

async function expectRejected(
  app: Dash,
  logger: { lines: string[] },
  body: unknown,
  status: number,
  message: RegExp,
): Promise<void> {
  const before = logger.lines.length;
  const res = await postUpdate(app, body);
  assert.equal(res.status, status, `status for ${JSON.stringify(body).slice(0, 80)}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const json = (await res.json()) as { message: string };
  assert.match(json.message, message);
  assert.ok(
    logger.lines.slice(before).some((l) => l.startsWith('warn:') && l.includes(String(status))),
    'a log line names the rejection',
  );
  // The server keeps serving, and the same callback still works.
  const ok = await postUpdate(app, good());
  assert.equal(ok.status, 200);
}

describe('bad input to /_dash-update-component', () => {
  it('malformed JSON: 400 naming the parse error', async () => {
    const { app, logger } = newApp();
    await expectRejected(app, logger, '{"output": "out.children",', 400, /not valid JSON/);
  });

  it('empty body and non-object bodies: 400', async () => {
    const { app, logger } = newApp();
    await expectRejected(app, logger, '', 400, /empty/);
    await expectRejected(app, logger, '[1,2]', 400, /JSON object/);
    await expectRejected(app, logger, '"text"', 400, /JSON object/);
  });

  it('unknown output: 404 naming it', async () => {
    const { app, logger } = newApp();
    await expectRejected(app, logger, { ...good(), output: 'nope.children' }, 404, /nope\.children/);
  });

  it('missing output field: 400', async () => {
    const { app, logger } = newApp();
    const { output: _drop, ...rest } = good();
    await expectRejected(app, logger, rest, 400, /"output"/);
  });

  it('wrong input count: 400 saying inputs do not match', async () => {
    const { app, logger } = newApp();
    await expectRejected(app, logger, { ...good(), inputs: [] }, 400, /inputs do not match/);
    await expectRejected(app, logger, { ...good(), state: [] }, 400, /"state" has 0 entries/);
  });

  it('inputs that are not a list, or entries that are not objects: 400', async () => {
    const { app, logger } = newApp();
    await expectRejected(app, logger, { ...good(), inputs: 'x' }, 400, /"inputs" must be a list/);
    await expectRejected(app, logger, { ...good(), inputs: [5] }, 400, /inputs\[0\]" must be an object/);
    await expectRejected(app, logger, { ...good(), inputs: [null] }, 400, /must be an object/);
    await expectRejected(
      app,
      logger,
      { ...good(), inputs: [{ id: 'in', property: 7 }] },
      400,
      /property" must be a string/,
    );
  });

  it('an input naming another component than declared: 400', async () => {
    const { app, logger } = newApp();
    await expectRejected(
      app,
      logger,
      { ...good(), inputs: [{ id: 'other', property: 'value', value: 1 }] },
      400,
      /does not match in\.value/,
    );
  });

  it('outputs that do not fit the callback: 400', async () => {
    const { app, logger } = newApp();
    await expectRejected(
      app,
      logger,
      { ...good(), outputs: { id: 'x', property: 'children' } },
      400,
      /outputs/,
    );
    await expectRejected(app, logger, { ...good(), outputs: 'out.children' }, 400, /outputs/);
  });

  it('an ALL input sent as a single object, or an item of the wrong pattern: 400', async () => {
    const { app, logger } = newApp();
    const base = { output: 'sum.children', outputs: { id: 'sum', property: 'children' }, changedPropIds: [] };
    await expectRejected(
      app,
      logger,
      { ...base, inputs: [{ id: { type: 'item', index: 1 }, property: 'value' }] },
      400,
      /must be a list/,
    );
    await expectRejected(
      app,
      logger,
      { ...base, inputs: [[{ id: { type: 'other', index: 1 }, property: 'value' }]] },
      400,
      /does not match/,
    );
  });

  it('changedPropIds that is not a list of strings: 400', async () => {
    const { app, logger } = newApp();
    await expectRejected(app, logger, { ...good(), changedPropIds: [1] }, 400, /changedPropIds/);
  });

  it('a body over the configured limit: 413', async () => {
    const { app, logger } = newApp({ maxRequestBodyBytes: 1024 });
    const big = { ...good(), inputs: [{ id: 'in', property: 'value', value: 'x'.repeat(4096) }] };
    await expectRejected(app, logger, big, 413, /larger than the limit of 1024 bytes/);
  });

  it('unknown routes answer 404 JSON for POST, the index for GET', async () => {
    const { app } = newApp();
    const post = await app.fetch(new Request('http://localhost/nope', { method: 'POST' }));
    assert.equal(post.status, 404);
    assert.match(((await post.json()) as { message: string }).message, /no route/);
    const page = await app.fetch(new Request('http://localhost/some/page'));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /react-entry-point/);
    assert.ok(Array.isArray(await getJson(app, '/_dash-dependencies')));
  });
});
