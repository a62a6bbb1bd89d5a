/**
 * The health endpoint: Dash 3.3's plain "OK" for an app without background callbacks; for one
 * with them, JSON saying whether each manager's store answers (real SQLite store and worker,
 * real redis-server stopped and started under a BullMQManager).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BullMQManager, Dash, type DashOptions, html, Input, Output } from '../../src/index.ts';
import { recordingLogger } from '../support/http.ts';
import { startRedis } from '../support/redis.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-health-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
after(() => rmSync(dir, { recursive: true, force: true }));

function plainApp(options: DashOptions = {}): Dash {
  const app = new Dash({ logger: recordingLogger(), ...options });
  app.layout = html.Div();
  return app;
}

const get = (app: Dash, path: string) => app.fetch(new Request(`http://localhost${path}`));

describe('health endpoint', () => {
  it('answers 200 "OK" as plain text, as Dash 3.3, uncached', async () => {
    const res = await get(plainApp(), '/health');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(await res.text(), 'OK');
  });

  it('lives under the routes prefix, at a path of choice, or nowhere', async () => {
    assert.equal(await (await get(plainApp({ urlBasePathname: '/sales/' }), '/sales/health')).text(), 'OK');
    assert.equal(await (await get(plainApp({ healthEndpoint: 'ops/healthz' }), '/ops/healthz')).text(), 'OK');
    const off = await get(plainApp({ healthEndpoint: null }), '/health');
    assert.match(off.headers.get('content-type')!, /text\/html/);
    await off.arrayBuffer();
  });

  it("reports an SqliteManager's store as answering", async () => {
    const { app } = (await import('../apps/host-extras.ts')) as { app: Dash };
    const server = await app.run({ port: 0 });
    try {
      const res = await fetch(`${server.url}/health`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as {
        status: string;
        background: { kind: string; answers: boolean; ms: number }[];
      };
      assert.equal(body.status, 'OK');
      assert.equal(body.background.length, 1);
      assert.equal(body.background[0]!.kind, 'sqlite');
      assert.equal(body.background[0]!.answers, true);
      assert.equal(typeof body.background[0]!.ms, 'number');
    } finally {
      await server.close();
    }
  });

  it('says when a BullMQManager stops answering (Redis down) and when it answers again; 200 throughout', async () => {
    const redis = await startRedis();
    const app = plainApp({
      backgroundManager: new BullMQManager({ connection: redis.url, queueName: 'health' }),
    });
    app.callback(
      { output: Output('o', 'children'), inputs: [Input('i', 'value')], background: true },
      () => 1,
    );
    const server = await app.run({ port: 0 });
    const health = async () => {
      const res = await fetch(`${server.url}/health`);
      assert.equal(res.status, 200);
      return (await res.json()) as {
        status: string;
        background: { kind: string; answers: boolean; error?: string }[];
      };
    };
    try {
      assert.deepEqual(
        (await health()).background.map((b) => [b.kind, b.answers]),
        [['bullmq', true]],
      );
      await redis.stop('SIGKILL');
      const started = Date.now();
      const down = await health();
      assert.equal(down.status, 'DEGRADED');
      assert.equal(down.background[0]!.answers, false);
      assert.match(down.background[0]!.error!, /no answer within 2000 ms|ECONNREFUSED|closed/);
      assert.ok(Date.now() - started < 5000, 'the probe is bounded');
      await redis.start();
      let back = await health();
      for (let i = 0; i < 20 && !back.background[0]!.answers; i++) {
        await new Promise((r) => setTimeout(r, 250));
        back = await health();
      }
      assert.equal(back.status, 'OK');
    } finally {
      await server.close();
      await redis.destroy();
    }
  });
});
