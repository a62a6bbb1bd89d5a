/**
 * The jobs monitor's routes through the app's WHATWG handler: no monitor without `jobsMonitor`,
 * its path below the app's URL prefixes (routes and requests prefixes apart, as behind a
 * stripping proxy), the page's session cookie, and bad options refused at construction.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobsMonitorConfigError } from '../../src/app/monitor/auth.ts';
import { Dash, type DashOptions, html } from '../../src/index.ts';

const TOKEN = 'protocol-test-token-abcdef';

function makeApp(options: DashOptions): Dash {
  const app = new Dash({ logger: { info() {}, warn() {}, error() {} }, ...options });
  app.layout = html.Div({ id: 'user-root', children: 'the user app' });
  return app;
}

async function get(app: Dash, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return app.fetch(new Request(`http://localhost${path}`, { headers }));
}

function pageConfig(html: string): Record<string, unknown> {
  return JSON.parse(/<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!);
}

describe('jobs monitor routes', () => {
  it('does not exist without jobsMonitor: its paths are the ordinary index', async () => {
    const app = makeApp({});
    for (const path of ['/_dash-ts/jobs', '/_dash-ts/jobs/metrics', '/_dash-ts/jobs/api/jobs']) {
      const response = await get(app, `${path}?token=${TOKEN}`, { Authorization: `Bearer ${TOKEN}` });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
      const config = pageConfig(await response.text());
      assert.equal(config.requests_pathname_prefix, '/');
    }
  });

  it('serves the page as its own dash-ts app under the path, apart from the user app', async () => {
    const app = makeApp({ jobsMonitor: { token: TOKEN, path: '/ops/jobs/' } });
    const page = await get(app, `/ops/jobs?token=${TOKEN}`);
    assert.equal(page.status, 200);
    assert.equal(pageConfig(await page.text()).requests_pathname_prefix, '/ops/jobs/');
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const layout = await (await get(app, '/ops/jobs/_dash-layout', { Cookie: cookie })).json();
    assert.match(
      JSON.stringify(layout),
      /"id":"refresh".*"type":"Interval"|"type":"Interval".*"id":"refresh"/,
    );
    const dependencies = (await (
      await get(app, '/ops/jobs/_dash-dependencies', { Cookie: cookie })
    ).json()) as {
      output: string;
    }[];
    assert.ok(dependencies.some((d) => d.output.includes('summary.children')));
    // The user's app keeps its own layout and callbacks.
    assert.deepEqual(await (await get(app, '/_dash-dependencies')).json(), []);
    assert.match(JSON.stringify(await (await get(app, '/_dash-layout')).json()), /the user app/);
    // The default path is not the monitor when another path is chosen.
    assert.match(await (await get(app, `/_dash-ts/jobs/api/jobs?token=${TOKEN}`)).text(), /<!DOCTYPE html>/);
  });

  it('lives below the app prefix (urlBasePathname)', async () => {
    const app = makeApp({ urlBasePathname: '/sales/', jobsMonitor: { token: TOKEN } });
    const page = await get(app, `/sales/_dash-ts/jobs/?token=${TOKEN}`);
    assert.equal(page.status, 200);
    const config = pageConfig(await page.text());
    assert.equal(config.requests_pathname_prefix, '/sales/_dash-ts/jobs/');
    assert.match(page.headers.get('set-cookie') ?? '', /Path=\/sales\/_dash-ts\/jobs;/);
    const api = await get(app, '/sales/_dash-ts/jobs/api/jobs', { Authorization: `Bearer ${TOKEN}` });
    assert.equal(api.status, 200);
    assert.deepEqual((await api.json()).callbacks, []);
    assert.equal((await get(app, '/sales/_dash-ts/jobs/metrics')).status, 401);
    assert.notEqual((await get(app, `/_dash-ts/jobs/api/jobs?token=${TOKEN}`)).status, 200);
  });

  it('serves under the routes prefix and links under the requests prefix (a stripping proxy)', async () => {
    const app = makeApp({
      routesPathnamePrefix: '/',
      requestsPathnamePrefix: '/proxy/',
      jobsMonitor: { token: TOKEN },
    });
    const page = await get(app, `/_dash-ts/jobs?token=${TOKEN}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.equal(pageConfig(html).requests_pathname_prefix, '/proxy/_dash-ts/jobs/');
    assert.match(html, /src="\/proxy\/_dash-ts\/jobs\/_dash-component-suites\//);
    assert.match(page.headers.get('set-cookie') ?? '', /Path=\/proxy\/_dash-ts\/jobs;/);
  });

  it('refuses options that cannot work', () => {
    for (const jobsMonitor of [
      { token: '' },
      { token: undefined as unknown as string },
      { token: TOKEN, path: 'jobs' },
      { token: TOKEN, path: '/' },
      { token: TOKEN, path: '/jobs?x=1' },
      { token: TOKEN, windowSeconds: 0 },
    ]) {
      assert.throws(() => makeApp({ jobsMonitor }), JobsMonitorConfigError, JSON.stringify(jobsMonitor));
    }
  });
});
