/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser: they see the DOM.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openBrowser, screenshot } from './browser.js';
import { ingest, startGateway } from './helpers.js';

// Real headless Chromium on the real page, the gateway's clock stepped by the test: a sender
// that posts every 30 s (a BLE gateway, a batch every half minute) is receiving between its
// posts, as its series are not stale, and quiet once it missed three of them.

/** Resolves once the page holds `n` points (its stream line says so). */
const holds = (page: Page, n: number) => page.waitForFunction((count) => document.getElementById('stream-diag')?.textContent?.endsWith(` page holds ${count} of ${count} point${count === 1 ? '' : 's'}`), n);

/** The card of `id` once it says its last point is `age` old (the page redraws cards every second), then its state. */
async function stateWhen(page: Page, id: string, age: string): Promise<string | undefined> {
  const card = `.source[data-id="${id}"]`;
  await page.waitForFunction(([sel, text]) => document.querySelector(sel!)?.textContent?.includes(`last point ${text} ago`), [card, age]);
  return page.$eval(card, (el) => (el as HTMLElement).dataset.state);
}

describe('the live page and a source that sends every 30 s', () => {
  it('shows it receiving between its posts, quiet once three intervals passed without one', async () => {
    let now = Date.UTC(2026, 11, 4, 12, 0, 0);
    const gateway = await startGateway({ now: () => now });
    const { page, errors } = await openBrowser();
    await page.goto(`${gateway.origin}/`);
    await page.waitForSelector('#stream-status[data-state="live"]');
    const post = async (sourceId: string, n: number) => {
      expect((await ingest(gateway, { source_id: sourceId, points: [{ metric: 'kitchen.temperature', value: 20 + n, tags: { unit: '°C' } }] })).status).toBe(200);
      await holds(page, n);
    };
    for (let i = 1; i <= 3; i++) {
      await post('ble-gw', i);
      now += 30_000;
    }
    // 15 s after its last post (another source's point carries the gateway's time to the page).
    now -= 15_000;
    await post('plant-a', 4);
    expect(await stateWhen(page, 'ble-gw', '15 s')).toBe('receiving');
    expect(await page.$eval('.source[data-id="ble-gw"] .src-line', (el) => el.textContent)).toMatch(/^HTTP · 2\.0\/min · 3 pts/);
    await screenshot(page, 'live-slow-source.png');
    // 95 s after it: more than three of its intervals.
    now += 80_000;
    await post('plant-a', 5);
    expect(await stateWhen(page, 'ble-gw', '1 min')).toBe('idle');
    expect(errors).toEqual([]);
  }, 60_000);
});
