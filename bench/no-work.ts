/**
 * The floor for bench/cost-per-job.ts: a Hono server (the framework dash-ts serves with) that
 * answers each callback start at once with its result, doing no work: what the same client gets
 * from a server with no job machinery at all. Serves a page with a `_dash-config` end_id, as the
 * client's newTab expects. Prints `serving no-work on <url>`.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) =>
  c.html('<script id="_dash-config" type="application/json">{"end_id":"no-work"}</script>'),
);
app.post('/_dash-update-component', async (c) => {
  const body = (await c.req.json()) as { outputs: { id: string }; inputs: { value: unknown }[] };
  const startedAt = performance.timeOrigin + performance.now();
  return c.json({
    multi: true,
    response: { [body.outputs.id]: { children: { value: body.inputs[0]?.value, startedAt } } },
  });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  console.error(`serving no-work on http://127.0.0.1:${info.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
