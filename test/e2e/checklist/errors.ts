/**
 * Background callbacks that fail, end to end in the real renderer, on either backend
 * (./backend.ts) (Dash's acceptance checklist, dash-protocol.md section 6, items 8 and 18), and a
 * job whose worker process dies. Each test ends
 * by asserting that the page logged no problem beyond the errors that are its point, filtered one
 * by one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { STALE_AFTER_MS } from '../../../src/background/bullmq/liveness.ts';
import {
  nextFinalResponse,
  pause,
  textOf,
  waitForDisabled,
  waitForTextMatching,
} from '../../apps/bg-browser.ts';
import { waitForIdle, waitForText } from '../../support/browser.ts';
import { type Backend, checklistSuite } from './backend.ts';

/**
 * The errors the renderer's dev tools hold (what their error pop-up lists): each one's message
 * and, for a server error, the text of the `.errormsg` element of the page the pop-up shows in
 * an iframe.
 */
async function devToolsErrors(page: Page): Promise<{ message: string; errormsg: string | null }[]> {
  return page.evaluate(() => {
    const store = (
      window as unknown as {
        store: { getState(): { error: { backEnd: { error: { message: string; html?: string } }[] } } };
      }
    ).store;
    return store.getState().error.backEnd.map(({ error }) => ({
      message: error.message,
      errormsg: error.html
        ? (new DOMParser().parseFromString(error.html, 'text/html').querySelector('.errormsg')?.textContent ??
          null)
        : null,
    }));
  });
}

/** Asserts `problems` holds exactly the traces of one failed callback request (HTTP 500). */
function assertOnlyFailure(problems: string[], url: string, output: string): void {
  const expected = [
    (p: string) => p === `http 500: ${url}`,
    (p: string) =>
      p ===
      'console: Failed to load resource: the server responded with a status of 500 (Internal Server Error)',
    (p: string) => p.startsWith(`console: {message: Callback error updating ${output}`),
  ];
  for (const matches of expected) {
    assert.equal(problems.filter(matches).length, 1, `expected once in:\n${problems.join('\n')}`);
  }
  assert.deepEqual(
    problems.filter((p) => !expected.some((matches) => matches(p))),
    [],
  );
}

/**
 * What the page shows when the process running a job is SIGKILLed, and within how long of the
 * job starting (it kills itself after 300 ms).
 */
const DYING_JOB: Record<Backend, { message: RegExp; withinMs: number }> = {
  // The pool notices its worker process exit at once: a poll or two.
  sqlite: {
    message:
      /: An error occurred inside a background callback: the worker process running this job was killed by SIGKILL/,
    withinMs: 3_000,
  },
  // The job process is a child of `dash-ts worker`, which reports its death at once. The bound
  // documented for a job whose worker is gone (src/background/bullmq/liveness.ts) is its
  // heartbeat expiry, STALE_AFTER_MS, plus a poll; this checks that bound, with a second of slack.
  bullmq: {
    message:
      /: An error occurred inside a background callback: the process running this job was killed by SIGKILL/,
    withinMs: STALE_AFTER_MS + 1_000,
  },
};

export async function backgroundErrorsSuite(backend: Backend): Promise<void> {
  const suite = await checklistSuite(backend);
  const debug = await import('../../apps/bg-debug.ts');
  const errors = await import('../../apps/bg-errors.ts');

  describe('a debug app: running, a failing job, PreventUpdate, noUpdate', () => {
    const opened = suite.useApp(debug.app);

    it('8: running disables the button; the error shows in the dev tools; PreventUpdate leaves the text', async () => {
      const { page, problems } = opened();
      /** Clicks and waits for the call to end; the button is disabled while it runs. */
      const clickAndSettle = async () => {
        const ended = nextFinalResponse(page, 'output.children');
        await page.click('#button');
        await waitForDisabled(page, '#button', true);
        const answer = await ended;
        await waitForDisabled(page, '#button', false);
        return answer;
      };

      await clickAndSettle();
      await waitForText(page, '#output', 'Clicked 1 times');

      const failure = await clickAndSettle();
      assert.equal(failure.status(), 500);
      assert.match(
        await failure.text(),
        /<p class="errormsg">BackgroundCallbackError: An error occurred inside a background callback: An error happened<\/p>/,
      );
      const shown = await devToolsErrors(page);
      assert.equal(shown.length, 1);
      assert.equal(shown[0]!.message, 'Callback error updating output.children');
      assert.match(
        shown[0]!.errormsg ?? '',
        /^BackgroundCallbackError: An error occurred inside a background callback: An error happened/,
      );
      assert.equal(await textOf(page, '#output'), 'Clicked 1 times');
      // Dash's test 008: the dev-tools pop-up shows the server's page, whose .errormsg names the error.
      await page.click('.test-devtools-error-toggle');
      const popup = page.frameLocator('iframe').first().locator('.errormsg');
      await popup.waitFor({ timeout: 10_000 });
      assert.match(
        (await popup.textContent()) ?? '',
        /^BackgroundCallbackError: An error occurred inside a background callback: An error happened/,
      );
      await page.click('.test-devtools-error-toggle');

      await clickAndSettle();
      await waitForText(page, '#output', 'Clicked 3 times');

      const prevented = await clickAndSettle();
      assert.equal(prevented.status(), 204);
      await pause(300);
      assert.equal(await textOf(page, '#output'), 'Clicked 3 times');

      await clickAndSettle();
      await waitForText(page, '#output', 'Clicked 5 times');
      await waitForIdle(page);
      assertOnlyFailure(problems, failure.url(), 'output.children');
      problems.length = 0;
    });

    it('8: a multi-output job leaves its noUpdate outputs untouched', async () => {
      const { page, problems } = opened();
      for (let i = 1; i <= 3; i++) {
        await page.click('#multi-output');
        await waitForText(page, '#output-status', `Updated: ${i}`);
        await waitForDisabled(page, '#multi-output', false);
        for (let n = 1; n <= debug.MULTI_OUTPUTS; n++) {
          assert.equal(
            await textOf(page, `#output${n}`),
            n <= i ? String(n) : '',
            `output${n} after click ${i}`,
          );
        }
      }
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });
  });

  describe('onError handlers and dying workers', () => {
    const opened = suite.useApp(errors.app);

    it('18: a callback-level and an app-level onError see the original message', async () => {
      const { page, problems } = opened();
      await page.click('#cb-button');
      await waitForText(
        page,
        '#cb-output',
        'callback error: An error occurred inside a background callback: callback boom 1',
      );
      await page.click('#global-button');
      await waitForText(
        page,
        '#global-output',
        'global error: An error occurred inside a background callback: global boom 1',
      );
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it('a job whose worker process dies ends in an error through onError within a few polls', async (t) => {
      const { page, problems } = opened();
      const { message, withinMs } = DYING_JOB[backend];
      for (const n of [1, 2]) {
        await page.click('#crash-button');
        await waitForText(page, '#crash-status', 'running');
        const started = Date.now();
        const text = await waitForTextMatching(
          page,
          '#crash-output',
          new RegExp(`^lost ${n}: `),
          withinMs + 2_000,
        );
        const elapsed = Date.now() - started;
        assert.match(text, message);
        assert.ok(elapsed < withinMs, `reported after ${elapsed} ms`);
        t.diagnostic(`job ${n}: lost reported ${elapsed} ms after it started running`);
        await waitForText(page, '#crash-status', 'idle');
        await waitForDisabled(page, '#crash-button', false);
      }

      // The pool (or the `dash-ts worker`) replaced the job's process: jobs keep running.
      await page.click('#ok-button');
      await waitForText(page, '#ok-output', 'ran 1');
      await page.click('#ok-button');
      await waitForText(page, '#ok-output', 'ran 2');
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });
  });
}
