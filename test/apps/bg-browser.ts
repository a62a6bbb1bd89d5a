/**
 * Helpers shared by the background e2e tests (test/e2e/background-*.test.ts). Not an app: it
 * lives next to the bg-* fixtures so the fixtures and their helpers stay together. Fixtures never
 * import it (their workers have no use for a browser).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page, Response } from 'playwright-core';
import type { Dash } from '../../src/index.ts';
import { launchBrowser, type OpenedApp, openApp } from '../support/browser.ts';

export { waitForTextMatching } from '../support/browser.ts';

export interface BackgroundSuite {
  /** Opens `app` before the tests of the enclosing describe block and closes it after them. */
  useApp(app: Dash): () => OpenedApp;
}

/**
 * Sets up a background e2e test file: points DASH_TS_TEST_DB into a fresh temporary folder
 * (call it before importing the fixtures: their managers read the path when the module loads,
 * and their workers inherit the environment), and shares one browser between the file's tests.
 */
export function backgroundSuite(): BackgroundSuite {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-e2e-bg-'));
  process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    useApp(app) {
      let opened: OpenedApp | undefined;
      before(async () => {
        if (!browser) throw new Error('the browser did not start');
        opened = await openApp(browser, app);
      });
      after(async () => {
        await opened?.close();
      });
      return () => {
        if (!opened) throw new Error('the app did not open');
        return opened;
      };
    },
  };
}

/** The CSS selector of a pattern-matching id: the renderer's DOM id is its JSON with sorted keys. */
export function patternSelector(id: Record<string, string | number>): string {
  const sorted = Object.fromEntries(Object.entries(id).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `[id='${JSON.stringify(sorted)}']`;
}

export async function textOf(page: Page, selector: string): Promise<string | null> {
  return page.locator(selector).textContent();
}

/**
 * Records every text `selector` shows from now on (a MutationObserver in the page, so values that
 * stay only for one render are caught too). Returns a reader of the values seen, in order.
 */
export async function watchText(page: Page, selector: string): Promise<() => Promise<string[]>> {
  // Plain JavaScript: tsx would wrap named functions in a helper that does not exist in the page.
  const key = await page.evaluate(`(() => {
    const sel = ${JSON.stringify(selector)};
    window.__bgSeen ??= [];
    const seen = [];
    window.__bgSeen.push(seen);
    let last = null;
    const check = () => {
      const text = document.querySelector(sel)?.textContent ?? null;
      if (text !== last) {
        last = text;
        if (text !== null) seen.push(text);
      }
    };
    check();
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true });
    return window.__bgSeen.length - 1;
  })()`);
  return () =>
    page.evaluate((k) => (window as unknown as { __bgSeen: string[][] }).__bgSeen[k as number]!.slice(), key);
}

/** Which callback a callback request was for (its `output` string). */
function callbackRequest(response: Response): { output: string } | undefined {
  const url = new URL(response.url());
  if (url.pathname !== '/_dash-update-component') return undefined;
  const body = response.request().postData();
  if (body === null) return undefined;
  return { output: (JSON.parse(body) as { output: string }).output };
}

/**
 * Counts, from now on, the callback requests for `output` whose query carries `param` (e.g.
 * `oldJob`, `cancelJob`). Returns the reader.
 */
export function countQueries(page: Page, output: string, param: string): () => number {
  let count = 0;
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname !== '/_dash-update-component' || !url.searchParams.has(param)) return;
    const body = request.postData();
    if (body !== null && (JSON.parse(body) as { output: string }).output === output) count++;
  });
  return () => count;
}

/** Resolves with the next answer for `output` (the request's `output` string) that ends a call. */
export function nextFinalResponse(page: Page, output: string, timeout = 15_000): Promise<Response> {
  return page.waitForResponse(
    async (response) => {
      const request = callbackRequest(response);
      if (request?.output !== output) return false;
      if (response.status() !== 200) return true;
      const json = (await response.json()) as { response?: unknown };
      return json.response !== undefined;
    },
    { timeout },
  );
}

/**
 * Waits until the renderer holds a running job for a callback writing to component `outputId`
 * (its `callbackJobs` entry appears once the start response arrived). Only then does a cancel
 * click or a superseding call name the job: before, the renderer does not know it.
 */
export async function waitForJob(page: Page, outputId: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    (id) => {
      const store = (window as unknown as { store: { getState(): { callbackJobs?: object } } }).store;
      const jobs = Object.values(store.getState().callbackJobs ?? {}) as { output?: string }[];
      return jobs.some((job) => job.output?.includes(`"id":${JSON.stringify(id)}`));
    },
    outputId,
    { timeout },
  );
}

/** Waits until the element (a button) is disabled, or enabled. */
export async function waitForDisabled(page: Page, selector: string, disabled: boolean, timeout = 10_000) {
  await page.waitForFunction(
    ([sel, want]) => (document.querySelector(sel as string) as HTMLButtonElement | null)?.disabled === want,
    [selector, disabled] as const,
    { timeout },
  );
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
