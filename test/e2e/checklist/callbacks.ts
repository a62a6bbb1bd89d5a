/**
 * Background callbacks end to end: the real dash-renderer in headless Chromium against fixture
 * apps (test/apps/bg-*.ts) whose jobs run on either backend (./backend.ts: SqliteManager worker
 * processes, or two `dash-ts worker` processes on Redis). Dash's own acceptance checklist (docs:
 * dash-protocol.md section 6), items 1, 2, 5-7, 11-13, 15 and 21 here; progress and cancel in
 * ./progress.ts, errors in ./errors.ts. Every test ends by asserting that the page logged no
 * console error, threw no page error and saw no HTTP error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  countQueries,
  nextFinalResponse,
  patternSelector,
  pause,
  textOf,
  waitForJob,
  waitForTextMatching,
  watchText,
} from '../../apps/bg-browser.ts';
import { waitForIdle, waitForText } from '../../support/browser.ts';
import { type Backend, checklistSuite } from './backend.ts';

export async function backgroundCallbacksSuite(backend: Backend): Promise<void> {
  const suite = await checklistSuite(backend);
  const basic = await import('../../apps/bg-basic.ts');
  const cache = await import('../../apps/bg-cache.ts');
  const late = await import('../../apps/bg-late.ts');
  const pattern = await import('../../apps/bg-pattern.ts');

  describe('basic background callbacks', () => {
    const opened = suite.useApp(basic.app);

    it('1: runs the job on page load, and settles on the last text typed quickly (oldJob)', async () => {
      const { page, problems } = opened();
      await waitForText(page, '#output-1', 'initial value');
      const superseding = countQueries(page, 'output-1.children', 'oldJob');
      const input = page.locator('#input');
      await input.fill('');
      await input.pressSequentially('hello world', { delay: 50 });
      await waitForText(page, '#output-1', 'hello world', 15_000);
      await waitForIdle(page, 15_000);
      await pause(300);
      assert.equal(await textOf(page, '#output-1'), 'hello world');
      assert.ok(superseding() > 0, 'typing superseded running jobs with oldJob');
      assert.deepEqual(problems, []);
    });

    it('21: the same with an async job function', async () => {
      const { page, problems } = opened();
      await waitForText(page, '#output-async', 'initial async value');
      const superseding = countQueries(page, 'output-async.children', 'oldJob');
      const input = page.locator('#input-async');
      await input.fill('');
      await input.pressSequentially('hello world', { delay: 50 });
      await waitForText(page, '#output-async', 'hello world', 15_000);
      await waitForIdle(page, 15_000);
      await pause(300);
      assert.equal(await textOf(page, '#output-async'), 'hello world');
      assert.ok(superseding() > 0, 'typing superseded running jobs with oldJob');
      assert.deepEqual(problems, []);
    });

    it('2: running shows "Running", then the result and "Finished"; twice quickly counts both', async () => {
      const { page, problems } = opened();
      const status = await watchText(page, '#status');
      await page.click('#button-1');
      await waitForText(page, '#status', 'Running');
      await waitForText(page, '#result', 'Clicked 1 time(s)');
      await waitForText(page, '#status', 'Finished');
      assert.deepEqual(await status(), ['Finished', 'Running', 'Finished']);

      await page.click('#button-1');
      await page.click('#button-1');
      await waitForText(page, '#status', 'Running');
      await waitForText(page, '#result', 'Clicked 3 time(s)');
      await waitForText(page, '#status', 'Finished');
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it('13: a State declared before the Input gets the first argument', async () => {
      const { page, problems } = opened();
      await page.click('#unordered-button');
      await waitForText(page, '#unordered-output', 'stored (1)');
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });
  });

  describe('cached background callbacks (cacheBy, cacheArgsToIgnore)', () => {
    const opened = suite.useApp(cache.app);

    /** Does `action`, waits for callback `n`'s answer; tells whether progress showed (a computation). */
    async function runCached(n: 1 | 2, action: () => Promise<void>) {
      const { page } = opened();
      const status = await watchText(page, `#status${n}`);
      const answered = nextFinalResponse(page, `result${n}.children`);
      await action();
      const answer = await answered;
      assert.equal(answer.status(), 200);
      await waitForIdle(page);
      await waitForText(page, `#status${n}`, 'Finished');
      const computed = (await status()).some((text) => text.startsWith('Progress'));
      // A hit comes in the answer to the start request itself; a computation in a later poll.
      const polled = new URL(answer.url()).searchParams.has('cacheKey');
      assert.equal(polled, computed, 'only computations are polled for');
      return { text: (await textOf(page, `#result${n}`)) ?? '', computed };
    }

    it('5/6: hits answer at once without progress; misses compute; callbacks never share results', async () => {
      const { page, problems } = opened();
      const click = (selector: string) => () => page.click(selector);
      const fill = (selector: string, value: string) => () => page.locator(selector).fill(value);

      // The page load computed callback 1 (no preventInitialCall); callback 2 waits for a click.
      const first1 = await waitForTextMatching(page, '#result1', /^Result 1 for 'AAA' #\w+$/);
      await waitForIdle(page);
      assert.equal(await textOf(page, '#result2'), 'No results');

      // The button is ignored: clicking it is a hit.
      assert.deepEqual(await runCached(1, click('#run-button1')), { text: first1, computed: false });
      // Another value is a miss; back to the first value, a hit again.
      const bbb1 = await runCached(1, fill('#input1', 'BBB'));
      assert.equal(bbb1.computed, true);
      assert.match(bbb1.text, /^Result 1 for 'BBB' #\w+$/);
      assert.deepEqual(await runCached(1, fill('#input1', 'AAA')), { text: first1, computed: false });

      // Callback 2 with the same value computes its own result (keyword style, `button` ignored).
      const first2 = await runCached(2, click('#run-button2'));
      assert.equal(first2.computed, true);
      assert.match(first2.text, /^Result 2 for 'AAA' #\w+$/);
      assert.deepEqual(await runCached(2, click('#run-button2')), { text: first2.text, computed: false });
      assert.equal((await runCached(2, fill('#input2', 'BBB'))).computed, true);
      assert.deepEqual(await runCached(2, fill('#input2', 'AAA')), { text: first2.text, computed: false });

      // Another cacheBy value: both miss.
      await page.locator('#token').fill('two');
      await waitForText(page, '#token-status', 'token: two');
      const two1 = await runCached(1, click('#run-button1'));
      assert.equal(two1.computed, true);
      assert.notEqual(two1.text, first1);
      const two2 = await runCached(2, click('#run-button2'));
      assert.equal(two2.computed, true);
      assert.notEqual(two2.text, first2.text);
      // And back: the results cached under the first value are still there.
      await page.locator('#token').fill('one');
      await waitForText(page, '#token-status', 'token: one');
      assert.deepEqual(await runCached(1, click('#run-button1')), { text: first1, computed: false });
      assert.deepEqual(await runCached(2, click('#run-button2')), { text: first2.text, computed: false });
      assert.deepEqual(problems, []);
    });
  });

  describe('background callbacks on components created later (validationLayout)', () => {
    const opened = suite.useApp(late.app);

    it('7: progress, cancel and full runs work on components a normal callback added', async () => {
      const { page, problems } = opened();
      assert.equal(await page.locator('#run-button').count(), 0);
      await page.click('#show-layout-button');
      await page.waitForSelector('#run-button');

      await page.click('#run-button');
      await waitForText(page, '#status', 'Progress 2/4');
      await waitForJob(page, 'result');
      await page.click('#cancel-button');
      await waitForText(page, '#status', 'Finished');
      await pause(1000);
      assert.equal(await textOf(page, '#result'), 'No results');

      await page.locator('#input').fill('late hello');
      await page.click('#run-button');
      await waitForText(page, '#status', 'Progress 2/4');
      await waitForText(page, '#result', "Processed 'late hello'");
      await waitForText(page, '#status', 'Finished');
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });
  });

  describe('pattern-matching inputs and the context of a job', () => {
    const opened = suite.useApp(pattern.app);

    it('11: an ALL input: clicking button i, i times, shows "Clicked \'i\'"', async () => {
      const { page, problems } = opened();
      for (const i of [1, 2, 3]) {
        for (let click = 0; click < i; click++)
          await page.click(patternSelector({ type: 'run-button', index: i }));
        await waitForText(page, '#result', `Clicked '${i}'`);
      }
      await waitForIdle(page);
      await pause(300);
      assert.equal(await textOf(page, '#result'), "Clicked '3'");
      assert.deepEqual(problems, []);
    });

    it('12: ctx in the job reflects the request that started it (ALL input, first button)', async () => {
      const { page, problems } = opened();
      await page.click(patternSelector({ type: 'ctx-button', index: 0 }));
      await waitForText(page, '#running', 'on');
      await waitForText(page, '#running', 'off');
      const seen = JSON.parse((await textOf(page, '#ctx-result')) ?? '{}');
      assert.deepEqual(seen.triggeredId, { type: 'ctx-button', index: 0 });
      assert.deepEqual(seen.triggered, [{ prop_id: '{"index":0,"type":"ctx-button"}.n_clicks', value: 1 }]);
      assert.deepEqual(
        seen.inputsList[0].map((entry: { id: unknown; value?: unknown }) => [entry.id, entry.value ?? null]),
        [0, 1, 2].map((index) => [{ type: 'ctx-button', index }, index === 0 ? 1 : null]),
      );
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it('15: two callbacks made by one factory (same source) keep their own outputs', async () => {
      const { page, problems } = opened();
      await page.click('#button-1');
      await waitForText(page, '#output-1', 'Clicked on 1 (1)');
      await page.click('#button-2');
      await waitForText(page, '#output-2', 'Clicked on 2 (1)');
      assert.equal(await textOf(page, '#output-1'), 'Clicked on 1 (1)');
      // Both at once.
      await page.click('#button-2');
      await page.click('#button-1');
      await waitForText(page, '#output-1', 'Clicked on 1 (2)');
      await waitForText(page, '#output-2', 'Clicked on 2 (2)');
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });
  });
}
