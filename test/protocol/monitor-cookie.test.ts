/**
 * The jobs monitor's session cookie: HttpOnly, SameSite=Strict, Path scoped to the monitor (below
 * the app's prefixes), Max-Age of 12 h and worth nothing after it (its expiry is signed, so a kept
 * copy is refused server-side too), Secure when the request came over HTTPS, directly or, only
 * with `trustProxy`, by X-Forwarded-Proto. Forged or tampered cookies get 401.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Dash, type DashOptions, html } from '../../src/index.ts';

const TOKEN = 'cookie-test-token-0123456789';
const TWELVE_HOURS = 12 * 60 * 60;

function makeApp(options: Partial<DashOptions> = {}): Dash {
  const app = new Dash({
    logger: { info() {}, warn() {}, error() {} },
    jobsMonitor: { token: TOKEN },
    ...options,
  });
  app.layout = html.Div({ id: 'user-root' });
  return app;
}

async function get(app: Dash, url: string, headers: Record<string, string> = {}): Promise<Response> {
  const response = await app.fetch(new Request(url, { headers }));
  await response.arrayBuffer();
  return response;
}

/** The Set-Cookie of the page loaded with the token, as attribute name → value. */
async function sessionCookie(
  app: Dash,
  url = `http://localhost/_dash-ts/jobs?token=${TOKEN}`,
  headers: Record<string, string> = {},
): Promise<{ pair: string; attributes: Map<string, string> }> {
  const page = await get(app, url, headers);
  assert.equal(page.status, 200);
  const [pair, ...rest] = page.headers
    .get('set-cookie')!
    .split(';')
    .map((part) => part.trim());
  const attributes = new Map(
    rest.map((part) => {
      const [name, value = ''] = part.split('=');
      return [name!.toLowerCase(), value] as const;
    }),
  );
  return { pair: pair!, attributes };
}

const layout = (app: Dash, cookie: string, prefix = '') =>
  get(app, `http://localhost${prefix}/_dash-ts/jobs/_dash-layout`, { Cookie: cookie });

describe('jobs monitor session cookie', () => {
  it('is HttpOnly, SameSite=Strict, scoped to the monitor path, lives 12 h, not Secure over plain HTTP', async () => {
    const { pair, attributes } = await sessionCookie(makeApp());
    assert.match(pair, /^dash_ts_jobs_monitor=\d+\.[\w-]+$/);
    assert.equal(attributes.get('path'), '/_dash-ts/jobs');
    assert.equal(attributes.get('max-age'), String(TWELVE_HOURS));
    assert.ok(attributes.has('httponly'));
    assert.equal(attributes.get('samesite'), 'Strict');
    assert.ok(!attributes.has('secure'));
    assert.ok(!attributes.has('domain'), 'no Domain: the cookie stays with this host');
  });

  it('follows the app prefix in its Path', async () => {
    const { attributes } = await sessionCookie(
      makeApp({ urlBasePathname: '/sales/' }),
      `http://localhost/sales/_dash-ts/jobs?token=${TOKEN}`,
    );
    assert.equal(attributes.get('path'), '/sales/_dash-ts/jobs');
  });

  it('is Secure when the request itself is HTTPS', async () => {
    const { attributes } = await sessionCookie(
      makeApp(),
      `https://dash.example/_dash-ts/jobs?token=${TOKEN}`,
    );
    assert.ok(attributes.has('secure'));
  });

  it('believes X-Forwarded-Proto only with trustProxy', async () => {
    const forwarded = { 'X-Forwarded-Proto': 'https' };
    const untrusted = await sessionCookie(makeApp(), undefined, forwarded);
    assert.ok(!untrusted.attributes.has('secure'), 'a client-sent header must not decide');
    const trusted = await sessionCookie(makeApp({ trustProxy: true }), undefined, forwarded);
    assert.ok(trusted.attributes.has('secure'));
    const chain = await sessionCookie(makeApp({ trustProxy: true }), undefined, {
      'X-Forwarded-Proto': 'https, http',
    });
    assert.ok(chain.attributes.has('secure'), 'the first (client-side) value counts');
    const plain = await sessionCookie(makeApp({ trustProxy: true }), undefined, {
      'X-Forwarded-Proto': 'http',
    });
    assert.ok(!plain.attributes.has('secure'));
  });

  it('lets the page in for 12 h, then no more (the expiry is signed, not only Max-Age)', async (t) => {
    const app = makeApp();
    t.mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 0, 1) });
    const { pair } = await sessionCookie(app);
    assert.equal((await layout(app, pair)).status, 200);
    t.mock.timers.tick((TWELVE_HOURS - 60) * 1000);
    assert.equal((await layout(app, pair)).status, 200);
    t.mock.timers.tick(61 * 1000);
    assert.equal((await layout(app, pair)).status, 401);
  });

  it('refuses forged, tampered and extended cookies', async () => {
    const app = makeApp();
    const { pair } = await sessionCookie(app);
    const [name, value] = pair.split('=') as [string, string];
    const [expires, mac] = value.split('.') as [string, string];
    const far = Math.floor(Date.now() / 1000) + 10 * TWELVE_HOURS;
    for (const forged of [
      `${expires}.${mac.slice(0, -2)}AA`,
      `${Number(expires) + 3600}.${mac}`,
      `${far}.${mac}`,
      mac,
      `${expires}.`,
      '.',
      `${expires}`,
      'x.y',
    ]) {
      assert.equal((await layout(app, `${name}=${forged}`)).status, 401, forged);
    }
  });
});
