/**
 * Clientside callbacks in headless Chromium with the real renderer: they run without a request,
 * chain into server and background callbacks, and honour no_update, PreventUpdate, set_props,
 * callback_context and pattern-matching ids.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSharedPage, type SharedPage, waitForIdle, waitForText } from '../support/browser.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-clientside-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
const { app } = await import('../apps/clientside.ts');

/** `{"index":1,"type":"mirror"}` as the renderer writes it into the DOM id. */
const patternSelector = (type: string, index: number) => `[id='${JSON.stringify({ index, type })}']`;

describe('clientside callbacks in the real renderer', () => {
  let opened: SharedPage;
  /** Every callback request the page sends, as `output` ids. */
  let requests: string[] = [];

  before(async () => {
    opened = await openSharedPage(app);
    requests = opened.requests;
  });

  after(async () => {
    await opened?.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs in the browser: typing updates the page with no request to the server', async () => {
    const { page } = opened;
    await waitForText(page, '#echo', 'echo: ');
    const before = requests.length;
    await page.locator('#text').pressSequentially('hello world', { delay: 20 });
    await waitForText(page, '#echo', 'echo: hello world');
    // The function from the asset script runs too.
    await waitForText(page, '#shout', 'hello world!');
    await waitForIdle(page);
    assert.deepEqual(requests.slice(before), [], 'typing sent callback requests');
  });

  it('feeds a server callback: clientside -> server chain', async () => {
    const { page } = opened;
    await waitForText(page, '#upper', 'ABC');
    await waitForText(page, '#server-out', 'server saw ABC');
    const before = requests.length;
    await page.locator('#chain-in').fill('xyz');
    await waitForText(page, '#upper', 'XYZ');
    await waitForText(page, '#server-out', 'server saw XYZ');
    // Only the server callback made requests, never the clientside one.
    assert.ok(requests.length > before);
    assert.deepEqual(new Set(requests.slice(before)), new Set(['server-out.children']));
  });

  it('honours no_update, PreventUpdate and set_props', async () => {
    const { page } = opened;
    const click = async () => {
      await page.click('#btn');
      await waitForIdle(page);
    };
    await click(); // 1: output and set_props
    await waitForText(page, '#clicks', 'clicked 1');
    await waitForText(page, '#side', 'side 1');
    await click(); // 2: set_props, no_update for the output
    await waitForText(page, '#side', 'side 2');
    assert.equal(await page.locator('#clicks').textContent(), 'clicked 1');
    await click(); // 3: PreventUpdate: nothing changes
    assert.equal(await page.locator('#side').textContent(), 'side 2');
    assert.equal(await page.locator('#clicks').textContent(), 'clicked 1');
    await click(); // 4
    await waitForText(page, '#side', 'side 4');
    assert.equal(await page.locator('#clicks').textContent(), 'clicked 1');
    await click(); // 5
    await waitForText(page, '#clicks', 'clicked 5');
    await waitForText(page, '#side', 'side 5');
    assert.ok(!requests.includes('clicks.children'), 'the clientside callback reached the server');
  });

  it('matches pattern ids and sees callback_context', async () => {
    const { page } = opened;
    await waitForText(page, patternSelector('mirror', 1), 'f1 from initial call');
    await waitForText(page, patternSelector('mirror', 2), 'f2 from initial call');
    await page.locator(patternSelector('field', 2)).fill('second');
    await waitForText(page, patternSelector('mirror', 2), 'second from field 2');
    assert.equal(await page.locator(patternSelector('mirror', 1)).textContent(), 'f1 from initial call');
  });

  it('feeds a background callback', async () => {
    const { page } = opened;
    await page.click('#bg-go');
    await waitForText(page, '#bg-in', 'job 1');
    await waitForText(page, '#bg-out', 'background ran job 1 with xyz', 20_000);
    assert.deepEqual(opened.problems, []);
  });
});
