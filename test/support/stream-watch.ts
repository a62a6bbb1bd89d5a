/** For browser tests of streaming callbacks: the texts an element shows while a stream runs. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';

/** Texts of `#id` seen, in order, until it is non-empty and stops changing for `quietMs`. */
export async function watchAnswer(
  page: Page,
  id: string,
  quietMs: number,
  limitMs = 30_000,
): Promise<string[]> {
  const seen: string[] = [];
  const started = Date.now();
  let changed = Date.now();
  while (Date.now() - started < limitMs) {
    const text = (await page.textContent(`#${id}`)) ?? '';
    if (text !== seen.at(-1)) {
      seen.push(text);
      changed = Date.now();
    } else if (text !== '' && Date.now() - changed > quietMs) {
      break;
    }
    await sleep(20);
  }
  return seen;
}

/**
 * Clicks `button` to start a stream into `#id` and resolves once the new stream has shown more
 * than `words` words. The previous answer may still be on the page until the new stream's first
 * yield clears it: its words do not count.
 */
export async function startStream(page: Page, button: string, id: string, words = 5): Promise<void> {
  const previous = (await page.textContent(`#${id}`)) ?? '';
  await page.click(button);
  await page.waitForFunction(
    ([elementId, before, least]) => {
      const text = document.getElementById(elementId as string)?.textContent ?? '';
      return text !== before && text.split(' ').length > (least as number);
    },
    [id, previous, words] as const,
    { timeout: 20_000 },
  );
}
