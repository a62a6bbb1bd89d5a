/**
 * Streaming callbacks over HTTP, as the renderer speaks the background protocol: in the server
 * process (ordinary), in an SqliteManager pool process and in an InProcessManager. Yields arrive
 * before the end; an error mid-stream reaches the callback's onError (else the app's), after the
 * yields before it; a pool process killed mid-stream ends it as an error the user sees. (Order,
 * Patches, noUpdate, cancel, timeout and retry are the conformance suite's, on every manager.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Dash } from '../../src/index.ts';
import { postUpdate } from '../support/http.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-stream-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
const fixture = await import('../apps/streaming-protocol.ts');
const app: Dash = fixture.app;

interface Answer {
  cacheKey?: string;
  job?: string;
  response?: Record<string, { children?: unknown }>;
  sideUpdate?: Record<string, { children?: unknown }>;
}

async function pageToken(): Promise<string> {
  const html = await (await app.fetch(new Request('http://localhost/'))).text();
  return JSON.parse(/<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!)
    .end_id as string;
}

function body(id: string, value: unknown) {
  return {
    output: `${id}.children`,
    outputs: { id, property: 'children' },
    inputs: [{ id: `${id}-in`, property: 'value', value }],
    changedPropIds: [`${id}-in.value`],
  };
}

/** Starts a stream and polls it as the renderer does; every answer, and the last status. */
async function run(endId: string, id: string): Promise<{ answers: Answer[]; status: number }> {
  const start = await postUpdate(app, body(id, 1), `?endId=${endId}`);
  assert.equal(start.status, 200);
  const first = (await start.json()) as Answer;
  const answers = [first];
  const deadline = Date.now() + 60_000;
  while (first.response === undefined && answers.at(-1)!.response === undefined) {
    assert.ok(Date.now() < deadline, `${id} never ended: ${JSON.stringify(answers)}`);
    const polled = await postUpdate(
      app,
      body(id, null),
      `?endId=${endId}&cacheKey=${first.cacheKey}&job=${first.job}`,
    );
    if (polled.status !== 200) return { answers, status: polled.status };
    answers.push((await polled.json()) as Answer);
  }
  return { answers, status: 200 };
}

/**
 * The values an output took, answer by answer: whole values, and the tokens of Patch appends (a
 * whole value followed by Patches in one answer comes as an Assign, then the appends).
 */
function values(answers: Answer[], id: string): unknown[] {
  const seen: unknown[] = [];
  for (const answer of answers) {
    for (const part of [answer.sideUpdate?.[id], answer.response?.[id]]) {
      const value = part?.children;
      if (value === undefined) continue;
      const ops = (value as { operations?: { operation: string; params: { value: unknown } }[] }).operations;
      if (ops)
        for (const op of ops) seen.push(['Append', 'Assign'].includes(op.operation) ? op.params.value : op);
      else seen.push(value);
    }
  }
  return seen;
}

describe('streaming callbacks over HTTP', { timeout: 120_000 }, () => {
  let endId = '';
  before(async () => {
    endId = await pageToken();
  });
  after(async () => {
    const server = await app.run({ port: 0 });
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const where of fixture.WHERE) {
    it(`${where}: an error mid-stream reaches the callback's onError, after the yields before it`, async () => {
      const id = `${where}-broken`;
      const { answers, status } = await run(endId, id);
      assert.equal(status, 200);
      const seen = values(answers, id);
      assert.deepEqual(seen.slice(0, -1), [[], 'one ', 'two '], JSON.stringify(answers));
      assert.match(String(seen.at(-1)), /^callback onError: .*the stream broke/);
    });

    it(`${where}: without a callback onError, the app's answers it`, async () => {
      const id = `${where}-unhandled`;
      const { answers, status } = await run(endId, id);
      assert.equal(status, 200);
      const seen = values(answers, id);
      assert.deepEqual(seen.slice(0, -1), ['first'], JSON.stringify(answers));
      assert.match(String(seen.at(-1)), /^app onError: .*unhandled break/);
    });
  }

  it('a pool process killed mid-stream ends it as an error the user sees', async () => {
    const { answers, status } = await run(endId, 'pool-killed');
    assert.equal(status, 200);
    const seen = values(answers, 'pool-killed');
    assert.equal(seen[0], 'before');
    assert.match(String(seen.at(-1)), /^app onError: .*SIGKILL/);
  });
});
