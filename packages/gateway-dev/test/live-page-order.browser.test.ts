/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser: they see the DOM.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openBrowser, screenshot } from './browser.js';
import { ingest, startGateway } from './helpers.js';

// Points reach a receiver out of time order: a spool's backlog goes out on two lanes, and
// `fieldbridge resend` sends an hour-old point beside live data. Real headless Chromium on the
// real page: a series shows its newest point, and its chart draws in time order.

/** Each visible row's metric, the value shown and the value cell's tooltip. */
function rows(page: Page) {
  return page.$$eval('.row:not([hidden])', (els) =>
    els.map((row) => ({ metric: (row as HTMLElement).dataset.metric ?? '', text: row.querySelector('.v')?.textContent ?? '', title: row.querySelector('.c-value')?.getAttribute('title') ?? '' })),
  );
}

const chart = (page: Page, metric: string) => page.$eval(`.row[data-metric="${metric}"] canvas`, (c) => (c as HTMLCanvasElement).toDataURL());

/** Resolves once the page holds `n` points (its stream line says so). */
const holds = (page: Page, n: number) => page.waitForFunction((count) => document.getElementById('stream-diag')?.textContent?.endsWith(` page holds ${count} of ${count} points`), n);

describe('the live page with points out of time order', () => {
  it('shows the newest point as the value and draws the chart in time order, as for the same points sent in order', async () => {
    const gateway = await startGateway();
    const { page, errors } = await openBrowser();
    await page.goto(`${gateway.origin}/`);
    await page.waitForSelector('#stream-status[data-state="live"]');
    const now = gateway.clockNow();
    const live = [51, 52, 53, 54, 55].map((value, i) => ({ value, timestamp: now - 4000 + i * 1000, tags: { unit: '%' } }));
    const old = { value: 7, timestamp: now - 3_600_000, tags: { unit: '%' } };
    // in-order.level gets the hour-old point first; late.level gets the live ones newest first,
    // then the hour-old one, in a later stream event (a resend).
    await ingest(gateway, { source_id: 'tank-farm', points: [{ metric: 'in-order.level', ...old }, ...[...live].reverse().map((p) => ({ metric: 'late.level', ...p }))] });
    await holds(page, 6);
    await ingest(gateway, { source_id: 'tank-farm', points: [...live.map((p) => ({ metric: 'in-order.level', ...p })), { metric: 'late.level', ...old }] });
    await holds(page, 12);
    await page.waitForFunction(() => document.querySelectorAll('.row canvas').length === 2);
    expect(await rows(page)).toEqual([
      { metric: 'in-order.level', text: '55', title: '55 %' },
      { metric: 'late.level', text: '55', title: '55 %' },
    ]);
    // The same six points make the same drawing, whatever order they came in.
    await page.waitForFunction(() => [...document.querySelectorAll('.row canvas')].every((c) => (c as HTMLCanvasElement).width > 0));
    await expect.poll(async () => (await chart(page, 'late.level')) === (await chart(page, 'in-order.level')), { timeout: 5000 }).toBe(true);
    await screenshot(page, 'live-out-of-order.png');

    // A page opened now (a snapshot, then chart history) shows the same.
    await page.reload();
    await holds(page, 12);
    await page.waitForFunction(() => document.querySelectorAll('.row canvas').length === 2);
    expect((await rows(page)).map((r) => r.text)).toEqual(['55', '55']);
    await expect.poll(async () => (await chart(page, 'late.level')) === (await chart(page, 'in-order.level')), { timeout: 5000 }).toBe(true);
    expect(errors).toEqual([]);
  }, 60_000);
});
