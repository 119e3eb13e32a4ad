/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The callbacks given to page.evaluate() run in the browser: they see the DOM.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Gateway } from '../src/index.js';
import { openBrowser, screenshot, waitFor } from './browser.js';
import { deviceSink, type Sink } from './core-sink.js';
import { call, ingest, startGateway } from './helpers.js';

// Real headless Chromium on the real page, fed over HTTP by two senders and over WebSocket by
// the fieldbridge sink itself, which answers the dashboard controls as a bridge would.

/** Starts feeding: plant-a (HTTP metrics), alarms (HTTP events), rover-1 (the WebSocket sink). */
function feed(gateway: Gateway, rover: Sink): { stop(): Promise<void> } {
  let i = 0;
  let posting = Promise.resolve();
  let failure: unknown;
  const timer = setInterval(() => {
    i += 1;
    const n = i;
    posting = posting.then(async () => {
      await ingest(gateway, {
        source_id: 'plant-a',
        points: [
          { metric: 'line1.motor.rpm', value: 1480 + Math.round(40 * Math.sin(n / 4)), tags: { unit: 'rpm', line: 'l1' } },
          { metric: 'line1.oven.temp', value: 180 + Math.cos(n / 6) * 3, tags: { unit: '°C', line: 'l1' } },
        ],
      });
      if (n % 5 === 0) {
        await ingest(gateway, {
          source_id: 'alarms',
          points: [
            { metric: 'line1.alarm', value: n % 10 === 0 ? 'overtemp' : 'cleared', class: 'event' },
            { metric: 'uplink', value: n % 10 === 0 ? 'link lost' : 'link restored', class: 'event' },
          ],
        });
      }
    }).catch((err: unknown) => {
      failure ??= err;
    });
    rover.write({ metric: 'battery.voltage', value: 12 + Math.sin(n / 3), tags: { unit: 'V' } });
    rover.write({ metric: 'gps.speed', value: 3 + (n % 7) / 10, tags: { unit: 'm/s' } });
  }, 100);
  onTestFinished(() => clearInterval(timer));
  return {
    async stop() {
      clearInterval(timer);
      await posting;
      if (failure !== undefined) throw failure;
      await rover.flush();
    },
  };
}

/** The stream diagnostics the page shows, as numbers. */
async function streamState(page: Page): Promise<Record<string, number | string>> {
  return page.$eval('#stream-diag', (el) => {
    const d = (el as HTMLElement).dataset;
    const num = (k: string) => Number(d[k]);
    return {
      state: d.state ?? '',
      lastId: num('lastId'),
      snapshots: num('snapshots'),
      reconnects: num('reconnects'),
      resumes: num('resumes'),
      gaps: num('gaps'),
      duplicates: num('duplicates'),
      pagePoints: num('pagePoints'),
      gatewayPoints: num('gatewayPoints'),
    };
  });
}

const canvasOf = (page: Page, metric: string) =>
  page.$eval(`.row[data-metric="${metric}"] canvas`, (c) => (c as HTMLCanvasElement).toDataURL());

/** Each visible row's metric, its value as shown, whether the value is cut, and the value cell's tooltip. */
function valueCells(page: Page) {
  return page.$$eval('.row:not([hidden])', (rows) =>
    rows.map((row) => {
      const v = row.querySelector('.v') as HTMLElement;
      return { metric: (row as HTMLElement).dataset.metric ?? '', text: v.textContent ?? '', cut: v.scrollWidth > v.clientWidth, title: row.querySelector('.c-value')?.getAttribute('title') };
    }),
  );
}

describe('the live page in Chromium', () => {
  it('shows several sources live, moving charts, events, drives a device, and resumes without gap or duplicate', async () => {
    const gateway = await startGateway();
    const rover = deviceSink(gateway, 'rover-1');
    const configured: unknown[] = [];
    rover.onConfigure?.(async (config) => {
      configured.push(config);
      return { applied: config };
    });
    const feeder = feed(gateway, rover);
    const { page, errors } = await openBrowser();
    // Every layout shift the page makes that no input caused (Chromium's Layout Instability API).
    await page.addInitScript(() => {
      const shifts: { t: number; v: number }[] = [];
      (window as unknown as { shifts: typeof shifts }).shifts = shifts;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as unknown as { startTime: number; value: number; hadRecentInput: boolean }[]) if (!e.hadRecentInput) shifts.push({ t: e.startTime, v: e.value });
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(`${gateway.origin}/`);

    // Data from three sources over two transports.
    await page.waitForSelector('#stream-status[data-state="live"]');
    await page.waitForSelector('.source[data-id="rover-1"][data-state="connected"]');
    await page.waitForSelector('.source[data-id="plant-a"][data-state="receiving"]');
    await page.waitForSelector('.source[data-id="alarms"][data-state="receiving"]');
    for (const metric of ['line1.motor.rpm', 'line1.oven.temp', 'battery.voltage', 'gps.speed']) {
      await page.waitForSelector(`.row[data-metric="${metric}"] canvas`);
    }
    await page.waitForFunction(() => document.querySelector('.row[data-metric="line1.motor.rpm"] .u')?.textContent === 'rpm');

    // A chart that moves: what it draws changes as points arrive.
    const settled = await page.evaluate(() => performance.now());
    const before = await canvasOf(page, 'battery.voltage');
    await page.waitForFunction(
      (old) => (document.querySelector('.row[data-metric="battery.voltage"] canvas') as HTMLCanvasElement | null)?.toDataURL() !== old,
      before,
    );
    // Events from the alarms source.
    await page.waitForSelector('#events .ev[data-source="alarms"][data-sev="bad"]');
    await screenshot(page, 'live-desktop.png');
    // Data kept arriving (values, ages, rates, charts, events) and nothing on the page jumped: the
    // layout shift it added is a small fraction of the 0.1 that Web Vitals calls good (measured ~0.005).
    await page.waitForSelector('#events .ev[data-source="alarms"][data-sev="ok"]');
    const shifted = await page.evaluate((t) => (window as unknown as { shifts: { t: number; v: number }[] }).shifts.filter((s) => s.t > t).reduce((sum, s) => sum + s.v, 0), settled);
    expect(shifted).toBeLessThan(0.05);
    const desktop = await page.evaluate(() => ({
      sources: [...document.querySelectorAll('.source')].map((el) => (el as HTMLElement).dataset.id),
      rows: document.querySelectorAll('.row:not([hidden])').length,
      charts: [...document.querySelectorAll('.row:not([hidden]) canvas')].filter((c) => c.checkVisibility()).length,
      events: document.querySelectorAll('#events .ev').length,
      total: document.getElementById('total-sources')?.textContent,
    }));
    expect(desktop.sources).toEqual(['alarms', 'plant-a', 'rover-1']);
    expect(desktop.rows).toBe(6);
    expect(desktop.charts).toBe(4);
    expect(desktop.events).toBeGreaterThan(0);
    expect(desktop.total).toBe('3');

    // Dashboard controls reach the device, and its answers come back.
    await page.click('.source[data-id="rover-1"] .ctl-btn');
    await page.waitForSelector('#device-panel:not([hidden])');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('device-h');
    await page.fill('#ctl-session input[name="session_id"]', 'run-7');
    await page.click('#ctl-session button[type="submit"]');
    await page.waitForSelector('#conversation .msg[data-dir="in"][data-type="session_started"]');
    await page.waitForFunction(() => document.getElementById('ctl-status')?.textContent?.startsWith('start_session → session_started'));
    await waitFor(() => gateway.points({ sourceId: 'rover-1' }).some((p) => p.session_id === 'run-7'), 'points tagged with the session');
    await page.fill('#ctl-configure textarea', '{"interval_ms": 250}');
    await page.click('#ctl-configure button[type="submit"]');
    await page.waitForSelector('#conversation .msg[data-dir="in"][data-type="configure_result"]');
    expect(configured).toEqual([{ interval_ms: 250 }]);
    await page.fill('#ctl-stream input[name="metrics"]', 'battery.*');
    await page.click('#ctl-stream button[type="submit"]');
    await page.waitForFunction(() => document.getElementById('ctl-status')?.textContent?.startsWith('start_stream → pong'));
    await page.waitForSelector('#conversation .msg[data-dir="in"][data-type="pong"]');
    await page.waitForFunction(() => document.getElementById('device-meta')?.textContent?.includes('session run-7'));
    await screenshot(page, 'live-device-control.png');
    const conversation = await page.$$eval('#conversation .msg', (items) => items.map((m) => `${(m as HTMLElement).dataset.dir} ${(m as HTMLElement).dataset.type}`));
    expect(conversation).toEqual(expect.arrayContaining(['out start_session', 'in session_started', 'out configure', 'in configure_result', 'out start_stream', 'in pong']));

    // A forced disconnect: the page reconnects, replays what it missed, and holds every point.
    const atDrop = await streamState(page);
    expect(atDrop).toMatchObject({ state: 'live', snapshots: 1, reconnects: 0, gaps: 0, duplicates: 0 });
    expect((await call(gateway, 'POST', '/_dev/live/disconnect')).json).toEqual({ disconnected: 1 });
    await page.waitForSelector('#stream-diag[data-reconnects="1"][data-resumes="1"]');
    await feeder.stop();
    const stored = gateway.stats().points;
    await page.waitForFunction((n) => Number((document.getElementById('stream-diag') as HTMLElement).dataset.pagePoints) === n, stored);
    const after = await streamState(page);
    expect(after).toMatchObject({ state: 'live', snapshots: 1, reconnects: 1, resumes: 1, gaps: 0, duplicates: 0, pagePoints: stored, gatewayPoints: stored });
    expect(Number(after.lastId)).toBeGreaterThan(Number(atDrop.lastId));
    await screenshot(page, 'live-after-resume.png');

    // Keyboard: the list takes focus and arrows move the active row.
    await page.focus('#metrics-grid');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const active = await page.evaluate(() => {
      const grid = document.getElementById('metrics-grid')!;
      const row = document.getElementById(grid.getAttribute('aria-activedescendant') ?? '');
      return { rowIndex: row?.getAttribute('aria-rowindex'), isActive: row?.classList.contains('active') };
    });
    // Focus made the first row active; two arrows later it is the third (row 1 is the header).
    expect(active).toEqual({ rowIndex: '4', isActive: true });

    // A phone: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction(() => document.documentElement.scrollWidth <= 390);
    await screenshot(page, 'live-phone.png');
    const phone = await page.evaluate(() => {
      const top = (sel: string) => document.querySelector(sel)!.getBoundingClientRect().top;
      return { stacked: top('.col-sources') < top('.col-metrics') && top('.col-metrics') < top('.col-side'), rows: document.querySelectorAll('.row:not([hidden])').length };
    });
    expect(phone).toEqual({ stacked: true, rows: 6 });
    // The forced disconnect cuts the stream mid-response, and Chromium says so; nothing else may fail.
    expect(errors).toEqual(['console: Failed to load resource: net::ERR_INCOMPLETE_CHUNKED_ENCODING']);
  }, 90_000);

  it('shows a long event (an OPC UA alarm as JSON) in three lines, the whole text in its tooltip, so it leaves room for the others', async () => {
    const gateway = await startGateway();
    const alarm = JSON.stringify({ EventType: 'ExclusiveLimitAlarmType', SourceName: '2:Boiler', Message: 'Boiler temperature above the high limit for more than thirty seconds', Severity: 800, ConditionName: 'TemperatureAlarm', ActiveState: true, AckedState: false, Comment: 'x'.repeat(300) });
    await ingest(gateway, { source_id: 'plant-a-boiler', points: [{ metric: 'boiler.alarms', value: alarm, class: 'event' }] });
    await ingest(gateway, { source_id: 'plant-a-boiler', points: [{ metric: 'boiler.state', value: 'running', class: 'event' }] });
    const { page, errors } = await openBrowser();
    await page.goto(`${gateway.origin}/`);
    await page.waitForFunction(() => document.querySelectorAll('#events .ev').length === 2);
    const shown = await page.$$eval('#events .ev-text', (els) =>
      els.map((el) => ({ lines: Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)), title: el.getAttribute('title') })),
    );
    // Newest first: the short one in one line, the alarm in three, its text (as the live feed
    // carries it: the first 200 characters) whole in the tooltip.
    expect(shown).toEqual([{ lines: 1, title: 'running' }, { lines: 3, title: `${alarm.slice(0, 199)}…` }]);
    await screenshot(page, 'live-long-event.png');
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows every number whole or rounded to fit its cell, never cut, with the exact value and unit in a tooltip', async () => {
    const gateway = await startGateway();
    // A uint64 counter and an energy total as the Modbus example reads them, a raw pressure in Pa.
    const sent: Record<string, { value: number; unit?: string }> = {
      'press1.parts.total': { value: 5_000_000_001 },
      'press1.energy': { value: 123_456_789.123, unit: 'kWh' },
      'press1.pressure.raw': { value: -987_654_321_012, unit: 'Pa' },
      'press1.flow': { value: 12.5, unit: 'm3/h' },
    };
    const points = Object.entries(sent).map(([metric, { value, unit }]) => ({ metric, value, ...(unit === undefined ? {} : { tags: { unit } }) }));
    await ingest(gateway, { source_id: 'plant-a-press1', points });
    const { page, errors } = await openBrowser();
    await page.goto(`${gateway.origin}/`);
    const shown = () => valueCells(page);
    // A desktop, a laptop (a narrower value column) and a phone (one column).
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await waitFor(async () => {
        const now = await shown();
        return now.length === 4 && now.every((r) => !r.cut);
      }, `every number whole at ${width} px`, 5000);
      for (const row of await shown()) {
        const { value, unit } = sent[row.metric]!;
        // Read as a number, what is shown is the value to at least five significant digits.
        expect(Math.abs(Number(row.text.replaceAll(',', '')) - value) / Math.abs(value), `${row.metric} shown as ${row.text} at ${width} px`).toBeLessThan(1e-4);
        expect(row.title).toBe(unit === undefined ? String(value) : `${value} ${unit}`);
      }
    }
    await page.setViewportSize({ width: 1024, height: 800 });
    await screenshot(page, 'live-numbers-fit.png');
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows small fractions (a current in A, a gas concentration) to four significant digits, never rounded away', async () => {
    const gateway = await startGateway();
    const sent: Record<string, { value: number; unit: string }> = {
      'sensor1.current': { value: 0.000123, unit: 'A' },
      'sensor1.leak_current': { value: -0.00098765, unit: 'A' },
      'sensor1.co': { value: 1.5e-7, unit: 'ppm' },
      'sensor1.ratio': { value: 0.0123456, unit: '' },
      'sensor1.level': { value: 0.5, unit: 'm' },
    };
    const points = Object.entries(sent).map(([metric, { value, unit }]) => ({ metric, value, ...(unit === '' ? {} : { tags: { unit } }) }));
    await ingest(gateway, { source_id: 'lab', points });
    const { page, errors } = await openBrowser();
    await page.goto(`${gateway.origin}/`);
    const shown = () => valueCells(page);
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await waitFor(async () => {
        const now = await shown();
        return now.length === 5 && now.every((r) => !r.cut);
      }, `every number whole at ${width} px`, 5000);
      for (const row of await shown()) {
        const { value } = sent[row.metric]!;
        // Four significant digits: 0.000123 reads 0.000123 (not 0.0001), 1.5e-7 reads 1.500e-7.
        expect(Math.abs(Number(row.text) - value) / Math.abs(value), `${row.metric} shown as ${row.text} at ${width} px`).toBeLessThanOrEqual(5e-4);
      }
    }
    expect(errors).toEqual([]);
  }, 60_000);

  it('counts in good English: 1 metric, 1 source, 1 pt, then 2 metrics', async () => {
    const gateway = await startGateway();
    await ingest(gateway, { source_id: 'tag-001', points: [{ metric: 'temperature', value: 21.5, tags: { unit: '°C' } }] });
    const { page, errors } = await openBrowser();
    await page.goto(`${gateway.origin}/`);
    // The stream line is written once a second: wait for it to hold the point.
    await page.waitForFunction(() => document.getElementById('stream-diag')?.textContent?.endsWith(' 1 point'));
    const counts = () =>
      page.evaluate(() => {
        const text = (sel: string) => document.querySelector(sel)?.textContent ?? '';
        return { metrics: text('#metric-count'), totals: [...document.querySelectorAll('.totals > div')].map((d) => d.textContent).slice(1), card: text('.source[data-id="tag-001"] .src-line'), diag: text('#stream-diag').replace(/^.* · (\d+ gaps?)/, '$1') };
      });
    expect(await counts()).toEqual({ metrics: '1 metric', totals: ['point1', 'source1', 'metric1'], card: expect.stringMatching(/^HTTP · .* · 1 pt$/), diag: '0 gaps · page holds 1 of 1 point' });
    await ingest(gateway, { source_id: 'tag-001', points: [{ metric: 'humidity', value: 40, tags: { unit: '%' } }] });
    await page.waitForFunction(() => document.getElementById('stream-diag')?.textContent?.endsWith(' 2 points'));
    expect(await counts()).toEqual({ metrics: '2 metrics', totals: ['points2', 'source1', 'metrics2'], card: expect.stringMatching(/^HTTP · .* · 2 pts$/), diag: '0 gaps · page holds 2 of 2 points' });
    expect(errors).toEqual([]);
  }, 60_000);

  it('marks a BLE tag that stopped sending (a dead battery) as stale among live ones, and lists only the stale ones; a value sent once is stale only when its source is', async () => {
    const gateway = await startGateway();
    // One gateway bridge for the tags, each with its `device` tag, as bridge-ble sends them.
    const send = (devices: string[]) =>
      ingest(gateway, {
        source_id: 'ble-gw',
        points: devices.flatMap((device) => [
          { metric: 'temperature', value: 21.5, tags: { device, unit: '°C' } },
          { metric: 'battery', value: 2.9, tags: { device, unit: 'V' } },
        ]),
      });
    const pagePoints = (n: number) => page.waitForSelector(`#stream-diag[data-page-points="${n}"]`);
    await send(['tag-001', 'tag-002', 'tag-003']);
    // A setpoint, sent once (as a value sent only when it changes is): no usual interval to miss.
    await ingest(gateway, { source_id: 'ble-gw', points: [{ metric: 'alarm_threshold', value: 30, tags: { unit: '°C' } }] });
    const { page, errors } = await openBrowser();
    await page.goto(`${gateway.origin}/`);
    await pagePoints(7);
    // A second later tag-002 reports again (its usual interval: a second), then its battery dies.
    gateway.setClockOffsetMs(1_000);
    await send(['tag-002']);
    await pagePoints(9);
    // Half a minute passes on the gateway's clock: tag-001 and tag-003 (which sends every 30 s) report, tag-002 does not.
    gateway.setClockOffsetMs(30_000);
    await send(['tag-001', 'tag-003']);
    await pagePoints(13);
    // A tag every 30 s has its own rate, per minute: not one point in a second's window (1.00/s), nor 0.
    const rateOf = (device: string) =>
      page.$$eval('.row:not([hidden])', (rows, d) => rows.find((r) => (r as HTMLElement).dataset.metric === 'temperature' && r.querySelector('.meta')?.textContent?.includes(`device=${d}`))?.querySelector('.c-rate')?.textContent, device);
    // One point in 30 s of the gateway's clock and the seconds the page took to open: at most 2/min.
    const perMinute = (text: string | undefined) => (text !== undefined && /^\d+\.\d+\/min$/.test(text) ? parseFloat(text) : undefined);
    await waitFor(async () => perMinute(await rateOf('tag-003')) !== undefined, 'tag-003 per minute');
    const rate003 = perMinute(await rateOf('tag-003'))!;
    expect(rate003).toBeGreaterThan(0.5);
    expect(rate003).toBeLessThanOrEqual(2);
    // Another half minute: tag-001 again; tag-003 is 30 s quiet, as usual for it; tag-002 a minute.
    gateway.setClockOffsetMs(60_000);
    await send(['tag-001']);
    await pagePoints(15);
    const stale = () => page.$$eval('.row.stale:not([hidden])', (rows) => rows.map((r) => `${(r as HTMLElement).dataset.metric} ${r.querySelector('.meta')?.textContent}`).sort());
    const tag2 = ['battery ble-gw · device=tag-002', 'temperature ble-gw · device=tag-002'];
    await waitFor(async () => (await stale()).length > 0, 'a stale row');
    expect(await stale()).toEqual(tag2);
    // Its usual interval is the second of the gateway's clock and the seconds the page took to open.
    expect(await page.$eval('.row.stale .c-age', (el) => el.getAttribute('title'))).toMatch(/^Stale: no point for over [\d.]+ s \(it usually sends every [\d.]+ s\)$/);
    // The setpoint is a minute old too, but its source still sends: not stale, and the tooltip says why.
    const threshold = '.row[data-metric="alarm_threshold"]:not([hidden]) .c-age';
    await waitFor(async () => (await page.$eval(threshold, (el) => el.getAttribute('title'))) !== null, 'the setpoint\'s tooltip');
    expect(await page.$eval(threshold, (el) => el.getAttribute('title'))).toBe('Sent once, and its source still sends: not stale (a setpoint, or a value sent only when it changes)');
    await page.waitForSelector('#stale-only:not([hidden])');
    expect(await page.textContent('#stale-only')).toBe('2 stale');
    // The gateway's card says it too: it is "receiving", but two of its series stopped.
    await page.waitForFunction(() => document.getElementById('sources')?.textContent?.includes('pts · 2 stale'));
    await page.click('#stale-only');
    await page.waitForFunction(() => document.getElementById('metric-count')?.textContent === '2 of 7');
    expect(await page.$$eval('.row:not([hidden])', (rows) => rows.length)).toBe(2);
    await screenshot(page, 'live-stale.png');

    // A fresh page knows each series' usual interval from the snapshot: tag-003 is still not stale.
    await page.reload();
    await page.waitForSelector('#stale-only:not([hidden])');
    await waitFor(async () => (await stale()).length > 0, 'a stale row after reload');
    expect(await stale()).toEqual(tag2);
    // The battery is changed: tag-002 reports again and leaves the stale list.
    await page.click('#stale-only');
    await page.waitForFunction(() => document.getElementById('metric-count')?.textContent === '2 of 7');
    await send(['tag-002']);
    await page.waitForFunction(() => document.getElementById('metric-count')?.textContent === '0 of 7');
    expect(await page.textContent('#stale-only')).toBe('0 stale');
    // Ten minutes without a batch from it (another source tells the page the time): the source is
    // quiet, and every series of it stale, the setpoint too.
    gateway.setClockOffsetMs(600_000);
    await ingest(gateway, { source_id: 'plc', points: [{ metric: 'line.speed', value: 2 }] });
    await page.waitForFunction(() => document.getElementById('metric-count')?.textContent === '7 of 8');
    expect(await page.textContent('#stale-only')).toBe('7 stale');
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows the whole name and tags of a series in a tooltip, where series that differ only at the end can be told apart', async () => {
    const gateway = await startGateway();
    const metric = 'site.building4.floor12.room1207.hvac.zone_controller.supply_air_temperature_setpoint';
    const alert = { site: 'plant-a', line: 'line1', device: 'press1', severity: 'warning', rule: 'oil_hot' };
    await ingest(gateway, {
      source_id: 'plant-a-press1',
      points: [
        { metric, value: 21.5, tags: { unit: 'degC', zone: 'north-wing-1207' } },
        { metric: 'alert.oil_hot', value: 'fired', class: 'event', tags: { ...alert, state: 'fired' } },
        { metric: 'alert.oil_hot', value: 'resolved', class: 'event', tags: { ...alert, state: 'resolved' } },
      ],
    });
    const { page, errors } = await openBrowser();
    await page.goto(`${gateway.origin}/`);
    await page.waitForFunction(() => document.querySelectorAll('.row:not([hidden])').length === 3);
    const rows = await page.$$eval('.row:not([hidden])', (els) =>
      els.map((row) => {
        const name = row.querySelector('.metric') as HTMLElement;
        const meta = row.querySelector('.meta') as HTMLElement;
        return { cut: name.scrollWidth > name.clientWidth || meta.scrollWidth > meta.clientWidth, title: row.querySelector('.c-name')?.getAttribute('title') };
      }),
    );
    // On screen each is cut (the two alerts read the same); the tooltip says which is which.
    expect(rows).toEqual([
      { cut: true, title: `alert.oil_hot\nplant-a-press1 · site=plant-a line=line1 device=press1 severity=warning rule=oil_hot state=fired` },
      { cut: true, title: `alert.oil_hot\nplant-a-press1 · site=plant-a line=line1 device=press1 severity=warning rule=oil_hot state=resolved` },
      { cut: true, title: `${metric}\nplant-a-press1 · zone=north-wing-1207` },
    ]);
    expect(errors).toEqual([]);
  }, 60_000);

  it('stays light with 10,000 metrics: only visible rows exist, and the filter finds any', async () => {
    const gateway = await startGateway();
    for (let part = 0; part < 2; part++) {
      const points = Array.from({ length: 5000 }, (_, i) => {
        const n = part * 5000 + i;
        return { metric: `area${Math.floor(n / 1000)}.machine${Math.floor(n / 10) % 100}.signal${n % 10}`, value: n, tags: { unit: 'mm' } };
      });
      await ingest(gateway, { source_id: 'plant-big', points });
    }
    const { page, errors } = await openBrowser();
    await page.goto(`${gateway.origin}/`);
    await page.waitForFunction(() => document.getElementById('metric-count')?.textContent === '10,000 metrics');
    const rows = await page.$$eval('.row:not([hidden])', (els) => els.length);
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThan(60);
    expect(await page.$$eval('.row', (els) => els.length)).toBeLessThan(80);
    // The last row is reachable by scrolling, and drawn.
    await page.$eval('#metrics-grid', (grid) => grid.scrollTo(0, grid.scrollHeight));
    await page.waitForSelector('.row[data-metric="area9.machine99.signal9"]:not([hidden])');
    await page.fill('#filter', 'machine42 signal7');
    await page.waitForFunction(() => document.getElementById('metric-count')?.textContent === '10 of 10,000');
    const shown = await page.$$eval('.row:not([hidden]) .metric', (els) => els.map((e) => e.textContent));
    expect(shown).toEqual(Array.from({ length: 10 }, (_, a) => `area${a}.machine42.signal7`));
    await page.waitForSelector('.row:not([hidden]) canvas');
    await screenshot(page, 'live-10k-filtered.png');
    expect(errors).toEqual([]);
  }, 60_000);
});
