/**
 * Real headless Chromium driven by playwright-core (the system's, else the npm package's: see
 * chromium.ts), against an app served on a free loopback port. Every console error and page error is collected, so a test can assert
 * the page stayed clean, as Dash's own browser tests do.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import type { Dash, RunningServer } from '../../src/index.ts';
import { findChromium } from './chromium.ts';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let executable: Promise<string> | undefined;

export async function launchBrowser(): Promise<Browser> {
  // Under scripts/run-tests.mjs, CHROMIUM_PATH is the one the run found; else looked up here.
  executable ??= findChromium().then((found) => found.path);
  return chromium.launch({ executablePath: await executable, args: CHROMIUM_FLAGS });
}

export interface OpenedApp {
  page: Page;
  server: RunningServer;
  /** Console errors, page errors and failed requests seen so far. */
  problems: string[];
  close(): Promise<void>;
}

export async function openApp(browser: Browser, app: Dash, path = '/'): Promise<OpenedApp> {
  const server = await app.run({ port: 0, host: '127.0.0.1' });
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`http ${response.status()}: ${response.url()}`);
  });
  await page.goto(server.url + path);
  // The renderer replaces the "Loading..." placeholder once layout and dependencies are in.
  await page.waitForSelector('#react-entry-point ._dash-loading', { state: 'detached' });
  return {
    page,
    server,
    problems,
    close: async () => {
      await context.close();
      await server.close();
    },
  };
}

/** Waits until the text of `selector` equals `expected`, with a helpful failure message. */
export async function waitForText(
  page: Page,
  selector: string,
  expected: string,
  timeout = 10_000,
): Promise<void> {
  await waitForTextTo(page, selector, { equals: expected }, `text ${JSON.stringify(expected)}`, timeout);
}

/** Waits until the text of `selector` matches `pattern`; returns the text. */
export async function waitForTextMatching(
  page: Page,
  selector: string,
  pattern: RegExp,
  timeout = 10_000,
): Promise<string> {
  const want = { source: pattern.source, flags: pattern.flags };
  await waitForTextTo(page, selector, want, `text matching ${pattern}`, timeout);
  return (await page.locator(selector).textContent()) ?? '';
}

/** Polls the page until the element's text passes the test; on timeout, says what it was instead. */
async function waitForTextTo(
  page: Page,
  selector: string,
  test: { equals: string } | { source: string; flags: string },
  described: string,
  timeout: number,
): Promise<void> {
  try {
    await page.waitForFunction(
      ([sel, want]) => {
        const text = document.querySelector(sel as string)?.textContent ?? null;
        if ('equals' in want) return text === want.equals;
        return new RegExp(want.source, want.flags).test(text ?? '');
      },
      [selector, test] as const,
      { timeout },
    );
  } catch (error) {
    const actual = await page
      .locator(selector)
      .textContent({ timeout: 100 })
      .catch(() => '<missing>');
    throw new Error(`${selector}: expected ${described}, got ${JSON.stringify(actual)}`, { cause: error });
  }
}

/** Waits until the tab title is `title`; on timeout, says what it was instead. */
export async function waitForTitle(page: Page, title: string, timeout = 10_000): Promise<void> {
  await page
    .waitForFunction((want) => document.title === want, title, { timeout })
    .catch(async (error) => {
      throw new Error(
        `expected the tab title ${JSON.stringify(title)}, got ${JSON.stringify(await page.title())}`,
        {
          cause: error,
        },
      );
    });
}

/** Waits until no callback is pending in the renderer's store. */
export async function waitForIdle(page: Page, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const store = (window as unknown as { store?: { getState(): { isLoading?: boolean } } }).store;
      return document.title !== 'Updating...' && !store?.getState().isLoading;
    },
    undefined,
    { timeout },
  );
}

/** Records the `output` (callback id) of every callback request the page sends from now on. */
export function recordCallbackRequests(page: Page): string[] {
  const outputs: string[] = [];
  page.on('request', (request) => {
    if (!request.url().includes('/_dash-update-component')) return;
    outputs.push((JSON.parse(request.postData() ?? '{}') as { output?: string }).output ?? '?');
  });
  return outputs;
}

export interface SharedPage extends OpenedApp {
  /** The `output` of every callback request since the page settled after loading. */
  requests: string[];
  /** Closes the page, the server and the browser. */
  closeAll(): Promise<void>;
}

/** A browser of its own with `app` open and settled, for a suite whose tests share one page. */
export async function openSharedPage(app: Dash, path = '/'): Promise<SharedPage> {
  const browser = await launchBrowser();
  try {
    const opened = await openApp(browser, app, path);
    await waitForIdle(opened.page);
    return {
      ...opened,
      requests: recordCallbackRequests(opened.page),
      closeAll: async () => {
        await opened.close();
        await browser.close();
      },
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
