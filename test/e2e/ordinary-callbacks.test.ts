/**
 * Ordinary callbacks end to end: the real dash-renderer in headless Chromium against apps served
 * by dash-ts. Every test ends by asserting that the page logged no console error, threw no page
 * error and saw no HTTP error (except one deliberate 500, filtered out explicitly).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page, Response } from 'playwright-core';
import { app as demoApp } from '../../examples/demo.ts';
import { app as chainApp } from '../apps/chain.ts';
import { app as lateApp } from '../apps/late-components.ts';
import { app as layoutFunctionApp } from '../apps/layout-function.ts';
import { app as noUpdateApp } from '../apps/no-update.ts';
import { app as onErrorApp } from '../apps/on-error.ts';
import { app as allApp } from '../apps/pattern-all.ts';
import { app as matchApp } from '../apps/pattern-match.ts';
import { app as preventUpdateApp } from '../apps/prevent-update.ts';
import { app as runningApp, SLOW_MS } from '../apps/running.ts';
import { app as setPropsApp } from '../apps/set-props.ts';
import { app as uncaughtErrorApp } from '../apps/uncaught-error.ts';
import { launchBrowser, type OpenedApp, openApp, waitForIdle, waitForText } from '../support/browser.ts';

/** The DOM id the renderer gives a pattern-matching id: its JSON with sorted keys. */
function patternSelector(id: Record<string, string | number>): string {
  const sorted = Object.fromEntries(Object.entries(id).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `[id='${JSON.stringify(sorted)}']`;
}

/** Resolves with the next callback response for `output` (the request body's `output` string). */
function nextCallbackResponse(page: Page, output: string): Promise<Response> {
  return page.waitForResponse((response) => {
    if (!response.url().includes('/_dash-update-component')) return false;
    const body = response.request().postData();
    return body !== null && (JSON.parse(body) as { output?: string }).output === output;
  });
}

async function textOf(page: Page, selector: string): Promise<string | null> {
  return page.locator(selector).textContent();
}

describe('ordinary callbacks in the real renderer', () => {
  let browser: Browser;
  let opened: OpenedApp | undefined;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  /** Opens an app for one test; closed again even when the test fails. */
  async function open(app: Parameters<typeof openApp>[1]): Promise<OpenedApp> {
    opened = await openApp(browser, app);
    return opened;
  }

  async function closeOpened(): Promise<void> {
    await opened?.close();
    opened = undefined;
  }

  it('serves the demo: the chart renders and the continent drives city and summary', async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(demoApp);
    await page.waitForSelector('#chart .js-plotly-plot .main-svg', { timeout: 20_000 });
    await waitForText(page, '#city-value', 'Lisbon');
    await page.waitForFunction(() =>
      document.querySelector('#summary')?.textContent?.startsWith('Lisbon over 30 days'),
    );
    await page.waitForFunction(() =>
      document.querySelector('#chart .gtitle')?.textContent?.includes('Lisbon: daily mean temperature'),
    );

    await page.click('#continent');
    await page.getByRole('option', { name: 'Americas' }).click();

    // continent -> city options and value -> chart and summary
    await waitForText(page, '#continent-value', 'Americas');
    await waitForText(page, '#city-value', 'Toronto');
    await page.waitForFunction(() =>
      document.querySelector('#summary')?.textContent?.startsWith('Toronto over 30 days: mean'),
    );
    await page.waitForFunction(() =>
      document.querySelector('#chart .gtitle')?.textContent?.includes('Toronto: daily mean temperature'),
    );
    await page.click('#city');
    const cityOptions = await page.getByRole('option').allTextContents();
    assert.deepEqual(cityOptions, ['Toronto', 'Lima', 'Denver']);
    await page.keyboard.press('Escape');
    await waitForIdle(page);
    assert.deepEqual(problems, []);
  });

  it('runs a chain: input -> div A -> div B', async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(chainApp);
    await waitForText(page, '#b', 'B:A:');
    await page.locator('#text').pressSequentially('hello');
    await waitForText(page, '#a', 'A:hello');
    await waitForText(page, '#b', 'B:A:hello');
    await page.locator('#text').fill('bye');
    await waitForText(page, '#b', 'B:A:bye');
    assert.equal(await textOf(page, '#a'), 'A:bye');
    await waitForIdle(page);
    assert.deepEqual(problems, []);
  });

  it('leaves noUpdate outputs untouched and updates the others', async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(noUpdateApp);
    await page.click('#go');
    await waitForText(page, '#first', 'first: 1');
    await waitForText(page, '#third', 'third: 1');
    await page.click('#go');
    await waitForText(page, '#first', 'first: 2');
    await waitForText(page, '#third', 'third: 2');
    await waitForIdle(page);
    assert.equal(await textOf(page, '#second'), 'second: initial');
    assert.deepEqual(problems, []);
  });

  it('keeps the page as it was on PreventUpdate, and updates on the next even click', async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(preventUpdateApp);
    await waitForText(page, '#out', 'even click 0');

    const prevented = nextCallbackResponse(page, 'out.children');
    await page.click('#btn');
    assert.equal((await prevented).status(), 204);
    await waitForText(page, '#clicks', 'clicks: 1');
    await waitForIdle(page);
    assert.equal(await textOf(page, '#out'), 'even click 0');

    await page.click('#btn');
    await waitForText(page, '#out', 'even click 2');

    const preventedAgain = nextCallbackResponse(page, 'out.children');
    await page.click('#btn');
    assert.equal((await preventedAgain).status(), 204);
    await waitForText(page, '#clicks', 'clicks: 3');
    await waitForIdle(page);
    assert.equal(await textOf(page, '#out'), 'even click 2');
    assert.deepEqual(problems, []);
  });

  it('sums dynamically added items with an ALL callback', async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(allApp);
    await waitForText(page, '#sum', 'sum: 0 of 0');
    await page.click('#add');
    await waitForText(page, '#sum', 'sum: 1 of 1');
    await page.click('#add');
    await waitForText(page, '#sum', 'sum: 3 of 2');
    await page.click('#add');
    await waitForText(page, '#sum', 'sum: 6 of 3');
    assert.equal(await page.locator('#items input[type=number]').count(), 3);

    await page.locator(patternSelector({ type: 'item', index: 2 })).fill('10');
    await waitForText(page, '#sum', 'sum: 14 of 3');
    await page.locator(patternSelector({ type: 'item', index: 3 })).fill('-4');
    await waitForText(page, '#sum', 'sum: 7 of 3');
    await page.click('#add');
    await waitForText(page, '#sum', 'sum: 11 of 4');
    await waitForIdle(page);
    assert.deepEqual(problems, []);
  });

  it('echoes each input only into its own row with a MATCH callback', async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(matchApp);
    const input = (index: number) => page.locator(patternSelector({ type: 'text', index }));
    const echo = (index: number) => patternSelector({ type: 'echo', index });
    for (let n = 1; n <= 3; n++) {
      await page.click('#add');
      await waitForText(page, echo(n), `row ${n}: `);
    }

    await input(2).pressSequentially('bravo');
    await waitForText(page, echo(2), 'row 2: bravo');
    await input(1).fill('alpha');
    await waitForText(page, echo(1), 'row 1: alpha');
    await waitForIdle(page);
    assert.equal(await textOf(page, echo(2)), 'row 2: bravo');
    assert.equal(await textOf(page, echo(3)), 'row 3: ');

    // Rows added later get their own callback too, and the older rows keep their text.
    await page.click('#add');
    await waitForText(page, echo(4), 'row 4: ');
    await input(4).fill('delta');
    await waitForText(page, echo(4), 'row 4: delta');
    await waitForIdle(page);
    assert.equal(await textOf(page, echo(1)), 'row 1: alpha');
    assert.equal(await textOf(page, echo(2)), 'row 2: bravo');
    assert.deepEqual(problems, []);
  });

  it('applies ctx.setProps to a component that is not an output', async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(setPropsApp);
    await page.click('#go');
    await waitForText(page, '#result', 'result 1');
    await waitForText(page, '#side', 'side set by click 1');
    assert.equal(await page.locator('#side').getAttribute('title'), 'title 1');
    // The side update notifies callbacks that listen to the component.
    await waitForText(page, '#side-echo', 'echo of side set by click 1');

    await page.click('#go');
    await waitForText(page, '#side', 'side set by click 2');
    await waitForText(page, '#side-echo', 'echo of side set by click 2');
    await waitForText(page, '#result', 'result 2');
    await waitForIdle(page);
    assert.deepEqual(problems, []);
  });

  it('disables the button while a slow callback runs (running) and re-enables it after', async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(runningApp);
    const disabled = () => page.locator('#run').evaluate((el) => (el as HTMLButtonElement).disabled);
    assert.equal(await disabled(), false);

    const started = Date.now();
    await page.click('#run');
    await page.waitForFunction(() => (document.querySelector('#run') as HTMLButtonElement).disabled);
    // Still running: the result has not arrived.
    assert.equal(await textOf(page, '#status'), 'idle');

    await waitForText(page, '#status', 'done 1');
    assert.ok(Date.now() - started >= SLOW_MS - 100, 'the result came after the slow callback finished');
    await page.waitForFunction(() => !(document.querySelector('#run') as HTMLButtonElement).disabled);

    // And it runs again once re-enabled.
    await page.click('#run');
    await page.waitForFunction(() => (document.querySelector('#run') as HTMLButtonElement).disabled);
    await waitForText(page, '#status', 'done 2');
    await page.waitForFunction(() => !(document.querySelector('#run') as HTMLButtonElement).disabled);
    await waitForIdle(page);
    assert.deepEqual(problems, []);
  });

  it("shows the app-level onError handler's value when a callback throws", async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(onErrorApp);
    await page.click('#boom');
    await waitForText(page, '#out', 'handled: kaboom 1');
    await waitForText(page, '#log', 'logged: kaboom 1');
    await page.click('#boom');
    await waitForText(page, '#out', 'handled: kaboom 2');
    await waitForIdle(page);
    assert.deepEqual(problems, []);
  });

  it('keeps the page working after a callback throws with no handler (one expected 500)', async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(uncaughtErrorApp);
    const failed = nextCallbackResponse(page, 'boom-out.children');
    await page.click('#boom');
    const failure = await failed;
    assert.equal(failure.status(), 500);
    await waitForIdle(page);
    assert.equal(await textOf(page, '#boom-out'), 'boom not clicked');

    await page.click('#ok');
    await waitForText(page, '#ok-out', 'ok 1');
    await page.click('#ok');
    await waitForText(page, '#ok-out', 'ok 2');
    await waitForIdle(page);
    assert.equal(await textOf(page, '#boom-out'), 'boom not clicked');

    // The one expected failure shows up three times: as the HTTP 500 itself, as Chrome's console
    // line for that failed request, and as the renderer's console report of the callback error.
    const expected = [
      (p: string) => p === `http 500: ${failure.url()}`,
      (p: string) =>
        p ===
        'console: Failed to load resource: the server responded with a status of 500 (Internal Server Error)',
      (p: string) => p.startsWith('console: {message: Callback error updating boom-out.children'),
    ];
    for (const matches of expected) {
      assert.equal(problems.filter(matches).length, 1, `expected once in:\n${problems.join('\n')}`);
    }
    assert.deepEqual(
      problems.filter((p) => !expected.some((matches) => matches(p))),
      [],
    );
  });

  it('rebuilds a function layout for every page load', async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(layoutFunctionApp);
    const first = await textOf(page, '#load');
    assert.match(first ?? '', /^page load \d+$/);

    await page.reload();
    await page.waitForSelector('#react-entry-point ._dash-loading', { state: 'detached' });
    const second = await textOf(page, '#load');
    assert.match(second ?? '', /^page load \d+$/);
    assert.notEqual(second, first);
    assert.ok(Number(second?.split(' ')[2]) > Number(first?.split(' ')[2]));
    assert.deepEqual(problems, []);
  });

  it('runs a callback whose input appears later (suppressCallbackExceptions)', async (t) => {
    t.after(closeOpened);
    const { page, problems } = await open(lateApp);
    assert.equal(await page.locator('#late-input').count(), 0);
    await page.click('#reveal');
    await page.waitForSelector('#late-input');
    await waitForText(page, '#late-output', 'late: ');
    await page.locator('#late-input').pressSequentially('hi');
    await waitForText(page, '#late-output', 'late: hi');
    await waitForIdle(page);
    assert.deepEqual(problems, []);
  });
});
