/**
 * Background callbacks with progress and cancel, end to end in the real renderer, on either
 * backend (./backend.ts) (Dash's acceptance checklist, dash-protocol.md section 6, items 3, 4, 9,
 * 10, 14, 16, 17, 19 and 20).
 * Every test ends by asserting that the page logged no console error, threw no page error and saw
 * no HTTP error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countQueries, pause, textOf, waitForJob, watchText } from '../../apps/bg-browser.ts';
import { type OpenedApp, waitForIdle, waitForText } from '../../support/browser.ts';
import { type Backend, checklistSuite } from './backend.ts';

async function valueAttribute(page: OpenedApp['page'], selector: string): Promise<string | null> {
  return page.locator(selector).getAttribute('value');
}

/**
 * Checks the texts a progress output showed during one run: its default, then progress values in
 * increasing order, each once (a value may be skipped when a newer one replaced it before a poll,
 * except the `required` ones), then its default again.
 */
function assertProgressRun(seen: string[], defaultText: string, required: string[]): void {
  const summary = seen.join(' | ');
  assert.equal(seen[0], defaultText, summary);
  assert.equal(seen.at(-1), defaultText, summary);
  const progress = seen.slice(1, -1);
  for (const value of required) assert.ok(progress.includes(value), `${value} in: ${summary}`);
  assert.deepEqual(progress, [...new Set(progress)].sort(), `in order, each once: ${summary}`);
}

export async function backgroundProgressSuite(backend: Backend): Promise<void> {
  const suite = await checklistSuite(backend);
  const cancelFixture = await import('../../apps/bg-cancel.ts');
  const side = await import('../../apps/bg-side.ts');

  describe('progress and cancel', () => {
    const opened = suite.useApp(cancelFixture.app);

    it('3: cancel keeps the old result and sets the running status back; running again works', async () => {
      const { page, problems } = opened();
      // No preventInitialCall: the page load ran it once.
      await waitForText(page, '#result-3', "Processed 'initial value'");
      await waitForText(page, '#status-3', 'Finished');

      const cancels = countQueries(page, 'cancel-button-3.id', 'cancelJob');
      await page.locator('#input-3').fill('hello world');
      await page.click('#run-button-3');
      await waitForText(page, '#status-3', 'Running');
      await waitForJob(page, 'result-3');
      await page.click('#cancel-button-3');
      await waitForText(page, '#status-3', 'Finished');
      assert.equal(cancels(), 1, 'the cancel callback named the job');
      // Longer than the job would have taken: its result never arrives.
      await pause(1300);
      assert.equal(await textOf(page, '#result-3'), "Processed 'initial value'");
      assert.equal(await textOf(page, '#status-3'), 'Finished');

      await page.click('#run-button-3');
      await waitForText(page, '#status-3', 'Running');
      await waitForText(page, '#result-3', "Processed 'hello world'");
      await waitForText(page, '#status-3', 'Finished');
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it('4: progress text and bar reach 2/4; cancel resets them to the default; full runs complete', async () => {
      const { page, problems } = opened();
      await page.click('#run-button-4');
      await waitForText(page, '#status-4', 'Progress 2/4');
      assert.equal(await valueAttribute(page, '#bar-4'), '2');
      await page.click('#cancel-button-4');
      await waitForText(page, '#status-4', 'Finished');
      assert.equal(await valueAttribute(page, '#bar-4'), '0');
      await pause(1200);
      assert.equal(await textOf(page, '#result-4'), 'No results');
      assert.equal(await textOf(page, '#status-4'), 'Finished');

      for (let run = 0; run < 2; run++) {
        // Without caching, each run computes again with progress.
        const status = await watchText(page, '#status-4');
        await page.click('#run-button-4');
        await waitForText(page, '#status-4', 'Progress 2/4');
        await waitForText(page, '#result-4', "Processed 'hello, world'");
        await waitForText(page, '#status-4', 'Finished');
        assert.equal(await valueAttribute(page, '#bar-4'), '0');
        assertProgressRun(await status(), 'Finished', ['Progress 2/4', 'Progress 3/4']);
      }
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it('9: interval 0: after the result the status stays on its default (no stray progress)', async () => {
      const { page, problems } = opened();
      const status = await watchText(page, '#status-9');
      await page.click('#run-button-9');
      await waitForText(page, '#status-9', 'Progress 2/4');
      await waitForText(page, '#result-9', "Clicked '1'");
      await waitForText(page, '#status-9', 'Finished');
      const atResult = await status();
      await pause(1500);
      assert.equal(await textOf(page, '#status-9'), 'Finished');
      assert.deepEqual(await status(), atResult, 'nothing changed after the result');
      assertProgressRun(atResult, 'Finished', ['Progress 2/4']);
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it('16: a cancel button shared by two callbacks cancels whichever runs; own buttons too', async () => {
      const { page, problems } = opened();
      for (const n of [1, 2]) {
        for (const cancel of ['#shared-cancel', `#cancel${n}`]) {
          await page.click(`#start${n}`);
          await waitForText(page, `#progress${n}`, 'running');
          await waitForJob(page, `output${n}`);
          await page.click(cancel);
          await waitForText(page, `#progress${n}`, 'idle');
          assert.equal(await textOf(page, `#output${n}`), 'initial');
        }
      }
      // The other callback's own cancel button leaves a job alone.
      await page.click('#start1');
      await waitForText(page, '#progress1', 'running');
      await waitForJob(page, 'output1');
      await page.click('#cancel2');
      await pause(800);
      assert.equal(await textOf(page, '#progress1'), 'running');
      await page.click('#shared-cancel');
      await waitForText(page, '#progress1', 'idle');
      await pause(300);
      assert.equal(await textOf(page, '#output1'), 'initial');
      assert.equal(await textOf(page, '#output2'), 'initial');
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it("16 (Dash's test_lcbc016): cancel clicked as soon as the running state shows, before the page knows the job", async () => {
      const { page, problems } = opened();
      for (const n of [1, 2]) {
        for (const cancel of ['#shared-cancel', `#cancel${n}`]) {
          // Clicked by the page itself the moment the running text shows: a test driver's own
          // round trip could let the start answer (held up to startMs) arrive first.
          await page.evaluate(
            ([progress, button]) => {
              const target = document.querySelector(progress!)!;
              const observer = new MutationObserver(() => {
                if (target.textContent !== 'running') return;
                observer.disconnect();
                (document.querySelector(button!) as HTMLElement).click();
              });
              observer.observe(target, { childList: true, characterData: true, subtree: true });
            },
            [`#progress${n}`, cancel],
          );
          await page.click(`#start${n}`);
          await waitForText(page, `#progress${n}`, 'idle');
          // The job runs until cancelled: had the cancel been lost, it would keep the page polling.
          await waitForIdle(page);
          assert.equal(await textOf(page, `#output${n}`), 'initial');
          assert.equal(await textOf(page, `#progress${n}`), 'idle');
        }
      }
      assert.deepEqual(problems, []);
    });
  });

  describe('progress, setProps and cookies reaching the page', () => {
    const opened = suite.useApp(side.app);

    it('10: a progress output that is an Input of a normal callback fires it for each value', async () => {
      const { page, problems } = opened();
      await waitForText(page, '#side-status', 'Side Finished');
      const seen = await watchText(page, '#side-status');
      await page.click('#run-side');
      await waitForText(page, '#result-side', "Clicked '1'");
      await waitForText(page, '#side-status', 'Side Finished');
      assertProgressRun(await seen(), 'Side Finished', [
        'Side Progress 1/4',
        'Side Progress 2/4',
        'Side Progress 3/4',
      ]);
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it('progress of a synchronous job that blocks its worker reaches the page while it runs', async () => {
      const { page, problems } = opened();
      const seen = await watchText(page, '#status-sync-progress');
      await page.click('#run-sync-progress');
      await waitForText(page, '#result-sync-progress', 'sync done 1');
      await waitForText(page, '#status-sync-progress', 'idle');
      assertProgressRun(await seen(), 'idle', ['Step 0/3', 'Step 1/3', 'Step 2/3']);
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });

    it('14: "start" and "stop" progress are each delivered once: the counter ends at 2', async () => {
      const { page, problems } = opened();
      await page.click('#start-counted');
      await waitForText(page, '#output-counted', 'done');
      await waitForIdle(page);
      await pause(500);
      assert.equal(await textOf(page, '#progress-counter'), '2');
      assert.equal(await textOf(page, '#progress-output'), 'stop');
      assert.deepEqual(problems, []);
    });

    for (const variant of ['', '-async']) {
      const item = variant ? '20' : '17';
      it(`${item}: ctx.setProps in a${variant ? 'n async' : ' sync'} job: merged updates while it runs, then the result`, async () => {
        const { page, problems } = opened();
        await page.click(`#start${variant}`);
        await waitForText(page, `#secondary${variant}`, 'first');
        const background = () =>
          page.locator(`#secondary${variant}`).evaluate((el) => (el as HTMLElement).style.background);
        assert.equal(await background(), 'red');
        assert.equal(await textOf(page, `#output${variant}`), 'initial');
        await waitForText(page, `#secondary${variant}`, 'second');
        assert.equal(await background(), 'red');
        await waitForText(page, `#output${variant}`, 'completed');

        await page.click(`#start-no-output${variant}`);
        await waitForText(page, `#no-output${variant}`, 'started');
        await waitForText(page, `#no-output${variant}`, 'completed');
        await waitForIdle(page);
        assert.deepEqual(problems, []);
      });
    }

    it('19: a cookie of the page is in the context of the job', async () => {
      const { page, problems } = opened();
      await page.evaluate(() => {
        // biome-ignore lint/suspicious/noDocumentCookie: the point is a cookie the page set itself
        document.cookie = 'bg-cookie=cookie-value; path=/';
      });
      await page.click('#read-cookie');
      await waitForText(page, '#cookie-output', 'cookie: cookie-value');
      await waitForIdle(page);
      assert.deepEqual(problems, []);
    });
  });
}
