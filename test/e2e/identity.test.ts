/**
 * Identity in real Chromium (issue 18, item 1): each browser context is its own anonymous user.
 * The page shows ctx.user from an ordinary callback and from a background job in an SqliteManager
 * pool process; both are the same within a context, across a reload, and differ between two
 * contexts. The session cookie is HttpOnly and SameSite=Lax, so the page's scripts cannot read it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Dash, RunningServer } from '../../src/index.ts';
import { launchBrowser, waitForTextMatching } from '../support/browser.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-identity-e2e-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
const { app } = (await import('../apps/identity.ts')) as { app: Dash };

const USER = /^[A-Za-z0-9_-]{22}$/;

describe('identity in Chromium', { timeout: 120_000 }, () => {
  let browser: Browser;
  let server: RunningServer;
  const problems: string[] = [];

  before(async () => {
    server = await app.run({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    await page.goto(server.url);
    await page.waitForSelector('#react-entry-point ._dash-loading', { state: 'detached' });
    return page;
  }

  /** The user the page's callbacks saw: the ordinary one and the background job's, which must agree. */
  async function usersSeen(page: Page): Promise<string> {
    await waitForTextMatching(page, '#who', USER);
    await waitForTextMatching(page, '#bg-who', USER, 30_000);
    const who = (await page.locator('#who').textContent()) ?? '';
    assert.equal(await page.locator('#bg-who').textContent(), who, 'the job saw the page user');
    return who;
  }

  it('gives each browser context its own user, the same in a job and after a reload', async () => {
    const first = await browser.newContext();
    const second = await browser.newContext();
    const a = await usersSeen(await open(first));
    const b = await usersSeen(await open(second));
    assert.notEqual(a, b);

    const [cookie] = (await first.cookies()).filter((c) => c.name === 'dash_ts_session');
    assert.ok(cookie, 'the page load set the session cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.value.split('.')[0], a);
    const page = first.pages()[0]!;
    assert.equal(await page.evaluate(() => document.cookie.includes('dash_ts_session')), false);

    await page.reload();
    await page.waitForSelector('#react-entry-point ._dash-loading', { state: 'detached' });
    assert.equal(await usersSeen(page), a, 'a reload keeps the user');
    assert.deepEqual(problems, []);
    await first.close();
    await second.close();
  });
});
